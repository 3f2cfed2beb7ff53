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

/** The most characters of one value a summary shows whole; `before`/`after` keep it all. */
export const SUMMARY_VALUE_LIMIT = 100;

/** A placeholder, a run of the characters an external ID may hold, or one other character. */
const PIECE = /<(?:secret|unknown):[^<>]*>|[\w+=,.@:/-]+|[\s\S]/gu;
const RUN = /^[\w+=,.@:/-]+$/;

/**
 * A value as a summary shows it: whole up to `limit` characters, else its start and its end
 * around the count of characters left out. It is cut only outside placeholders
 * (`<secret:...>`, `<unknown: ...>`), and inside a run of the characters an external ID may
 * hold only at a `:` or `/`, so every token the log scrubber searches by digest (a run, or
 * its parts between those) stays whole or is left out. The limit of this: a clear secret that
 * itself holds `:` or `/`, standing alone in a run longer than the limit, may be cut.
 *
 * @example
 * shortText(`arn:aws:s3:::${'a'.repeat(5000)}/*`); // 'arn:aws:s3:::[... 5,000 characters ...]/*'
 */
export function shortText(text: string, limit = SUMMARY_VALUE_LIMIT): string {
  if (text.length <= limit) return text;
  const points = cutPoints(text);
  const head = Math.max(...points.filter((p) => p <= Math.round(limit * 0.6)));
  const tail = Math.min(...points.filter((p) => p >= text.length - Math.round(limit * 0.3)));
  const left = (tail - head).toLocaleString('en-US');
  return `${text.slice(0, head)}[... ${left} characters ...]${text.slice(tail)}`;
}

/** Where a text may be cut: between pieces, and on either side of a `:` or `/` in a run. */
function cutPoints(text: string): number[] {
  const points = [0, text.length];
  for (const match of text.matchAll(PIECE)) {
    const [piece] = match;
    const start = match.index;
    if (RUN.test(piece)) {
      for (let i = 0; i < piece.length; i++) {
        if (piece[i] === ':' || piece[i] === '/') points.push(start + i, start + i + 1);
      }
    }
    points.push(start + piece.length);
  }
  return points;
}

/** The text of a leaf as a summary shows it (see {@link shortText}). */
export function summaryText(leaf: Leaf): string {
  return shortText(leafText(leaf));
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
  return Array.isArray(json)
    ? `[${json.map((v) => shortText(v)).join(', ')}]`
    : shortText(String(json));
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
