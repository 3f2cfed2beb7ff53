/**
 * Rules for the external ID, the secret the vendor presents to assume the Tenant role. Nothing
 * here ever puts the value, or any part of it, into a message: only its length and which rule
 * it breaks.
 */
import { error, type RuleProblem } from './types';

const PARAMETER = 'TenantExternalId';
/** IAM's own limits for sts:ExternalId. */
const IAM_CHARACTERS = /^[\w+=,.@:/-]+$/;
const IAM_MIN = 2;
const IAM_MAX = 1224;
/** Enough for 128 bits as hex; a random UUID (36 characters) also passes. */
const STRONG_MIN = 32;
/** Fewer distinct characters than this in 32 or more is far from random. */
const MIN_DISTINCT = 8;
/** Words that show a value was typed to fill the field rather than generated. */
const PLACEHOLDERS = ['example', 'changeme', 'password', 'externalid', 'secret', 'replaceme'];

const FIX =
  'Fix: use the random value the vendor issued for this account, or generate one (for ' +
  'example `openssl rand -hex 32`) and register it with the vendor.';

/** Every problem with an external ID; empty when it is acceptable. */
export function externalIdProblems(value: string): RuleProblem[] {
  if (value.length < IAM_MIN || value.length > IAM_MAX || !IAM_CHARACTERS.test(value)) {
    return [
      error(
        PARAMETER,
        'external-id-format',
        `${PARAMETER} must be ${IAM_MIN} to ${IAM_MAX} characters of letters, digits and + = ` +
          `, . @ : / - _ as IAM requires; received ${describeShape(value)}. ${FIX}`,
      ),
    ];
  }
  if (value.length < STRONG_MIN) {
    return [
      error(
        PARAMETER,
        'external-id-too-short',
        `${PARAMETER} must be at least ${STRONG_MIN} characters to serve as a shared secret; ` +
          `received ${value.length} characters. ${FIX}`,
      ),
    ];
  }
  const weakness = weaknessOf(value);
  if (weakness === undefined) return [];
  return [error(PARAMETER, 'external-id-weak', `${PARAMETER} is guessable: ${weakness}. ${FIX}`)];
}

function describeShape(value: string): string {
  if (value.length < IAM_MIN) return `${value.length} character${value.length === 1 ? '' : 's'}`;
  if (value.length > IAM_MAX) return `${value.length} characters`;
  const bad = new Set(Array.from(value).filter((c) => !IAM_CHARACTERS.test(c)));
  const names = Array.from(bad, characterName).slice(0, 5).join(', ');
  return (
    `${value.length} characters including ${bad.size === 1 ? 'a character' : 'characters'} IAM ` +
    `does not accept (${names})`
  );
}

function characterName(char: string): string {
  if (char === ' ') return 'space';
  const code = char.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why a well-formed value is still weak, in words; undefined when it is not. */
function weaknessOf(value: string): string | undefined {
  const chars = Array.from(value);
  const distinct = new Set(chars.map((c) => c.toLowerCase()));
  if (distinct.size === 1) return 'it is one character repeated';

  const period = shortestPeriod(value);
  if (period <= value.length / 2) {
    return `it is a block of ${period} characters repeated`;
  }
  if (isSequence(chars))
    return 'it is mostly a run of consecutive characters (such as abcd or 1234)';

  const lower = value.toLowerCase();
  const word = PLACEHOLDERS.find((w) => lower.includes(w));
  if (word !== undefined) return `it contains the placeholder word "${word}"`;
  if (distinct.size < MIN_DISTINCT) {
    return `it uses only ${distinct.size} different characters`;
  }
  return undefined;
}

/** The length of the shortest block whose repetition (the last copy may be cut) is the value. */
function shortestPeriod(value: string): number {
  for (let period = 1; period < value.length; period += 1) {
    let repeats = true;
    for (let i = period; i < value.length && repeats; i += 1) {
      repeats = value[i] === value[i - period];
    }
    if (repeats) return period;
  }
  return value.length;
}

/** Whether at least half of the neighbouring pairs step by exactly one, up or down, or repeat. */
function isSequence(chars: string[]): boolean {
  let steps = 0;
  for (let i = 1; i < chars.length; i += 1) {
    const a = chars[i - 1].toLowerCase().codePointAt(0) ?? 0;
    const b = chars[i].toLowerCase().codePointAt(0) ?? 0;
    if (Math.abs(a - b) <= 1) steps += 1;
  }
  return steps >= (chars.length - 1) / 2;
}
