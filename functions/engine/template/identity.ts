/**
 * When two values known only after deploy are the same value.
 *
 * An unknown's `source` names what it depends on, which different values share:
 * `!Sub 'arn:...:policy/${Setup.Prefix}-read'` and `...-write` both depend on
 * `Custom::Setup.Prefix`, and `!If [Undecided, a, b]` and `!If [Undecided, c, d]` both on the
 * condition. Comparing names by source would take one for the other: attach a policy to the
 * wrong role, or keep one of two managed policy ARNs. So each unknown the resolver builds from
 * another also records how (its identity), and names are compared by identity. An unknown with
 * none recorded is exactly the value its source names (`Ref Generated`, an export, an SSM
 * parameter). A NoEcho value is itself by the digest of its clear text, else only itself.
 */
import { isSecret, isUnknown, type SecretValue, UnknownValue } from '../values';

const identities = new WeakMap<UnknownValue | SecretValue, string>();
let unmatchedSecrets = 0;

/** The identity of a symbolic value: two values with the same one are the same value. */
export function identityOf(value: UnknownValue | SecretValue): string {
  const recorded = identities.get(value);
  if (recorded !== undefined) return recorded;
  if (isUnknown(value)) return value.source;
  unmatchedSecrets += 1;
  const identity =
    value.sha256 === undefined
      ? `NoEcho ${value.parameter} #${unmatchedSecrets}`
      : `sha256 ${value.sha256}`;
  identities.set(value, identity);
  return identity;
}

/** Records how a symbolic value was built, and returns it. */
export function identified<T extends UnknownValue | SecretValue>(value: T, identity: string): T {
  identities.set(value, identity);
  return value;
}

/**
 * The unknown a function makes of an unknown argument: the same source and reason, and an
 * identity saying what was done to it.
 *
 * @param how the function and its other arguments, e.g. `Fn::Select 2`
 */
export function derived(from: UnknownValue, how: string): UnknownValue {
  return identified(new UnknownValue(from.source, from.reason), `${how}(${identityOf(from)})`);
}

/** A text of any resolved value, symbolic ones by identity, for identities built from it. */
export function canonical(value: unknown): string {
  if (isUnknown(value) || isSecret(value)) return `<${identityOf(value)}>`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`);
    return `{${entries.join(',')}}`;
  }
  if (value === undefined || typeof value === 'symbol') return '<none>';
  return JSON.stringify(value);
}
