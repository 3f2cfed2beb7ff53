/**
 * Building strings from parts that may be unknown or secret, as Fn::Sub and Fn::Join do.
 *
 * An unknown part makes the whole unknown, naming every source it depends on. A secret part
 * makes the whole a secret of its own: when the clear value of every secret part is known to the
 * resolver, the digest of the whole is computed so a live value can still be matched; otherwise
 * the digest is absent. Clear values live only in the {@link SecretBook} of one resolution.
 */
import { isSecret, isUnknown, SecretValue, sha256Hex, UnknownValue } from '../values';
import { canonical, identified } from './identity';

export type Part = string | UnknownValue | SecretValue;

/** Clear values of the secrets one resolution handles; never leaves the resolver. */
export class SecretBook {
  private readonly clear = new WeakMap<SecretValue, string>();

  /** A secret whose clear value is known, kept only by digest in the value itself. */
  secret(parameter: string, clear: string): SecretValue {
    const value = new SecretValue(parameter, sha256Hex(clear));
    this.clear.set(value, clear);
    return value;
  }

  clearOf(value: SecretValue): string | undefined {
    return this.clear.get(value);
  }
}

/** Joins parts into one value, keeping unknowns and secrets symbolic. */
export function compose(parts: Part[], book: SecretBook): Part {
  const unknowns = parts.filter(isUnknown);
  const secrets = parts.filter(isSecret);
  if (unknowns.length === 0 && secrets.length === 0) return (parts as string[]).join('');
  const meaningful = joinTexts(parts);
  if (meaningful.length === 1) return meaningful[0];
  // Built from a value known only after deploy: the same value only where built the same way.
  const identity = `concat ${canonical(meaningful)}`;
  if (unknowns.length > 0) {
    const combined = combineUnknowns(unknowns);
    return identified(new UnknownValue(combined.source, combined.reason), identity);
  }
  const names = unique(secrets.map((secret) => secret.parameter)).join('+');
  let text = '';
  for (const part of parts) {
    const clear = isSecret(part) ? book.clearOf(part) : part;
    if (clear === undefined) return identified(new SecretValue(names, undefined), identity);
    text += clear;
  }
  return book.secret(names, text);
}

/** The parts with neighbouring texts joined and empty ones left out. */
function joinTexts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out.length - 1;
    if (part === '') continue;
    if (typeof part === 'string' && typeof out[last] === 'string') out[last] += part;
    else out.push(part);
  }
  return out;
}

/** One unknown standing for several: the sources named together. */
export function combineUnknowns(unknowns: UnknownValue[]): UnknownValue {
  const sources = unique(unknowns.map((unknown) => unknown.source));
  if (sources.length === 1) return unknowns[0];
  return new UnknownValue(
    sources.join(', '),
    `it is built from ${sources.length} values that are known only after deploy`,
  );
}

/** The first unknown or secret anywhere in a JSON tree, if any. */
export function findSymbolic(value: unknown): UnknownValue | SecretValue | undefined {
  if (isUnknown(value) || isSecret(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findSymbolic(item);
      if (found !== undefined) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) {
      const found = findSymbolic(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Every unknown anywhere in a JSON tree. */
export function collectUnknowns(value: unknown, into: UnknownValue[] = []): UnknownValue[] {
  if (isUnknown(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectUnknowns(item, into);
  else if (value !== null && typeof value === 'object' && !isSecret(value)) {
    for (const item of Object.values(value)) collectUnknowns(item, into);
  }
  return into;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
