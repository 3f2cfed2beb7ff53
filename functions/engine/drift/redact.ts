/**
 * Keeps secrets out of findings. An `sts:ExternalId` condition value, expected or live, is
 * shown only as a placeholder naming its parameter (or the condition key when no parameter
 * holds it), and every clear secret seen is replaced wherever else it might stand.
 */
import { isSecret, isUnknown, type SecretValue, secretPlaceholder, UnknownValue } from '../values';

const EXTERNAL_ID = /^sts:externalid$/i;

/** Names a clear value by the parameter that holds it, for placeholders. */
export interface SecretNames {
  /** NoEcho parameters the template's documents refer to. */
  secrets: SecretValue[];
  /** Plain (not NoEcho) parameter values, by parameter name. */
  plain: Record<string, string>;
}

/** Every SecretValue leaf in a document. */
export function secretsIn(value: unknown, out: SecretValue[] = []): SecretValue[] {
  if (isSecret(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) secretsIn(v, out);
  else if (value !== null && typeof value === 'object' && !isUnknown(value)) {
    for (const v of Object.values(value)) secretsIn(v, out);
  }
  return out;
}

/** Every UnknownValue leaf's source in a document. */
export function unknownSources(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (isUnknown(value)) out.add(value.source);
  else if (Array.isArray(value)) for (const v of value) unknownSources(v, out);
  else if (value !== null && typeof value === 'object' && !isSecret(value)) {
    for (const v of Object.values(value)) unknownSources(v, out);
  }
  return out;
}

/**
 * For comparison only: a secret whose digest is unknown cannot be compared, so it becomes an
 * UnknownValue naming the parameter, and the comparison is undecidable rather than changed.
 */
export function undigestedAsUnknown(value: unknown): unknown {
  if (isSecret(value) && value.sha256 === undefined) {
    return new UnknownValue(
      `parameter ${value.parameter}`,
      `the value of NoEcho parameter ${value.parameter} was not supplied, so it cannot be compared`,
    );
  }
  if (Array.isArray(value)) return value.map(undigestedAsUnknown);
  if (value !== null && typeof value === 'object' && !isSecret(value) && !isUnknown(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, undigestedAsUnknown(v)]));
  }
  return value;
}

/** The placeholder for a clear external ID seen in a document. */
export function placeholderFor(clear: string, names: SecretNames): string {
  const secret = names.secrets.find((s) => s.matches(clear));
  if (secret !== undefined) return secretPlaceholder(secret.parameter);
  const plain = Object.entries(names.plain).find(([, v]) => v === clear);
  if (plain !== undefined) return secretPlaceholder(plain[0]);
  return secretPlaceholder('sts:ExternalId');
}

/**
 * A plain JSON copy of a document with every external-ID condition value replaced by its
 * placeholder; SecretValue and UnknownValue leaves become their placeholders too.
 */
export function maskDocument(document: unknown, names: SecretNames, seen?: Set<string>): unknown {
  return mask(document, names, false, seen);
}

function mask(value: unknown, names: SecretNames, inKey: boolean, seen?: Set<string>): unknown {
  if (isSecret(value) || isUnknown(value)) return value.toJSON();
  if (typeof value === 'string') {
    if (!inKey) return value;
    seen?.add(value);
    return placeholderFor(value, names);
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, names, inKey, seen));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = mask(v, names, inKey || EXTERNAL_ID.test(k), seen);
    return out;
  }
  return value;
}

/** Every external-ID condition value in a live document, in clear, to redact elsewhere. */
export function externalIdsIn(document: unknown, out: Set<string> = new Set()): Set<string> {
  maskDocument(document, { secrets: [], plain: {} }, out);
  return out;
}

/** Replaces every occurrence of the given clear values in any string of `value`. */
export function redactValues<T>(value: T, replacements: Map<string, string>): T {
  if (replacements.size === 0) return value;
  return deepReplace(
    value,
    [...replacements].filter(([clear]) => clear.length >= 2),
  ) as T;
}

function deepReplace(value: unknown, pairs: [string, string][]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [clear, placeholder] of pairs) out = out.split(clear).join(placeholder);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => deepReplace(v, pairs));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepReplace(v, pairs)]));
  }
  return value;
}
