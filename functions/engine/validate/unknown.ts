/**
 * Properties the validator does not know. Each is an error naming it, with the closest
 * parameter name when one is near. A plain name (printable ASCII, at most 128 characters) is
 * shown as it is; any other is quoted, escaped and cut like a received value, so that control
 * characters, bidirectional overrides and huge names reach no reason, log or terminal raw.
 * The first {@link LISTED} are reported one by one and the rest counted in one more problem, so
 * that a request with thousands of stray properties is answered as quickly as any other.
 */
import { error, type RuleProblem, shown } from './types';

/** Unknown properties reported one by one; the rest are counted together. */
const LISTED = 20;
const PLAIN_NAME = /^[\x21-\x7e]{1,128}$/;

/** The problems for properties whose names are not among `names`, in the order given. */
export function unknownPropertyProblems(keys: string[], names: readonly string[]): RuleProblem[] {
  const listed = keys.slice(0, LISTED).map((key) => {
    const name = displayName(key);
    return error(
      name,
      'unknown-parameter',
      `${name} is not a parameter of the connector stack, so it would be ignored. Fix: ` +
        `${spellingFix(key, names)}`,
      [key],
    );
  });
  const rest = keys.slice(LISTED);
  if (rest.length === 0) return listed;
  const some = rest.slice(0, 3).map(displayName).join(', ');
  const more = error(
    null,
    'unknown-parameter',
    `${rest.length} more properties are not parameters of the connector stack either ` +
      `(${some}${rest.length > 3 ? ', ...' : ''}). Fix: remove them; the parameters are ` +
      `${names.join(', ')}.`,
    rest,
  );
  return [...listed, more];
}

/** A property name as problems show it: as it is when plain, otherwise quoted and escaped. */
function displayName(key: string): string {
  return PLAIN_NAME.test(key) ? key : shown(key);
}

function spellingFix(key: string, names: readonly string[]): string {
  const near = nearestName(key, names);
  if (near !== undefined) return `did you mean ${near}? Rename it, or remove it.`;
  return `remove it; the parameters are ${names.join(', ')}.`;
}

/**
 * The parameter name within a few edits of `key` (a fifth of the name's length, at least 2),
 * the nearest when several are. Names whose length alone puts them out of reach are skipped,
 * so a long key costs no more than a short one.
 */
function nearestName(key: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const reach = Math.max(2, Math.floor(name.length / 5));
    if (Math.abs(key.length - name.length) > reach) continue;
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d <= reach && (best === undefined || d < best.distance)) best = { name, distance: d };
  }
  return best?.name;
}

/** Edit distance (insertions, deletions, substitutions) between two short texts. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
