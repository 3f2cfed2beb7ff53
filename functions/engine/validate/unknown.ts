/**
 * Properties the validator does not know. Each is an error naming it, with the closest
 * parameter name when one is near. A plain name (printable ASCII, at most 128 characters) is
 * shown as it is; any other is quoted, escaped and cut like a received value, so that control
 * characters, bidirectional overrides and huge names reach no reason, log or terminal raw.
 * A name is input too: one holding part of a secret (a value pasted as a key) is not shown at
 * all, and one holding a registered secret whole is shown with it masked.
 * The first {@link LISTED} are reported one by one and the rest counted in one more problem, so
 * that a request with thousands of stray properties is answered as quickly as any other.
 */
import { scrubText } from '../log';
import { holdsPartOf, partFinder } from './secret-parts';
import { error, type RuleProblem, shown } from './types';

/** Unknown properties reported one by one; the rest are counted together. */
const LISTED = 20;
const PLAIN_NAME = /^[\x21-\x7e]{1,128}$/;

/** A secret input value and the parameter that holds it. */
export interface NamedSecret {
  parameter: string;
  value: string;
}

/**
 * The problems for properties whose names are not among `names`, in the order given. A name
 * holding part of one of `secrets` is withheld: it shows as `(name withheld)`.
 */
export function unknownPropertyProblems(
  keys: string[],
  names: readonly string[],
  secrets: NamedSecret[] = [],
): RuleProblem[] {
  const finders = secrets.map((s) => ({ parameter: s.parameter, holds: partFinder(s.value) }));
  const holder = (key: string) => finders.find((f) => f.holds(key))?.parameter;
  const listed = keys.slice(0, LISTED).map((key, index) => {
    const secret = holder(key);
    if (secret !== undefined) return withheldName(key, index, keys.length, secret);
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
  const some = rest
    .slice(0, 3)
    .map((key) => (holder(key) === undefined ? displayName(key) : WITHHELD))
    .join(', ');
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

const WITHHELD = '(name withheld)';

/**
 * A name from the input as a message may show it: `(name withheld)` when it holds part of one
 * of `secrets`; otherwise as it is when plain and free of registered secrets (quoted all the
 * same when `quoted`), or quoted, escaped, masked and cut as `shown()` does.
 *
 * @example
 * shownName('TenantAcountId', secrets) // TenantAcountId
 * shownName(externalId, [{ parameter: 'TenantExternalId', value: externalId }]) // (name withheld)
 */
export function shownName(key: string, secrets: NamedSecret[], quoted = false): string {
  if (secrets.some((s) => holdsPartOf(key, s.value))) return WITHHELD;
  return quoted ? shown(key) : displayName(key);
}

function withheldName(key: string, index: number, count: number, secret: string): RuleProblem {
  return error(
    WITHHELD,
    'unknown-parameter',
    `Unknown property ${index + 1} of ${count} is not a parameter of the connector stack, so ` +
      `it would be ignored; its name is not shown, because it holds part of the value of ` +
      `${secret}, which is secret. Fix: remove it (a value written where a name belongs?).`,
    [key],
  );
}

/**
 * A property name as problems show it: as it is when plain and free of registered secrets,
 * otherwise quoted, escaped and masked as `shown()` does.
 */
function displayName(key: string): string {
  return PLAIN_NAME.test(key) && scrubText(key) === key ? key : shown(key);
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
