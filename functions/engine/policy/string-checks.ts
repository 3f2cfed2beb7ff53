/**
 * Implication between the positive string operators that compare differently: StringEquals
 * (exact), StringEqualsIgnoreCase (any letter case), StringLike (wildcards) and ArnLike (an ARN
 * part by part), with values in clear or secrets known by their digest. A clause accepts the
 * union of its values' sets (a value, the value in every letter case, or a pattern's matches);
 * one clause implies another when each of those sets lies within the other's.
 *
 * Like the rest of implication.ts, a set is compared with each of the other clause's sets in
 * turn, so one covered only by several together reads as not covered. Letter case is folded
 * as ASCII; a value holding other letters makes a case-insensitive check undecided.
 */
import { isSecret, type SecretValue, type UnknownValue } from '../values';
import type { Clause } from './condition';
import type { Verdict } from './implication';
import { type PatternOptions, patternCovers } from './pattern';

type Leaf = string | UnknownValue | SecretValue;

const TEXT_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnLike']);
/** Keys whose request values are always ARNs, so that StringLike and ArnLike relate on them. */
const ARN_KEYS = new Set(['aws:sourcearn', 'aws:principalarn']);
const ARN: PatternOptions = { arn: 'segments' };
const TEXT: PatternOptions = {};

/** Whether each secret seen in clear has a letter that has another case, by the secret. */
const secretsCased = new WeakMap<SecretValue, boolean>();

/**
 * Records what a secret's clear text tells of it (whether it has letters of two cases), when a
 * document holds the text: a case-insensitive check of it is then decided.
 */
export function noteSecretText(secret: SecretValue, text: string): void {
  secretsCased.set(secret, hasCase(text));
}

/**
 * Whether this module decides two clauses: different string operators, or a secret among their
 * values. A secret under StringLike or ArnLike, which may itself be a pattern, is left to
 * implication.ts.
 */
export function isStringPair(a: Clause, b: Clause): boolean {
  if (a.set !== b.set || !TEXT_OPERATORS.has(a.base) || !TEXT_OPERATORS.has(b.base)) return false;
  const secretIn = (c: Clause) => (c.values as Leaf[]).some(isSecret);
  const patterned = (c: Clause) => c.base === 'StringLike' || c.base === 'ArnLike';
  if ([a, b].some((c) => secretIn(c) && patterned(c))) return false;
  if (secretIn(a) || secretIn(b)) return !(a.base === 'StringEquals' && b.base === 'StringEquals');
  const bases = new Set([a.base, b.base]);
  return bases.has('StringEqualsIgnoreCase') || (bases.has('ArnLike') && bases.has('StringLike'));
}

/**
 * Whether clause `a` implies clause `b`, both on the same key, with the same set prefix and
 * operators {@link isStringPair} accepts.
 */
export function stringImplies(a: Clause, b: Clause): Verdict {
  const pieces = (a.values as Leaf[]).map((value) => pieceImplies(a.base, value, b));
  if (pieces.includes('no')) return 'no';
  return pieces.includes('unknown') ? 'unknown' : 'yes';
}

function pieceImplies(base: string, value: Leaf, b: Clause): Verdict {
  const others = b.values as Leaf[];
  const holds = (x: Leaf) => any(others.map((other) => accepts(b.base, other, x)));
  if (typeof value !== 'string' && !isSecret(value)) return 'unknown';
  const wild = typeof value === 'string' && /[*?]/.test(value);
  if (base === 'StringEquals' || ((base === 'StringLike' || base === 'ArnLike') && !wild)) {
    return holds(value);
  }
  if (base === 'StringEqualsIgnoreCase') return foldedImplies(value, b, holds);
  if (isSecret(value)) return 'unknown';
  // A pattern with a wildcard matches endless values, more than any list can hold.
  const patterns = others.filter((o): o is string => typeof o === 'string');
  if (b.base === 'StringEquals' || b.base === 'StringEqualsIgnoreCase') return 'no';
  if (patterns.length < others.length) return 'unknown';
  return patternImplies(base, value as string, b, patterns);
}

/** Whether every letter case of `value` is accepted by `b`. */
function foldedImplies(
  value: string | SecretValue,
  b: Clause,
  holds: (x: Leaf) => Verdict,
): Verdict {
  const itself = holds(value);
  if (itself === 'no') return 'no';
  const cased = typeof value === 'string' ? hasCase(value) : secretsCased.get(value);
  if (cased === false) return itself;
  if (b.base === 'StringEqualsIgnoreCase') return itself;
  if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
    // The secret, in some other case, may be among b's values in clear, or it may not.
    const clear = (b.values as Leaf[]).some((v) => typeof v === 'string' && hasCase(v));
    return cased === true && !clear && b.base === 'StringEquals' ? 'no' : 'unknown';
  }
  if (b.base !== 'StringEquals') return 'unknown';
  const values = b.values as Leaf[];
  const variants = new Set(
    values.filter(
      (v): v is string => typeof v === 'string' && v.toLowerCase() === value.toLowerCase(),
    ),
  ).size;
  // A secret of b may be one more variant.
  const secrets = values.filter(isSecret).length;
  const needed = 2 ** [...value].filter((c) => hasCase(c)).length;
  if (variants + secrets < needed) return 'no';
  return variants >= needed ? 'yes' : 'unknown';
}

/**
 * Whether a pattern of StringLike lies within one of b's ArnLike patterns, or one of ArnLike
 * within b's StringLike patterns (the same operator on both sides is implication.ts's).
 */
function patternImplies(base: string, pattern: string, b: Clause, patterns: string[]): Verdict {
  const onArns = ARN_KEYS.has(b.key);
  if (base === 'ArnLike') {
    // What ArnLike matches, StringLike of the same text matches too.
    if (patterns.some((q) => patternCovers(q, pattern, TEXT))) return 'yes';
    const exact = onArns && patterns.every(wildcardsOnlyInResource);
    return exact ? single(patterns.map((q) => patternCovers(q, pattern, ARN))) : 'unknown';
  }
  // StringLike within ArnLike, for values that are always ARNs: the same when the pattern's
  // wildcards all stand in the resource part, where both let them match colons. Elsewhere a
  // StringLike wildcard may span colons, and an ARN it matches that way tells them apart.
  if (!onArns) return 'unknown';
  if (wildcardsOnlyInResource(pattern)) {
    return single(patterns.map((q) => patternCovers(q, pattern, ARN)));
  }
  return arnOutside(pattern, patterns) ? 'no' : 'unknown';
}

/**
 * Whether the StringLike pattern matches an ARN none of the ArnLike patterns matches: tried on
 * the pattern with its wildcards filled with text that spans a colon, or does not.
 */
function arnOutside(pattern: string, arnPatterns: string[]): boolean {
  if (pattern.includes('$')) return false;
  const fills = ['x:y', 'x', ''];
  return fills.some((fill) => {
    const arn = pattern.replace(/\*/g, fill).replace(/\?/g, 'x');
    if (arn.split(':').length < 6) return false;
    return arnPatterns.every((q) => !patternCovers(q, arn, ARN));
  });
}

/** Whether a value (text or secret) is accepted by one value of a clause with this operator. */
function accepts(base: string, other: Leaf, value: Leaf): Verdict {
  if (isSecret(other) && isSecret(value)) {
    return other.parameter === value.parameter ? 'yes' : 'unknown';
  }
  if (isSecret(other) || isSecret(value)) {
    // A text matching a secret's digest was replaced by the secret: this text is another one.
    const text = (isSecret(other) ? value : other) as string;
    if (base === 'StringEquals') return 'no';
    if (base === 'StringEqualsIgnoreCase') return hasCase(text) ? 'unknown' : 'no';
    if (isSecret(other)) return 'unknown';
    if (!/[*?]/.test(text)) return 'no';
    return base === 'StringLike' && /^\*+$/.test(text) ? 'yes' : 'unknown';
  }
  if (typeof other !== 'string' || typeof value !== 'string') return 'unknown';
  if (base === 'StringEquals') return verdictOf(other === value);
  if (base === 'StringEqualsIgnoreCase') {
    return verdictOf(other.toLowerCase() === value.toLowerCase());
  }
  return verdictOf(patternCovers(other, value, base === 'ArnLike' ? ARN : TEXT));
}

/** Whether a pattern has at least five colons and no wildcard before the fifth. */
function wildcardsOnlyInResource(pattern: string): boolean {
  const parts = pattern.split(':');
  return parts.length >= 6 && !/[*?]/.test(parts.slice(0, 5).join(':'));
}

/** Whether a text holds a letter that has another case. */
function hasCase(text: string): boolean {
  return text.toLowerCase() !== text.toUpperCase();
}

/** A verdict from several patterns: `no` is certain only against one. */
function single(answers: boolean[]): Verdict {
  if (answers.some(Boolean)) return 'yes';
  return answers.length === 1 ? 'no' : 'unknown';
}

function any(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('yes')) return 'yes';
  return verdicts.includes('unknown') ? 'unknown' : 'no';
}

function verdictOf(value: boolean): Verdict {
  return value ? 'yes' : 'no';
}
