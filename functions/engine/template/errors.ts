/**
 * Template errors and the JSON paths they start with. Paths are kept as a linked list while
 * resolving and rendered only when a message needs them, so deep templates stay cheap.
 */
import { ConnectorGuardError } from '../errors';
import { isSecret, isUnknown } from '../values';

/** A template that cannot be read or resolved; the message starts with the JSON path. */
export class TemplateError extends ConnectorGuardError {
  /** The JSON path of the part at fault, e.g. `Resources.Tenant.Properties.RoleName`. */
  readonly path: string;

  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(path === '' ? problem : `${path}: ${problem}`, {
      cause: options.cause,
      context: { path },
    });
    this.path = path;
  }
}

/** A position in the template: the segments from the root, newest last. */
export interface Path {
  readonly parent: Path | null;
  readonly key: string | number;
}

export const ROOT: Path | null = null;

export function child(parent: Path | null, key: string | number): Path {
  return { parent, key };
}

/** Renders a path as `Resources.Role.Properties.Policies[0].PolicyName`. */
export function renderPath(path: Path | null): string {
  const keys: (string | number)[] = [];
  for (let at = path; at !== null; at = at.parent) keys.push(at.key);
  let out = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i];
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out;
}

/** Builds a path from segments, for tests and for callers naming a section. */
export function pathOf(...keys: (string | number)[]): Path | null {
  let path: Path | null = null;
  for (const key of keys) path = child(path, key);
  return path;
}

export function fail(path: Path | null, problem: string): never {
  throw new TemplateError(renderPath(path), problem);
}

/** Describes a value for a message in a few words, never showing a secret. */
export function describeValue(value: unknown): string {
  if (isSecret(value)) return 'a NoEcho value';
  if (isUnknown(value)) return `a value known only after deploy (${value.source})`;
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty mapping';
    return `a mapping with ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', ...' : ''}`;
  }
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the string '${shown}'`;
  }
  return `the ${typeof value} ${String(value)}`;
}
