/**
 * Condition blocks: normalised into clauses (operator, key, set of values) and compared by
 * implication. A block is the conjunction of its clauses; within a clause the values are
 * alternatives (for negated operators: exclusions). Whether one block implies another is
 * decided where the operators allow it and `unknown` otherwise.
 */
import { isSecret, isUnknown, type SecretValue, type UnknownValue } from '../values';
import { normaliseRange, rangeCovers } from './address';
import { patternCovers, patternsIntersect } from './pattern';

type Leaf = string | UnknownValue | SecretValue;

/** One `Operator: { key: values }` entry of a Condition block. */
export interface Clause {
  /** The operator as written canonically, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** The operator as written, in canonical case: ArnEquals stays ArnEquals here. */
  written: string;
  /** The operator without set prefix or IfExists, e.g. `StringLike`; ArnEquals reads ArnLike. */
  base: string;
  set: '' | 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** The key in lower case (keys are case-insensitive). */
  key: string;
  /** The key as first written, for display. */
  keyText: string;
  values: Leaf[] | UnknownValue;
}

/** Three-valued answer to "does this follow from that". */
export type Verdict = 'yes' | 'no' | 'unknown';

const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];
const CANONICAL = new Map(OPERATORS.map((op) => [op.toLowerCase(), op]));
/** ArnEquals and ArnLike behave alike (both honour wildcards), as do their negations. */
const ALIASES: Record<string, string> = { ArnEquals: 'ArnLike', ArnNotEquals: 'ArnNotLike' };
const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotLike',
]);
const WILDCARD_OPERATORS = new Set(['StringLike', 'StringNotLike', 'ArnLike', 'ArnNotLike']);
const ORDERED = /^(Numeric|Date)(LessThan|LessThanEquals|GreaterThan|GreaterThanEquals)$/;

/**
 * Normalises a Condition element into sorted clauses; an empty block gives no clauses.
 * `fail` is called with a message naming the path when the block is malformed.
 */
export function normaliseConditionBlock(
  block: unknown,
  path: string,
  fail: (message: string) => never,
): Clause[] | UnknownValue {
  if (block === undefined) return [];
  if (!isObject(block)) fail(`${path}: must be an object of operators, got ${describe(block)}.`);

  const clauses = new Map<string, Clause>();
  for (const [operatorText, entries] of Object.entries(block as Record<string, unknown>)) {
    const parsed = parseOperator(operatorText);
    if (parsed === null) {
      fail(`${path}: unknown condition operator "${operatorText}".`);
    }
    // Keys not known offline leave nothing about the block decidable.
    if (isUnknown(entries)) return entries;
    if (!isObject(entries)) {
      fail(
        `${path}.${operatorText}: must be an object of condition keys, got ${describe(entries)}.`,
      );
    }
    for (const [keyText, raw] of Object.entries(entries as Record<string, unknown>)) {
      const at = `${path}.${operatorText}.${keyText}`;
      const values = readValues(raw, at, parsed.base, fail);
      // The same key under two spellings of one operator (ArnEquals and ArnLike) is two
      // clauses that must both hold, not one with the values of both.
      const clause: Clause = { ...parsed, key: keyText.toLowerCase(), keyText, values };
      const id = `${clauseId(clause)}|${valuesId(values)}`;
      if (!clauses.has(id)) clauses.set(id, clause);
    }
  }
  return [...clauses.values()].sort((a, b) =>
    compareText(`${clauseId(a)}|${valuesId(a.values)}`, `${clauseId(b)}|${valuesId(b.values)}`),
  );
}

function parseOperator(text: string): Omit<Clause, 'key' | 'keyText' | 'values'> | null {
  let rest = text;
  let set: Clause['set'] = '';
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (prefix) {
    set = (prefix[1] as string).toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    rest = rest.slice(prefix[0].length);
  }
  const ifExists = /IfExists$/i.test(rest) && rest.toLowerCase() !== 'null';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const canonical = CANONICAL.get(rest.toLowerCase());
  if (canonical === undefined) return null;
  const base = ALIASES[canonical] ?? canonical;
  const spell = (name: string) => `${set ? `${set}:` : ''}${name}${ifExists ? 'IfExists' : ''}`;
  return { operator: spell(base), written: spell(canonical), base, set, ifExists };
}

function readValues(
  raw: unknown,
  path: string,
  base: string,
  fail: (message: string) => never,
): Leaf[] | UnknownValue {
  if (isUnknown(raw)) return raw;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) fail(`${path}: must hold at least one value.`);
  const values = list.map((value, i): Leaf => {
    if (isUnknown(value) || isSecret(value)) return value;
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string') {
      fail(`${path}[${i}]: must be a string, number or boolean, got ${describe(value)}.`);
    }
    return normaliseValue(base, value as string);
  });
  return uniqueSorted(values);
}

function normaliseValue(base: string, value: string): string {
  if (base === 'Bool' || base === 'Null' || base.endsWith('IgnoreCase')) return value.toLowerCase();
  if (base.startsWith('Numeric')) {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? String(n) : value;
  }
  if (base.endsWith('IpAddress')) return normaliseRange(value);
  return value;
}

function valuesId(values: Leaf[] | UnknownValue): string {
  return isUnknown(values) ? valueKey(values) : values.map(valueKey).join('\u0000');
}

function clauseId(clause: Clause): string {
  return `${clause.operator}|${clause.key}`;
}

/** A display key for a leaf; a secret shows as its placeholder. */
export function valueKey(value: Leaf): string {
  if (typeof value === 'string') return `=${value}`;
  return isSecret(value) ? `secret:${value.parameter}` : `unknown:${value.source}`;
}

function uniqueSorted(values: Leaf[]): Leaf[] {
  const seen = new Map<string, Leaf>();
  for (const value of values) seen.set(valueKey(value), value);
  return [...seen.entries()].sort(([a], [b]) => compareText(a, b)).map(([, v]) => v);
}

/** Whether the block `a` (a list of clauses, all required) implies block `b`. */
export function blockImplies(a: Clause[] | UnknownValue, b: Clause[] | UnknownValue): Verdict {
  if (!isUnknown(b) && b.length === 0) return 'yes';
  if (isUnknown(a) || isUnknown(b)) return 'unknown';
  let verdict: Verdict = 'yes';
  for (const needed of b) {
    const found = satisfied(a, needed);
    if (found === 'no') return 'no';
    if (found === 'unknown') verdict = 'unknown';
  }
  return verdict;
}

/** Whether some clause of `a` implies `needed`; `no` when none touches its key. */
export function satisfied(a: Clause[], needed: Clause): Verdict {
  let verdict: Verdict = 'no';
  for (const clause of a) {
    if (clause.key !== needed.key) continue;
    const one = clauseImplies(clause, needed);
    if (one === 'yes') return 'yes';
    if (one === 'unknown') verdict = 'unknown';
  }
  return verdict;
}

/** Whether clause `a` implies clause `b` (both on the same key). */
export function clauseImplies(a: Clause, b: Clause): Verdict {
  if (isUnknown(a.values) || isUnknown(b.values)) return 'unknown';
  if (hasOpaque(a.values) || hasOpaque(b.values)) return 'unknown';
  // A request without the key tells apart a clause that lets it through from one that does not.
  if (passesWithoutKey(a) && !passesWithoutKey(b)) return 'no';
  if (a.base === 'Null' && a.set === '' && b.base !== 'Null' && b.set === '') {
    return anyValueImplies(a.values as string[], b);
  }
  if (b.base === 'Null' && b.set === '' && a.base !== 'Null') {
    // Here `a` fails without the key, so when it holds the key is there.
    const present = a.set === '' && b.values.every((v) => v === 'false');
    return present ? 'yes' : 'unknown';
  }
  if (holdsSecret(a) || holdsSecret(b)) return secretImplies(a, b);
  if (a.set !== b.set) return 'unknown';
  const av = a.values as string[];
  const bv = b.values as string[];

  if (a.base === b.base) {
    if (ORDERED.test(a.base)) return ordered(a.base, av, bv);
    if (a.base.endsWith('IpAddress')) {
      const inside = (x: string[], y: string[]) => x.every((n) => y.some((w) => rangeCovers(w, n)));
      return verdictOf(NEGATED.has(a.base) ? inside(bv, av) : inside(av, bv));
    }
    const wildcards = WILDCARD_OPERATORS.has(a.base);
    const equal = (outer: string, inner: string) =>
      wildcards ? patternCovers(outer, inner) : sameValue(a.base, outer, inner);
    const within = (x: string[], y: string[]) => x.every((v) => y.some((w) => equal(w, v)));
    return verdictOf(NEGATED.has(a.base) ? within(bv, av) : within(av, bv));
  }

  if (a.base === 'StringEquals' && b.base === 'StringLike') {
    return verdictOf(av.every((v) => bv.some((w) => patternCovers(w, v))));
  }
  if (a.base === 'StringLike' && b.base === 'StringEquals') {
    // A pattern with a wildcard matches endless values, more than any list can hold.
    return verdictOf(av.every((v) => !/[*?]/.test(v) && bv.includes(v)));
  }
  if (FAMILY[a.base] !== undefined && FAMILY[a.base] === FAMILY[b.base]) {
    return acceptedNotExcluded(a.base, b.base, av, bv);
  }
  return ORDERED.test(a.base) && ORDERED.test(b.base)
    ? crossOrdered(a.base, b.base, av, bv)
    : 'unknown';
}

/**
 * Whether `Null` with these values implies a plain clause on its key. `Null: false` lets the key
 * through with any value, so it implies no positive operator short of one matching everything.
 */
function anyValueImplies(values: string[], b: Clause): Verdict {
  if (values.length !== 1 || values[0] !== 'false') return 'unknown';
  if (NEGATED.has(b.base) || b.base === 'Bool') return 'unknown';
  const everything = (b.values as string[]).some(
    (v) => (WILDCARD_OPERATORS.has(b.base) && /^\*+$/.test(v)) || /^(0\.0\.0\.0|::)\/0$/.test(v),
  );
  return everything ? 'unknown' : 'no';
}

/** Text operators that compare the same way, so a positive one and a negated one relate. */
const FAMILY: Record<string, string> = {
  StringEquals: 'text',
  StringLike: 'text',
  StringNotEquals: 'text',
  StringNotLike: 'text',
  StringEqualsIgnoreCase: 'folded',
  StringNotEqualsIgnoreCase: 'folded',
  ArnLike: 'arn',
  ArnNotLike: 'arn',
};

/**
 * Whether a positive clause implies a negated one of the same family: exactly when no value
 * the first accepts is one the second excludes. Values holding `$` (a policy variable) or, for
 * an exact operator, a literal `*` or `?` are not reasoned about.
 */
function acceptedNotExcluded(aBase: string, bBase: string, av: string[], bv: string[]): Verdict {
  if (NEGATED.has(aBase) || !NEGATED.has(bBase)) return 'unknown';
  const plain = (base: string, values: string[]) =>
    values.every(
      (v) =>
        typeof v === 'string' &&
        !v.includes('$') &&
        (WILDCARD_OPERATORS.has(base) || !/[*?]/.test(v)),
    );
  if (!plain(aBase, av) || !plain(bBase, bv)) return 'unknown';
  const meet = av.some((x) => bv.some((y) => patternsIntersect(x, y, { variables: false })));
  return verdictOf(!meet);
}

/**
 * Whether a clause holds for a request without its key, as IAM decides: `Null` when it accepts
 * `true`, any `...IfExists`, `ForAllValues`, and a plain negated operator (StringNotEquals,
 * NotIpAddress, ...) hold; a plain positive operator and `ForAnyValue` do not.
 */
function passesWithoutKey(clause: Clause): boolean {
  if (clause.base === 'Null') return (clause.values as string[]).includes('true');
  if (clause.ifExists || clause.set === 'ForAllValues') return true;
  return clause.set === '' && NEGATED.has(clause.base);
}

function holdsSecret(clause: Clause): boolean {
  return !isUnknown(clause.values) && clause.values.some(isSecret);
}

/**
 * Implication where a secret (known by its digest only) is among the values. A live value equal
 * to the secret was replaced by it, so any other text is another value: exact matches compare,
 * and patterns, case folding and other operators cannot be decided.
 */
function secretImplies(a: Clause, b: Clause): Verdict {
  const av = (a.values as Leaf[]).map(valueKey);
  const bv = (b.values as Leaf[]).map(valueKey);
  const exact = ['StringEquals', 'StringNotEquals'].includes(a.base);
  if (a.set === b.set && a.base === 'StringLike' && b.base === 'StringEquals') {
    // A pattern with a wildcard matches endless values, more than any list can hold.
    const wild = (a.values as Leaf[]).some((v) => typeof v === 'string' && /[*?]/.test(v));
    if (wild) return 'no';
  }
  if (a.base !== b.base || a.set !== b.set || !exact) {
    const same = a.operator === b.operator && av.join('\u0000') === bv.join('\u0000');
    return same ? 'yes' : 'unknown';
  }
  const within = (x: string[], y: string[]) => x.every((v) => y.includes(v));
  return verdictOf(NEGATED.has(a.base) ? within(bv, av) : within(av, bv));
}

function hasOpaque(values: Leaf[]): boolean {
  return values.some((v) => isUnknown(v) || (isSecret(v) && v.sha256 === undefined));
}

function verdictOf(value: boolean): Verdict {
  return value ? 'yes' : 'no';
}

function sameValue(base: string, x: string, y: string): boolean {
  if (x === y) return true;
  if (base.startsWith('Date')) {
    const tx = dateOf(x);
    return tx !== undefined && tx === dateOf(y);
  }
  return false;
}

function threshold(base: string, values: string[]): number | undefined {
  const numbers = values.map((v) => (base.startsWith('Date') ? dateOf(v) : Number(v)));
  if (numbers.some((n) => n === undefined || Number.isNaN(n))) return undefined;
  const list = numbers as number[];
  return base.includes('LessThan') ? Math.max(...list) : Math.min(...list);
}

function ordered(base: string, av: string[], bv: string[]): Verdict {
  const ta = threshold(base, av);
  const tb = threshold(base, bv);
  if (ta === undefined || tb === undefined) return 'unknown';
  return verdictOf(base.includes('LessThan') ? ta <= tb : ta >= tb);
}

function crossOrdered(aBase: string, bBase: string, av: string[], bv: string[]): Verdict {
  const family = (base: string) => base.replace(/Equals$/, '');
  if (family(aBase) !== family(bBase)) return 'unknown';
  const ta = threshold(aBase, av);
  const tb = threshold(bBase, bv);
  if (ta === undefined || tb === undefined) return 'unknown';
  const less = aBase.includes('LessThan');
  const aStrict = !aBase.endsWith('Equals');
  const bStrict = !bBase.endsWith('Equals');
  if (aStrict && !bStrict) return verdictOf(less ? ta <= tb : ta >= tb);
  return verdictOf(less ? ta < tb : ta > tb);
}

function dateOf(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUnknown(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
