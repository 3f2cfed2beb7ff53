/**
 * Condition blocks normalised into clauses (operator, key, set of values): operators in their
 * canonical spelling, keys in lower case, values deduplicated and sorted, numbers, booleans and
 * single IP addresses in one form. A block is the conjunction of its clauses; within a clause
 * the values are alternatives (for negated operators: exclusions). implication.ts decides
 * whether one block implies another.
 */
import { isSecret, isUnknown, type SecretValue, type UnknownValue } from '../values';
import { normaliseRange } from './address';
import { shortText } from './display';

type Leaf = string | UnknownValue | SecretValue;

/** A clause's operator, as parsed. */
type Operator = Omit<Clause, 'key' | 'keyText' | 'values'>;

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
  if (!isObject(block))
    fail(`${path}: expected an object of operators, received ${describe(block)}.`);

  const clauses = new Map<string, Clause>();
  for (const [operatorText, entries] of Object.entries(block as Record<string, unknown>)) {
    const parsed = parseOperator(operatorText);
    if (parsed === null) {
      fail(`${path}: unknown condition operator "${shortText(operatorText, 40)}".`);
    }
    // Keys not known offline leave nothing about the block decidable.
    if (isUnknown(entries)) return entries;
    if (!isObject(entries)) {
      const received = describe(entries);
      fail(`${path}.${operatorText}: expected an object of condition keys, received ${received}.`);
    }
    for (const [keyText, raw] of Object.entries(entries as Record<string, unknown>)) {
      const at = `${path}.${operatorText}.${keyText}`;
      const values = readValues(raw, at, parsed.base, fail);
      // The same key under two spellings of one operator (ArnEquals and ArnLike) is two
      // clauses that must both hold, not one with the values of both.
      const operator = withoutWildcards(parsed, values);
      const clause: Clause = { ...operator, key: keyText.toLowerCase(), keyText, values };
      const id = `${clauseId(clause)}|${valuesId(values)}`;
      if (!clauses.has(id)) clauses.set(id, clause);
    }
  }
  return [...clauses.values()].sort((a, b) =>
    compareText(`${clauseId(a)}|${valuesId(a.values)}`, `${clauseId(b)}|${valuesId(b.values)}`),
  );
}

function parseOperator(text: string): Operator | null {
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
  const operator = spellOperator(set, base, ifExists);
  return { operator, written: spellOperator(set, canonical, ifExists), base, set, ifExists };
}

/** The exact operators StringLike and StringNotLike amount to for values of no wildcard. */
const EXACT: Record<string, string> = {
  StringLike: 'StringEquals',
  StringNotLike: 'StringNotEquals',
};

/**
 * A StringLike (or StringNotLike) whose values hold no `*` or `?` matches exactly, as
 * StringEquals (or StringNotEquals) does, so it reads as that operator; `written` keeps what
 * the document says. A value not known in clear, or a secret, may hold a wildcard.
 */
function withoutWildcards(operator: Operator, values: Leaf[] | UnknownValue): Operator {
  const exact = EXACT[operator.base];
  if (exact === undefined || isUnknown(values)) return operator;
  if (!values.every((v) => typeof v === 'string' && !/[*?]/.test(v))) return operator;
  const { set, ifExists } = operator;
  return { ...operator, base: exact, operator: spellOperator(set, exact, ifExists) };
}

function spellOperator(set: Clause['set'], base: string, ifExists: boolean): string {
  return `${set ? `${set}:` : ''}${base}${ifExists ? 'IfExists' : ''}`;
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
      fail(`${path}[${i}]: expected a string, number or boolean, received ${describe(value)}.`);
    }
    return normaliseValue(base, value as string);
  });
  return uniqueSorted(values);
}

function normaliseValue(base: string, value: string): string {
  // The values of ...IgnoreCase keep their case: a secret among them is known by the digest
  // of its text as written. implication.ts folds case where it compares them.
  if (base === 'Bool' || base === 'Null') return value.toLowerCase();
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
