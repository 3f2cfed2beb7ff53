import type { CompareOptions, PolicyComparison } from './types';

/** Compares an expected policy document with a live one. */
export function comparePolicies(
  _expected: unknown,
  _live: unknown,
  _options: CompareOptions = {},
): PolicyComparison {
  throw new Error('comparePolicies is being built');
}
