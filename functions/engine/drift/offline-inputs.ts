/**
 * Reading the files of an offline check: parameters (CloudFormation's list or a plain map),
 * stack resources (describe-stack-resources or list-stack-resources output), exports
 * (list-exports output or a plain map) and roles (list-roles output). Errors name the file and
 * the entry by its index and key, never quoting a value: a parameters file holds the external
 * ID.
 */
import { ConnectorGuardError, InputError } from '../errors';

/**
 * The errors of several inputs read one after another, so that one error names every input
 * that cannot be used, in the order they were read, instead of stopping at the first.
 */
export class InputProblems {
  private readonly errors: ConnectorGuardError[] = [];

  /** What `read` returns, or undefined once the error it raised about its input is kept. */
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConnectorGuardError)) throw error;
      this.errors.push(error);
      return undefined;
    }
  }

  /** Throws the one error kept as it is, or an InputError listing every one kept. */
  throwIfAny(): void {
    const [first, ...rest] = this.errors;
    if (first === undefined) return;
    if (rest.length === 0) throw first;
    const lines = this.errors.map((e) => `  ${e.message}`).join('\n');
    throw new InputError(`${this.errors.length} input files cannot be used:\n${lines}`);
  }
}

/** Reads parameters as CloudFormation's list or a plain map. */
export function parseParameters(input: unknown, where: string): Record<string, string | string[]> {
  // No prototype: a key such as `__proto__` is kept as given, and refused as undeclared.
  const out: Record<string, string | string[]> = Object.create(null);
  if (Array.isArray(input)) {
    const firstAt = new Map<string, number>();
    input.forEach((entry, i) => {
      const e = entry as {
        ParameterKey?: unknown;
        ParameterValue?: unknown;
        UsePreviousValue?: unknown;
      } | null;
      if (e === null || typeof e !== 'object' || typeof e.ParameterKey !== 'string') {
        throw new InputError(
          `${where}[${i}]: expected {"ParameterKey", "ParameterValue"}, ` +
            `received ${shapeOf(entry)}.`,
        );
      }
      const first = firstAt.get(e.ParameterKey);
      if (first !== undefined) {
        throw new InputError(
          `${where}[${i}] (${e.ParameterKey}): expected each ParameterKey once, received it ` +
            `again after ${where}[${first}]; remove one of the two entries.`,
        );
      }
      firstAt.set(e.ParameterKey, i);
      const at = `${where}[${i}] (${e.ParameterKey}).ParameterValue`;
      out[e.ParameterKey] = scalar(e.ParameterValue, at);
    });
    return out;
  }
  if (input !== null && typeof input === 'object') {
    const map = (input as { Parameters?: unknown }).Parameters;
    if (Array.isArray(map)) return parseParameters(map, `${where}.Parameters`);
    for (const [k, v] of Object.entries(input)) out[k] = scalar(v, `${where}.${k}`);
    return out;
  }
  throw new InputError(
    `${where}: expected a list of {"ParameterKey", "ParameterValue"} or a map of parameter names to values, received ${typeof input}.`,
  );
}

function scalar(value: unknown, where: string): string | string[] {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
    return value.map(String);
  throw new InputError(
    `${where}: expected a string (or a list of strings), received ${value === null ? 'null' : typeof value}.`,
  );
}

export function parseResources(input: unknown, where: string) {
  const obj = input as { StackResources?: unknown; StackResourceSummaries?: unknown } | null;
  const list = Array.isArray(input) ? input : (obj?.StackResources ?? obj?.StackResourceSummaries);
  if (!Array.isArray(list)) {
    throw new InputError(
      `${where}: expected describe-stack-resources output ({"StackResources": [...]}) or list-stack-resources output, received ${shapeOf(input)}.`,
    );
  }
  let stackName: string | undefined;
  let stackId: string | undefined;
  const resources = list.map((r, i) => {
    const e = r as Record<string, unknown>;
    if (typeof e?.LogicalResourceId !== 'string' || typeof e.ResourceType !== 'string') {
      throw new InputError(
        `${where}[${i}]: expected LogicalResourceId and ResourceType, received ${shapeOf(r)}.`,
      );
    }
    if (typeof e.StackName === 'string') stackName ??= e.StackName;
    if (typeof e.StackId === 'string') stackId ??= e.StackId;
    const stamp = e.LastUpdatedTimestamp ?? e.Timestamp;
    const date =
      typeof stamp === 'string'
        ? new Date(stamp.includes('T') ? stamp : stamp.replace(' ', 'T'))
        : undefined;
    return {
      logicalId: e.LogicalResourceId,
      physicalId: typeof e.PhysicalResourceId === 'string' ? e.PhysicalResourceId : '',
      type: e.ResourceType,
      lastUpdated: date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined,
    };
  });
  return { list: resources, stackName, stackId };
}

export function parseExports(input: unknown, where: string): Record<string, string> {
  const list = Array.isArray(input) ? input : (input as { Exports?: unknown } | null)?.Exports;
  if (Array.isArray(list)) {
    const out: Record<string, string> = {};
    list.forEach((entry, i) => {
      const e = entry as { Name?: unknown; Value?: unknown } | null;
      if (typeof e?.Name !== 'string' || typeof e.Value !== 'string') {
        const at = Array.isArray(input) ? `${where}[${i}]` : `${where}.Exports[${i}]`;
        throw new InputError(
          `${at}: expected {"Name", "Value"} as list-exports writes it, received ${shapeOf(entry)}.`,
        );
      }
      out[e.Name] = e.Value;
    });
    return out;
  }
  if (input !== null && typeof input === 'object') {
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]));
  }
  throw new InputError(
    `${where}: expected list-exports output ({"Exports": [...]}) or a map of export names to values, received ${typeof input}.`,
  );
}

/**
 * The stack name, account and region of an offline check: each as given, else from the stack
 * resources (their stack ID names the account and region), else the account from the export's
 * ARNs and the region from `defaultRegion`. A value given that contradicts the stack ID, or one
 * that cannot be found, is an InputError naming the field.
 */
export function offlineStack(
  input: {
    stackName?: string;
    account?: string;
    region?: string;
    defaultRegion?: string;
    snapshot: unknown;
  },
  resources: { stackName?: string; stackId?: string } | undefined,
): { stackName: string; account: string; region: string } {
  const [, , , stackRegion, stackAccount] = resources?.stackId?.split(':') ?? [];
  const fromStack = `the stack ID in the stack resources (${resources?.stackId})`;
  if (input.account !== undefined && !/^\d{12}$/.test(input.account)) {
    throw new InputError(
      `account (--account): expected a 12-digit AWS account ID, received "${input.account}".`,
    );
  }
  for (const [field, given, found] of [
    ['account (--account)', input.account, stackAccount],
    ['region (--region)', input.region, stackRegion],
  ] as const) {
    if (given !== undefined && found !== undefined && found !== '' && given !== found) {
      throw new InputError(
        `${field}: received "${given}", but ${fromStack} names ${found}; they must agree.`,
      );
    }
  }

  const stackName = input.stackName ?? resources?.stackName;
  const account = input.account ?? (stackAccount || undefined) ?? accountOf(input.snapshot);
  const region = input.region ?? (stackRegion || undefined) ?? input.defaultRegion;
  const missing = (field: string, from: string) =>
    new InputError(
      `${field}: expected ${from}, received none; a guessed one would make every name and ARN built from it differ from what is live.`,
    );
  if (!stackName) {
    throw missing('stack name (--stack-name)', "the stack's name, or stack resources naming it");
  }
  if (account === undefined) {
    throw missing(
      'account (--account)',
      'the account ID, or stack resources or an export naming it',
    );
  }
  if (!region) {
    throw missing('region (--region)', "the stack's region, or stack resources naming it");
  }
  return { stackName, account, region };
}

/** The account of the first role or policy ARN in an export. */
function accountOf(snapshot: unknown): string | undefined {
  const pages = Array.isArray(snapshot) ? snapshot : [snapshot];
  for (const page of pages) {
    const p = page as { RoleDetailList?: { Arn?: string }[]; Policies?: { Arn?: string }[] } | null;
    for (const entry of [...(p?.RoleDetailList ?? []), ...(p?.Policies ?? [])]) {
      const account = entry?.Arn?.split(':')[4];
      if (account !== undefined && /^\d{12}$/.test(account)) return account;
    }
  }
  return undefined;
}

/**
 * Maximum session durations by role name from `aws iam list-roles` output (`{"Roles": [...]}`,
 * a list of such pages, or a list of roles).
 */
export function parseRoleList(input: unknown, where: string): Map<string, number> {
  const pages = Array.isArray(input) && input.some(hasRoles) ? input : [input];
  const roles = pages.flatMap((page, p) => {
    if (Array.isArray(page)) return page.map((role, i) => ({ role, at: `${where}[${i}]` }));
    if (!hasRoles(page)) {
      const at = pages.length > 1 ? `${where}[${p}]` : where;
      throw new InputError(
        `${at}: expected 'aws iam list-roles' output ({"Roles": [...]}), ` +
          `received ${shapeOf(page)}.`,
      );
    }
    const prefix = pages.length > 1 ? `${where}[${p}].Roles` : `${where}.Roles`;
    return page.Roles.map((role, i) => ({ role, at: `${prefix}[${i}]` }));
  });
  const out = new Map<string, number>();
  for (const { role, at } of roles) {
    const r = role as { RoleName?: unknown; MaxSessionDuration?: unknown } | null;
    if (typeof r?.RoleName === 'string' && r.MaxSessionDuration !== undefined) {
      const seconds = r.MaxSessionDuration;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
        throw new InputError(
          `${at}.MaxSessionDuration: expected a whole number of seconds, as list-roles writes ` +
            `it, received ${seconds === null ? 'null' : `a ${typeof seconds}`}.`,
        );
      }
    }
    if (typeof r?.RoleName !== 'string' || typeof r.MaxSessionDuration !== 'number') {
      throw new InputError(
        `${at}: expected a role with RoleName and MaxSessionDuration, received ${shapeOf(role)}.`,
      );
    }
    out.set(r.RoleName, r.MaxSessionDuration);
  }
  return out;
}

function hasRoles(page: unknown): page is { Roles: unknown[] } {
  return Array.isArray((page as { Roles?: unknown } | null)?.Roles);
}

/**
 * Refuses parameters the template does not declare, naming each with the declared name it is
 * likely a misspelling of.
 */
export function refuseUndeclared(given: string[], declared: string[], where: string): void {
  const undeclared = given.filter((name) => !declared.includes(name));
  if (undeclared.length === 0) return;
  const each = undeclared.map((name) => {
    const near = nearestName(name, declared);
    return near === undefined ? name : `${name} (did you mean ${near}?)`;
  });
  throw new InputError(
    `${where}: expected only parameters the template declares, received ${each.join(', ')}; ` +
      `the template declares ${declared.join(', ') || 'none'}.`,
  );
}

/**
 * The declared name within a few edits of `name` (a fifth of its length, at least 2; case
 * ignored), the nearest when several are.
 */
function nearestName(name: string, declared: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of declared) {
    const reach = Math.max(2, Math.floor(candidate.length / 5));
    if (Math.abs(name.length - candidate.length) > reach) continue;
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d <= reach && (best === undefined || d < best.distance)) {
      best = { name: candidate, distance: d };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, substitution);
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Keys shown when an entry is malformed: short plain names only, never a possible value. */
const SHOWN_KEY = /^[A-Za-z][A-Za-z0-9]{0,23}$/;

/**
 * What an entry is, by its type and its keys alone, never its values: a malformed parameter
 * entry may hold the external ID. A key that is not a short plain name is counted, not shown.
 */
export function shapeOf(entry: unknown): string {
  if (entry === null) return 'null';
  if (Array.isArray(entry)) return 'a list';
  if (typeof entry !== 'object') return `a ${typeof entry}`;
  const keys = Object.keys(entry);
  if (keys.length === 0) return 'an object with no keys';
  const shown = keys.filter((k) => SHOWN_KEY.test(k)).slice(0, 5);
  const others = keys.length - shown.length;
  const rest = others === 0 ? '' : `${shown.length > 0 ? ' and ' : ''}${others} other key(s)`;
  return `an object with ${shown.length > 0 ? `the keys ${shown.join(', ')}` : ''}${rest}`;
}
