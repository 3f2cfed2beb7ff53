/**
 * Finding the secrets a policy document holds in clear (the values of `sts:ExternalId`), so
 * that a tool printing anything drawn from either document can mask every occurrence of them,
 * wherever else the same value stands: under a misspelt key, in a Sid, an operator, a key name
 * or inside a longer text.
 */

import { formsPattern } from '../log';
import { MOST_POLICY_NESTING, nestsTooDeep } from '../nesting';
import { isSecret, isUnknown, secretPlaceholder } from '../values';
import { isSecretKey } from './display';

/**
 * The shortest value masked: the shortest external ID STS accepts. Masking a two-character
 * value replaces it in every text printed, so an ID that short garbles the output around it,
 * but never shows.
 */
const SHORTEST_SECRET = 2;

/** The placeholder every known secret value shows as. */
export const SECRET_PLACEHOLDER = secretPlaceholder('sts:ExternalId');

/**
 * The clear values of secret condition keys (`sts:ExternalId`, any case) anywhere in a document
 * as read from a file: an object, JSON text or URL-encoded JSON text, whole or not. Text that
 * does not read as JSON holds no value found here.
 *
 * @example
 * secretValuesIn({ Statement: [{ Condition: { StringEquals: { 'sts:ExternalId': 'x1' } } }] });
 * // ['x1']
 */
export function secretValuesIn(document: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, secret: boolean): void => {
    if (typeof node === 'string') {
      if (secret && node.length >= SHORTEST_SECRET) found.add(node);
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, secret);
    } else if (node !== null && typeof node === 'object' && !isUnknown(node) && !isSecret(node)) {
      for (const [key, value] of Object.entries(node)) visit(value, isSecretKey(key));
    }
  };
  const value = typeof document === 'string' ? jsonOf(document) : document;
  // Too deep to walk: the policy reader refuses it, so nothing of it is printed.
  if (nestsTooDeep(value, MOST_POLICY_NESTING)) return [];
  visit(value, false);
  return [...found];
}

function jsonOf(text: string): unknown {
  for (const read of [(t: string) => t, decodeURIComponent]) {
    try {
      return JSON.parse(read(text.trim()));
    } catch {
      // Neither JSON nor URL-encoded JSON: the next reading, or nothing.
    }
  }
  return undefined;
}

/**
 * The text with every occurrence of each secret replaced by {@link SECRET_PLACEHOLDER}, in
 * every form the log scrubber knows (as written, JSON-escaped, URL-encoded, base64) and any
 * letter case (the policy core lower-cases the values of `...IgnoreCase` operators, condition
 * keys and service principals), the longest first, so that a secret holding another is masked
 * whole.
 */
export function maskSecretValues(text: string, secrets: readonly string[]): string {
  const pattern = formsPattern(secrets);
  return pattern === null ? text : text.replace(pattern, SECRET_PLACEHOLDER);
}
