/**
 * Global managed policies that would make the connector's roles administrators. The stack
 * attaches every global policy to every role it creates, the vendor-assumable Tenant and
 * Installer among them, and the drift guard takes them as promised: an administrator policy
 * there would hand the vendor this account without a single finding. So it is an error, by
 * name for AWS's own administrator policies (offline, wherever the rules run) and by what its
 * default version allows for any other policy the live checks can read.
 *
 * Known limitation: a customer policy is judged by its default version when it is validated;
 * one made administrator access later, by a new default version, is not judged again here.
 */
import { ADMIN_AWS_POLICIES, type AdminScope, judgeAdmin } from '../drift/admin';
import { parsePolicy } from '../policy';
import type { PromisedIamState, PromisedRole } from '../template';
import { isUnknown } from '../values';
import { type ParameterValues, splitList } from './parameters';
import { error, type RuleProblem, shown } from './types';

const PARAMETER = 'GlobalManagedPolicies';

/** What the AWS administrator policies the drift guard knows by name grant, in words. */
const AWS_ADMIN_GRANTS: Record<string, string> = {
  AdministratorAccess: 'every action on every resource',
  PowerUserAccess:
    'every action outside IAM and Organizations, deleting any data and any backup included',
  IAMFullAccess: 'every IAM action, with which a role can give itself any permission',
  AWSOrganizationsFullAccess: 'every AWS Organizations action',
};
const ADMIN_POWER = 'administrator power, or the means to get it';

const AWS_POLICY = /^arn:[\w-]+:iam::aws:policy\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/;

/**
 * What an AWS administrator policy grants, in words: one of those the drift guard counts as
 * administrator access by name. Undefined for any other ARN.
 */
export function awsAdminGrant(arn: string): string | undefined {
  const name = AWS_POLICY.exec(arn)?.[1];
  if (name === undefined || !ADMIN_AWS_POLICIES.has(name)) return undefined;
  return Object.hasOwn(AWS_ADMIN_GRANTS, name) ? AWS_ADMIN_GRANTS[name] : ADMIN_POWER;
}

/** Every AWS administrator policy among the global policies, each an error naming its roles. */
export function adminPolicyProblems(
  values: ParameterValues,
  state: PromisedIamState | undefined,
): RuleProblem[] {
  const arns = [...new Set(splitList(values.GlobalManagedPolicies))];
  return arns.flatMap((arn) => {
    const grants = awsAdminGrant(arn);
    return grants === undefined
      ? []
      : [adminPolicyProblem(arn, `AWS's policy granting ${grants}`, state)];
  });
}

/**
 * The scope the drift guard would judge a global policy in: this account (else the one in the
 * policy's ARN), and the ARNs of the roles it is attached to.
 */
export function globalPolicyScope(
  arn: string,
  where: { accountId?: string; partition: string },
  state: PromisedIamState | undefined,
): AdminScope {
  const own = /^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1];
  const holders = rolesWith(arn, state).flatMap((role) =>
    typeof role.arn === 'string' ? [role.arn] : [],
  );
  return { account: where.accountId ?? own ?? '000000000000', partition: where.partition, holders };
}

/**
 * What a policy document grants that makes it administrator access, in words; undefined when
 * the drift guard would not count it as such, judged in `scope` (see `judgeAdmin`: statements
 * that cannot be read are taken conservatively, and a document too costly to judge counts).
 *
 * @throws PolicyError when the document as a whole cannot be read as a policy
 */
export function adminDocumentGrant(document: unknown, scope: AdminScope): string | undefined {
  parsePolicy(document, 'policy', { kind: 'permissions', unreadStatements: true });
  const judgement = judgeAdmin(document, undefined, scope);
  if (!judgement.admin) return undefined;
  const unread = judgement.note !== undefined && !judgement.grants?.includes(judgement.note);
  return unread ? `${judgement.grants} (${judgement.note})` : judgement.grants;
}

/** The error for an administrator policy: what it grants, and to which roles. */
export function adminPolicyProblem(
  arn: string,
  grants: string,
  state: PromisedIamState | undefined,
): RuleProblem {
  return error(
    PARAMETER,
    'global-policy-admin',
    `${PARAMETER} names ${shown(arn)}, ${grants}. The stack attaches it to ${reached(arn, state)}` +
      ': the vendor would hold that power in this account, and the drift guard would take it as ' +
      'promised and never report it. Fix: remove it from GlobalManagedPolicies; if the vendor ' +
      'really needs more, grant it outside the stack, where the drift guard reports it.',
  );
}

/** The roles a global policy reaches, those the vendor can assume first. */
function reached(arn: string, state: PromisedIamState | undefined): string {
  const roles = rolesWith(arn, state);
  if (roles.length === 0) return 'every role it creates';
  const vendor = roles.filter((role) => trustsAnAccount(role.trustPolicy));
  const others = roles.filter((role) => !vendor.includes(role));
  const names = (list: PromisedRole[]) =>
    list.map((role) => (isUnknown(role.name) ? role.logicalId : String(role.name))).join(', ');
  const first =
    vendor.length === 0
      ? ''
      : `the roles the vendor can assume, directly or through another (${names(vendor)})` +
        (others.length > 0 ? ', and ' : '');
  const rest = others.length === 1 ? 'the role' : `the ${others.length} roles`;
  return others.length === 0 ? first : `${first}${rest} ${names(others)}`;
}

function rolesWith(arn: string, state: PromisedIamState | undefined): PromisedRole[] {
  return (state?.roles ?? []).filter((role) => role.managedPolicyArns.some((m) => m.arn === arn));
}

/**
 * Whether a trust policy lets an account or a role assume the role, rather than only an AWS
 * service: the connector's Tenant trusts the vendor's account, its Installer the Tenant role.
 */
function trustsAnAccount(trust: unknown): boolean {
  const statements = (trust as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.some((statement) => {
    const s = statement as { Effect?: unknown; Principal?: unknown } | null;
    if (s?.Effect !== 'Allow') return false;
    const principal = s.Principal;
    return (
      principal === '*' ||
      (typeof principal === 'object' && principal !== null && 'AWS' in principal)
    );
  });
}
