/**
 * Whether one condition block implies another, decided where IAM's rules for the operators
 * allow it and `unknown` otherwise: the same operator, exact values against patterns, a
 * positive check against a negated one of the same text, numeric and date bounds, IP ranges,
 * and whether a request without the key passes.
 */
import { isSecret, isUnknown, type SecretValue, type UnknownValue } from '../values';
import { rangeCovers } from './address';
import { spend } from './budget';
import { type Clause, valueKey } from './condition';
import { type PatternOptions, patternCovers, patternsIntersect } from './pattern';
import { isStringPair, stringImplies } from './string-checks';

type Leaf = string | UnknownValue | SecretValue;

/** Three-valued answer to "does this follow from that". */
export type Verdict = 'yes' | 'no' | 'unknown';

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
/** ArnLike compares an ARN part by part: wildcards span no colon before the resource part. */
const ARN: PatternOptions = { arn: 'segments' };

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
  spend(1 + a.length);
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
  spend();
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
  if (isStringPair(a, b)) return stringImplies(a, b);
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
    const options = FAMILY[a.base] === 'arn' ? ARN : {};
    const equal = (outer: string, inner: string) =>
      wildcards ? patternCovers(outer, inner, options) : sameValue(a.base, outer, inner);
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

/** Operators that compare the same way, so a positive one and a negated one relate. */
const FAMILY: Record<string, string> = {
  StringEquals: 'text',
  StringLike: 'text',
  StringNotEquals: 'text',
  StringNotLike: 'text',
  StringEqualsIgnoreCase: 'folded',
  StringNotEqualsIgnoreCase: 'folded',
  ArnLike: 'arn',
  ArnNotLike: 'arn',
  IpAddress: 'ip',
  NotIpAddress: 'ip',
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
  if (FAMILY[aBase] === 'folded') {
    const fold = (values: string[]) => values.map((v) => v.toLowerCase());
    return verdictOf(!fold(av).some((x) => fold(bv).includes(x)));
  }
  // Two address ranges share an address exactly when one holds the other.
  const meets =
    FAMILY[aBase] === 'ip'
      ? (x: string, y: string) => rangeCovers(x, y) || rangeCovers(y, x)
      : (x: string, y: string) =>
          patternsIntersect(x, y, { variables: false, ...(FAMILY[aBase] === 'arn' ? ARN : {}) });
  return verdictOf(!av.some((x) => bv.some((y) => meets(x, y))));
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
  if (base.endsWith('IgnoreCase')) return x.toLowerCase() === y.toLowerCase();
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
