/**
 * Whether a grant is admin-equivalent, judged by what it allows rather than by how it is
 * written: `*` on `arn:*` or on every resource but one, `iam:PassRole` on `role/*`, or
 * `iam:PutRolePolicy` on the role's own ARN are all as good as administrator access.
 *
 * A grant is admin-equivalent when it allows any of the privilege-escalation requests below, on
 * a resource of this account that the policy does not name (a probe: `role/any-role`), or, for
 * the actions a role can use on itself, on a role that holds the grant. Conditions are taken
 * conservatively: a request allowed only under a condition, or allowed unless a conditional
 * Deny applies, counts as allowed; so does a request whose coverage the policy core cannot
 * decide (a wildcard in an ARN that IAM's documentation reads two ways).
 *
 * A statement that allows on every resource every action but those it lists (`NotAction`, as
 * PowerUserAccess allows all but IAM, Organizations and Account) is admin-equivalent too,
 * whatever it lists and under conditions or not, as PowerUserAccess is by name: it grants every
 * service it leaves out, those AWS adds later included, and with them the code and instances
 * that run under other roles (a function's code, a command sent to an instance).
 */
import { actionsNotAllowed, comparePolicies, isAdminEquivalent } from '../policy';

/**
 * AWS managed policies that grant administrator power, or the power to get it, whatever their
 * documents say in detail (PowerUserAccess allows everything but IAM and Organizations, which
 * leaves a way to escalate through the services it allows).
 */
export const ADMIN_AWS_POLICIES = new Set([
  'AdministratorAccess',
  'AdministratorAccess-Amplify',
  'AdministratorAccess-AWSElasticBeanstalk',
  'IAMFullAccess',
  'PowerUserAccess',
  'AWSOrganizationsFullAccess',
]);

type Target = 'role' | 'user' | 'group' | 'policy';

/**
 * Privilege-escalation actions, each with the kind of resource it acts on. Whoever may make one
 * of them on any such resource of the account can give itself, or a principal it controls,
 * any permission: write or attach a policy to a role, user or group; rewrite a managed
 * policy's default version; make any role assumable (`UpdateAssumeRolePolicy`) or assume it;
 * hand any role to a service it controls (`PassRole`, which with `CreateRole` covers making
 * one); sign in as or get keys for any user; join any group.
 */
export const ESCALATION_ACTIONS: readonly (readonly [string, Target])[] = [
  ['iam:PutRolePolicy', 'role'],
  ['iam:AttachRolePolicy', 'role'],
  ['iam:UpdateAssumeRolePolicy', 'role'],
  ['iam:PassRole', 'role'],
  ['sts:AssumeRole', 'role'],
  ['iam:PutUserPolicy', 'user'],
  ['iam:AttachUserPolicy', 'user'],
  ['iam:CreateAccessKey', 'user'],
  ['iam:CreateLoginProfile', 'user'],
  ['iam:UpdateLoginProfile', 'user'],
  ['iam:AddUserToGroup', 'group'],
  ['iam:PutGroupPolicy', 'group'],
  ['iam:AttachGroupPolicy', 'group'],
  ['iam:CreatePolicyVersion', 'policy'],
  ['iam:SetDefaultPolicyVersion', 'policy'],
];

/** What a role may do to itself to gain any permission. */
const SELF_ESCALATION = ['iam:PutRolePolicy', 'iam:AttachRolePolicy'];

/** The account and the roles a grant is judged for. */
export interface AdminScope {
  account: string;
  partition: string;
  /** ARNs of the roles that hold the grant. */
  holders: string[];
}

/** The probe resource of each kind: a name no policy is expected to single out. */
const PROBE_NAME = 'connector-guard-any';

/**
 * Whether a grant is admin-equivalent: an AWS admin policy by ARN, or by its document (see the
 * module comment). A document that cannot be read is not judged admin-equivalent here; its
 * finding says it could not be read.
 */
export function isAdminGrant(document: unknown, arn?: string, scope?: AdminScope): boolean {
  if (arn !== undefined && /^arn:[\w-]+:iam::aws:policy\//.test(arn)) {
    if (ADMIN_AWS_POLICIES.has(arn.split('/').pop() ?? '')) return true;
  }
  if (document === undefined || document === null) return false;
  try {
    if (isAdminEquivalent(document) || allowsAllButListed(document)) return true;
    const requests = escalationRequests(scope ?? defaultScope(document));
    const blocked = actionsNotAllowed(document, requests);
    if (blocked.length < requests.length || blocked.some((b) => b.reason === 'conditional'))
      return true;
    return mayBeAllowed(
      document,
      blocked.filter((b) => b.reason === 'not-allowed'),
    );
  } catch {
    return false;
  }
}

/** Every escalation request for the scope: the probes, and the holders' own ARNs. */
export function escalationRequests(scope: AdminScope): { action: string; resource: string }[] {
  const iam = `arn:${scope.partition}:iam::${scope.account}`;
  const probes = ESCALATION_ACTIONS.map(([action, target]) => ({
    action,
    resource: `${iam}:${target}/${PROBE_NAME}`,
  }));
  const self = scope.holders.flatMap((resource) =>
    SELF_ESCALATION.map((action) => ({ action, resource })),
  );
  return [...probes, ...self];
}

/**
 * Whether a request the policy core found not allowed may still be: adding it to the document
 * changes nothing, or whether it changes anything cannot be decided (a wildcard in an ARN
 * that IAM's documentation reads two ways). Only documents with a wildcard or a `Not` element
 * are asked, since only they can cover a request without naming it.
 */
function mayBeAllowed(document: unknown, requests: { action: string; resource: string }[]) {
  const text = JSON.stringify(document);
  if (!text.includes('*') && !/"Not(Action|Resource)"/.test(text)) return false;
  const statements = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return requests.some(({ action, resource }) => {
    const probe = { Effect: 'Allow', Action: action, Resource: resource };
    const widened = { Version: '2012-10-17', Statement: [...list, probe] };
    const { direction } = comparePolicies(document, widened);
    return direction === 'none' || direction === 'unknown';
  });
}

/** The account named by the document's own ARNs, else a placeholder one; `aws` partition. */
function defaultScope(document: unknown): AdminScope {
  const found = /arn:([\w-]+):[\w-]*:[\w-]*:(\d{12}):/.exec(JSON.stringify(document));
  return { partition: found?.[1] ?? 'aws', account: found?.[2] ?? '000000000000', holders: [] };
}

/**
 * Whether a statement allows, on every resource, every action but those its `NotAction` lists
 * (see the module comment); its conditions are taken as met.
 */
export function allowsAllButListed(document: unknown): boolean {
  const statements = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.some((statement) => {
    const s = statement as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || s.Effect !== 'Allow') return false;
    const excluded = [s.NotAction].flat();
    if (s.NotAction === undefined || excluded.includes('*')) return false;
    return s.NotResource === undefined && [s.Resource].flat().some(isEveryResource);
  });
}

/** `*`, or an ARN pattern of nothing but wildcards after its partition (`arn:aws:*:*:*:*`). */
function isEveryResource(resource: unknown): boolean {
  return typeof resource === 'string' && /^(\*|arn(:\*)+|arn:[\w-]+(:\*)+)$/.test(resource);
}
