/**
 * Reading the properties of IAM resources as IAM takes them: names (text, or an unknown when
 * only known after deploy), policy documents, paths, session lengths and tags. Each refuses a
 * value IAM would refuse with the JSON path, the rule and what was received.
 */
import { isSecret, isUnknown, UnknownValue } from '../values';
import { child, describeValue, fail, type Path } from './errors';
import { identified, identityOf } from './identity';
import { IAM_NAME_LIMITS } from './names';
import { putOwn } from './own';
import { isMapping } from './parse';

/** A name: text, or an unknown when it is known only after deploy. */
export type Name = string | UnknownValue;

/**
 * What makes two names the same, as one string: text by its value, an unknown by how it is
 * built from what it depends on (see `identity.ts`).
 */
export function nameKey(name: Name): string {
  return typeof name === 'string' ? `text:${name}` : `unknown:${identityOf(name)}`;
}

/** A name-like value: text, or an unknown; a NoEcho value becomes an unknown naming it. */
export function nameOf(value: unknown, where: Path | null): Name {
  if (typeof value === 'string') return value;
  // CloudFormation gives a string property the text of any scalar: `yes` deploys as `true`.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isUnknown(value)) return value;
  if (isSecret(value)) {
    const unknown = new UnknownValue(
      `NoEcho parameter ${value.parameter}`,
      'it is built from a NoEcho value, which is compared only by digest',
    );
    return identified(unknown, identityOf(value));
  }
  fail(where, `must be a string, received ${describeValue(value)}`);
}

/** The names a list gives, each once: IAM attaches a policy to a role, user or group once. */
export function namesOf(value: unknown, where: Path | null): Name[] {
  if (value === undefined) return [];
  if (isUnknown(value)) return [value];
  if (!Array.isArray(value)) fail(where, `must be a list, received ${describeValue(value)}`);
  const names = new Map<string, Name>();
  for (const item of value) {
    const name = nameOf(item, where);
    if (!names.has(nameKey(name))) names.set(nameKey(name), name);
  }
  return [...names.values()];
}

/** A policy document, which every IAM resource requires; CloudFormation also takes JSON text. */
export function documentOf(value: unknown, where: Path | null): unknown {
  if (value === undefined) fail(where, 'must be a policy document, received nothing');
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      fail(where, 'is text that is not a JSON policy document');
    }
  }
  return value;
}

/** IAM's rule for a path: `/`, or text of printable ASCII that starts and ends with `/`. */
const IAM_PATH = /^(\/|\/[\x21-\x7F]+\/)$/;

/** Refuses a role's or managed policy's Path that IAM would refuse. */
export function checkPath(path: string, where: Path | null): void {
  if (IAM_PATH.test(path) && path.length <= IAM_NAME_LIMITS.path) return;
  fail(
    where,
    `must be / or start and end with / with printable ASCII between, at most ` +
      `${IAM_NAME_LIMITS.path} characters, as IAM requires; received ${describeValue(path)}`,
  );
}

/** A role's MaxSessionDuration: one hour by default, whole seconds from one to twelve hours. */
export function durationOf(value: unknown, where: Path | null): number {
  if (value === undefined) return 3600;
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < 3600 || number > 43200) {
    fail(
      where,
      `must be a whole number of seconds from 3600 to 43200, received ${describeValue(value)}`,
    );
  }
  return number;
}

/**
 * A role's Tags as a map from key to value. A key known only after deploy stands as its
 * placeholder text, so two such keys from the same source are one entry.
 */
export function tagsOf(value: unknown, where: Path | null): Record<string, string | UnknownValue> {
  const out: Record<string, string | UnknownValue> = {};
  if (value === undefined) return out;
  if (!Array.isArray(value))
    fail(where, `must be a list of { Key, Value }, received ${describeValue(value)}`);
  for (const [index, tag] of value.entries()) {
    const at = child(where, index);
    if (!isMapping(tag)) fail(at, `must be { Key, Value }, received ${describeValue(tag)}`);
    const key = nameOf(tag.Key, child(at, 'Key'));
    const text = nameOf(tag.Value ?? '', child(at, 'Value'));
    putOwn(out, typeof key === 'string' ? key : key.toJSON(), text);
  }
  return out;
}
