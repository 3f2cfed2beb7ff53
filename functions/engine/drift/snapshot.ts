/**
 * Reads an offline account export into the same live state a live read produces. The export is
 * `aws iam get-account-authorization-details` output: as the AWS CLI writes it (documents as
 * JSON objects, dates like `2022-08-07 12:55:43+00:00`) or as the raw API returns it (documents
 * URL-encoded, ISO dates), one object or a list of pages.
 *
 * The export has no maximum session duration for roles: it comes from `aws iam list-roles`
 * output when one is given (see {@link parseRoleList}), else from a `MaxSessionDuration` the
 * export's role carries, else it comes out as not checked. An export made with `--filter` may
 * leave out roles or managed policies altogether: what it does not list is not checked, never
 * taken for deleted.
 */
import { decodeIamDocument } from '../aws/iam';
import { InputError } from '../errors';
import {
  type LiveIamState,
  type LivePolicy,
  type LivePolicyVersion,
  type LiveRole,
  Unreadable,
} from './live-state';

type Json = Record<string, unknown>;

const NO_SESSION_DURATION =
  'the account export (get-account-authorization-details) does not hold it; give ' +
  "'aws iam list-roles' output with --roles to check it";

/** Maximum session durations by role name, from `aws iam list-roles` output. */
export interface SessionDurations {
  byRole: Map<string, number>;
  /** The file name, for reasons. */
  where: string;
}

/**
 * Builds the live state of `roleNames` and of every policy in the export. A stack policy in
 * `stackPolicyArns` that the export does not hold is recorded as deleted only when the export
 * lists the account's own managed policies and nothing in it is attached to that policy.
 *
 * @param where the file name, for error messages
 * @param sessionDurations what `aws iam list-roles` said, when it was given
 */
export function readSnapshot(
  input: unknown,
  roleNames: string[],
  where = 'snapshot',
  stackPolicyArns: string[] = [],
  sessionDurations?: SessionDurations,
): LiveIamState {
  const pages = pagesOf(input, where);
  const list = (key: string) => pages.flatMap((p, i) => listOf(p, key, pageAt(input, where, i)));
  const roleDetails = list('RoleDetailList');
  const users = list('UserDetailList');
  const groups = list('GroupDetailList');
  const policies = list('Policies');
  const entitiesListed = pages.some((p) => 'UserDetailList' in p || 'GroupDetailList' in p);

  const state: LiveIamState = { mode: 'snapshot', roles: new Map(), policies: new Map() };
  const byName = new Map<string, Json>();
  roleDetails.forEach((detail, i) => {
    const name = text(detail.RoleName, `${where}.RoleDetailList[${i}].RoleName`);
    byName.set(name, detail);
  });
  const rolesListed = pages.some((p) => 'RoleDetailList' in p);
  for (const name of roleNames) {
    const detail = byName.get(name);
    if (!rolesListed) state.roles.set(name, new Unreadable(notListed(where, 'roles')));
    else if (detail === undefined) state.roles.set(name, null);
    else state.roles.set(name, roleOf(detail, `${where}: role ${name}`, sessionDurations));
  }

  const attachments = attachmentsByPolicy(roleDetails, users, groups);
  policies.forEach((p, i) => {
    const policy = policyOf(p, `${where}.Policies[${i}]`);
    const seen = attachments.get(policy.arn) ?? { roles: [], users: [], groups: [] };
    const count = typeof p.AttachmentCount === 'number' ? p.AttachmentCount : undefined;
    const total = seen.roles.length + seen.users.length + seen.groups.length;
    policy.attachedTo =
      entitiesListed || count === undefined || count === total
        ? seen
        : new Unreadable(
            `the export lists no users or groups, and policy ${policy.name} has ${count} attachments where its roles account for ${total}`,
          );
    state.policies.set(policy.arn, policy);
  });

  const policiesListed = pages.some((p) => 'Policies' in p);
  const localListed = policies.some((p) => typeof p.Arn === 'string' && isLocalPolicy(p.Arn));
  for (const arn of stackPolicyArns) {
    if (state.policies.has(arn)) continue;
    const holders = attachments.get(arn);
    if (!policiesListed || !localListed) {
      state.policies.set(arn, new Unreadable(notListed(where, 'customer managed policies')));
    } else if (holders !== undefined) {
      const first = holders.roles[0] ?? holders.users[0] ?? holders.groups[0];
      state.policies.set(
        arn,
        new Unreadable(
          `${where} does not hold policy ${arn}, yet ${first} is attached to it, so it exists: the export is incomplete`,
        ),
      );
    }
  }
  return state;
}

/**
 * Refuses input that is not get-account-authorization-details output (one object or a list of
 * pages), naming what it is instead; for checking before anything is read from it.
 */
export function checkSnapshotShape(input: unknown, where = 'snapshot'): void {
  pagesOf(input, where).forEach((page, i) => {
    for (const key of LISTS) listOf(page, key, pageAt(input, where, i));
  });
}

/** The lists of an export this module reads. */
const LISTS = ['RoleDetailList', 'UserDetailList', 'GroupDetailList', 'Policies'];

/** Where page `i` of an export is: its index only when the export is a list of pages. */
function pageAt(input: unknown, where: string, i: number): string {
  return Array.isArray(input) ? `${where}[${i}]` : where;
}

/** Whether an ARN is a customer managed policy (of an account, not of AWS). */
function isLocalPolicy(arn: string): boolean {
  return /^arn:[\w-]+:iam::\d{12}:policy\//.test(arn);
}

function notListed(where: string, what: string): string {
  return `${where} lists no ${what} (it was made with a --filter that leaves them out), so they were not compared`;
}

function pagesOf(input: unknown, where: string): Json[] {
  const pages = Array.isArray(input) ? input : [input];
  if (pages.length === 0) {
    throw new InputError(
      `${where}: expected get-account-authorization-details output (an object, or a list of its pages), received an empty list.`,
    );
  }
  return pages.map((page, i) => {
    if (page === null || typeof page !== 'object' || Array.isArray(page)) {
      throw new InputError(
        `${pageAt(input, where, i)}: expected the JSON object that get-account-authorization-details writes, received ${describe(page)}.`,
      );
    }
    const json = page as Json;
    if (!('RoleDetailList' in json) && !('Policies' in json)) {
      throw new InputError(
        `${pageAt(input, where, i)}: expected get-account-authorization-details output with RoleDetailList and Policies, received an object with keys ${Object.keys(json).slice(0, 6).join(', ') || '(none)'}.`,
      );
    }
    return json;
  });
}

function listOf(page: Json, key: string, where: string): Json[] {
  const value = page[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InputError(`${where}.${key}: expected a list, received ${describe(value)}.`);
  }
  return value.filter((v): v is Json => v !== null && typeof v === 'object');
}

function roleOf(detail: Json, where: string, durations?: SessionDurations): LiveRole {
  const tags: Record<string, string> = {};
  for (const t of (detail.Tags as Json[] | undefined) ?? []) {
    if (typeof t.Key === 'string') tags[t.Key] = String(t.Value ?? '');
  }
  const inline = new Map<string, unknown>();
  for (const p of (detail.RolePolicyList as Json[] | undefined) ?? []) {
    if (typeof p.PolicyName === 'string') {
      inline.set(p.PolicyName, documentOf(p.PolicyDocument, `${where}, inline ${p.PolicyName}`));
    }
  }
  const boundary = detail.PermissionsBoundary as Json | undefined;
  return {
    name: String(detail.RoleName),
    arn: String(detail.Arn ?? ''),
    roleId: String(detail.RoleId ?? ''),
    path: typeof detail.Path === 'string' ? detail.Path : '/',
    createDate: dateOf(detail.CreateDate),
    trustPolicy: documentOf(detail.AssumeRolePolicyDocument, `${where}, trust policy`),
    maxSessionDuration: sessionDuration(detail, durations),
    permissionsBoundaryArn:
      typeof boundary?.PermissionsBoundaryArn === 'string' ? boundary.PermissionsBoundaryArn : null,
    tags,
    inlinePolicies: inline,
    attachedPolicies: ((detail.AttachedManagedPolicies as Json[] | undefined) ?? []).map((a) => ({
      arn: String(a.PolicyArn ?? ''),
      name: String(a.PolicyName ?? ''),
    })),
  };
}

/** A role's maximum session duration: from list-roles output, else the export, else unread. */
function sessionDuration(detail: Json, durations?: SessionDurations): number | Unreadable {
  const name = String(detail.RoleName);
  const listed = durations?.byRole.get(name);
  if (listed !== undefined) return listed;
  if (typeof detail.MaxSessionDuration === 'number') return detail.MaxSessionDuration;
  if (durations !== undefined) {
    return new Unreadable(`${durations.where} (list-roles output) does not list role ${name}`);
  }
  return new Unreadable(NO_SESSION_DURATION);
}

function policyOf(p: Json, where: string): LivePolicy {
  const arn = text(p.Arn, `${where}.Arn`);
  const versions: LivePolicyVersion[] = ((p.PolicyVersionList as Json[] | undefined) ?? []).map(
    (v, i) => ({
      versionId: String(v.VersionId ?? ''),
      isDefault: v.IsDefaultVersion === true || v.IsDefaultVersion === 'true',
      createDate: dateOf(v.CreateDate),
      document: documentOf(v.Document, `${where}.PolicyVersionList[${i}].Document`),
    }),
  );
  const defaultVersionId =
    typeof p.DefaultVersionId === 'string'
      ? p.DefaultVersionId
      : (versions.find((v) => v.isDefault)?.versionId ?? null);
  const current = versions.find((v) => v.versionId === defaultVersionId);
  return {
    arn,
    name: typeof p.PolicyName === 'string' ? p.PolicyName : (arn.split('/').pop() ?? arn),
    path: typeof p.Path === 'string' ? p.Path : '/',
    defaultVersionId,
    document: current?.document,
    versions,
    attachedTo: null,
  };
}

function attachmentsByPolicy(roles: Json[], users: Json[], groups: Json[]) {
  const out = new Map<string, { roles: string[]; users: string[]; groups: string[] }>();
  const add = (entities: Json[], nameKey: string, list: 'roles' | 'users' | 'groups') => {
    for (const entity of entities) {
      for (const a of (entity.AttachedManagedPolicies as Json[] | undefined) ?? []) {
        if (typeof a.PolicyArn !== 'string') continue;
        const entry = out.get(a.PolicyArn) ?? { roles: [], users: [], groups: [] };
        entry[list].push(String(entity[nameKey]));
        out.set(a.PolicyArn, entry);
      }
    }
  };
  add(roles, 'RoleName', 'roles');
  add(users, 'UserName', 'users');
  add(groups, 'GroupName', 'groups');
  return out;
}

function documentOf(value: unknown, where: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return value;
  try {
    return decodeIamDocument(value);
  } catch (error) {
    throw new InputError(
      `${where}: expected a policy document (JSON, or URL-encoded JSON as IAM returns it), received text that does not parse.`,
      { cause: error },
    );
  }
}

/** Reads `2022-08-07 12:55:43+00:00` (AWS CLI), ISO 8601 (API), or epoch seconds. */
export function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value.includes('T') ? value : value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? null : date;
}

function text(value: unknown, where: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new InputError(`${where}: expected a non-empty string, received ${describe(value)}.`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`;
  return typeof value;
}
