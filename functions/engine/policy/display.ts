/**
 * How parts of a normalised policy read in changes: JSON values for `before` and `after`, and
 * short texts for summaries. Every value of an `sts:ExternalId` condition, and every secret
 * leaf, shows as a placeholder; nothing here ever returns a secret in clear.
 */
import { isSecret, isUnknown, secretPlaceholder, type UnknownValue } from '../values';
import type { Clause } from './condition';
import type { Leaf, LeafList, PolicyStatement, PrincipalEntry } from './document';

/** Condition keys whose values are secrets by nature. */
const SECRET_KEYS = new Set(['sts:externalid']);

/** Whether values of this condition key are never shown. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** The text of a leaf: its value, or the placeholder of what stands in for it. */
export function leafText(leaf: Leaf): string {
  return typeof leaf === 'string' ? leaf : leaf.toJSON();
}

/**
 * The text of a clause's value; values of secret keys show as a placeholder, except the `true`
 * or `false` of a Null check, which says only whether the key is there.
 */
function conditionValueText(leaf: Leaf, clause: Clause): string {
  if (isSecret(leaf)) return leaf.toJSON();
  const check = clause.base === 'Null' && (leaf === 'true' || leaf === 'false');
  const secret = isSecretKey(clause.keyText) && !check;
  if (secret && typeof leaf === 'string') return secretPlaceholder(clause.keyText);
  return leafText(leaf);
}

/** The JSON of a list element (Action, Resource and their negations). */
export function listJson(values: LeafList): unknown {
  if (isUnknown(values)) return values.toJSON();
  const texts = values.map(leafText);
  return texts.length === 1 ? texts[0] : texts;
}

/** The JSON of a Principal or NotPrincipal element. */
export function principalJson(entries: PrincipalEntry[] | UnknownValue): unknown {
  if (isUnknown(entries)) return entries.toJSON();
  if (entries.some((entry) => entry.type === '*')) return '*';
  const out: Record<string, string | string[]> = {};
  for (const entry of entries) {
    const list = (out[entry.type] ?? []) as string[];
    list.push(leafText(entry.value));
    out[entry.type] = list;
  }
  for (const [type, list] of Object.entries(out)) {
    if (Array.isArray(list) && list.length === 1) out[type] = list[0] as string;
  }
  return out;
}

/** The JSON of some clauses, in the `{ Operator: { key: values } }` form, secrets masked. */
export function clausesJson(clauses: Clause[] | UnknownValue): unknown {
  if (isUnknown(clauses)) return clauses.toJSON();
  if (clauses.length === 0) return null;
  const out: Record<string, Record<string, unknown>> = {};
  for (const clause of clauses) {
    // Shown as written, so ArnEquals and ArnLike on one key stay two entries.
    const entry = out[clause.written] ?? {};
    entry[clause.keyText] = clauseValuesJson(clause);
    out[clause.written] = entry;
  }
  return out;
}

function clauseValuesJson(clause: Clause): unknown {
  if (isUnknown(clause.values)) return clause.values.toJSON();
  const texts = [...new Set(clause.values.map((v) => conditionValueText(v, clause)))];
  return texts.length === 1 ? texts[0] : texts;
}

/** A clause's values as summary text, e.g. `111122223333` or `[a, b]`. */
export function clauseValuesText(clause: Clause): string {
  const json = clauseValuesJson(clause);
  return Array.isArray(json) ? `[${json.join(', ')}]` : String(json);
}

/** The JSON of a whole statement, as the normalised form reads, secrets masked. */
export function statementJson(statement: PolicyStatement): unknown {
  if (statement.opaque) return statement.opaque.toJSON();
  const out: Record<string, unknown> = {};
  if (statement.sid !== null) out.Sid = statement.sid;
  out.Effect = statement.effect;
  if (statement.principal) {
    out[statement.principal.not ? 'NotPrincipal' : 'Principal'] = principalJson(
      statement.principal.entries,
    );
  }
  out[statement.action.not ? 'NotAction' : 'Action'] = listJson(statement.action.values);
  if (statement.resource) {
    out[statement.resource.not ? 'NotResource' : 'Resource'] = listJson(statement.resource.values);
  }
  const condition = clausesJson(statement.condition);
  if (condition !== null) out.Condition = condition;
  return out;
}

/** A list of texts for a summary: `a`, `a and b`, `a, b and 3 more`. */
export function listText(items: string[], limit = 4): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? '';
  if (unique.length <= limit) {
    return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}`;
  }
  return `${unique.slice(0, limit - 1).join(', ')} and ${unique.length - limit + 1} more`;
}
