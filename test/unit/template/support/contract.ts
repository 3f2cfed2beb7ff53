/**
 * The security contract of the connector template, as checks that read the template's own
 * resources. Each returns the ways the template breaks that promise, one sentence each naming
 * the role and the statement; an empty list means the promise holds.
 */
import { type CfnResource, type CfnTemplate, dig, rolesOf, subVariable } from './template';

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Roles that only the vendor uses; every other role is assumed by an AWS service. */
export const VENDOR_ROLES = ['TenantRole', 'InstallerRole', 'SupportRole'];

/** What "destroy or expire backup data" means, as the IAM actions that do it. */
export const DESTRUCTIVE_ACTIONS = [
  's3:DeleteBucket',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutLifecycleConfiguration',
  's3:BypassGovernanceRetention',
  'backup:DeleteBackupVault',
  'backup:DeleteRecoveryPoint',
  'backup:UpdateRecoveryPointLifecycle',
  'backup:DeleteBackupVaultLockConfiguration',
  'ec2:DeleteSnapshot',
  'rds:DeleteDBSnapshot',
  'rds:DeleteDBClusterSnapshot',
  'rds:DeleteDBInstanceAutomatedBackup',
  'rds:DeleteDBClusterAutomatedBackup',
  'dynamodb:DeleteBackup',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:DeleteImportedKeyMaterial',
  'kms:ImportKeyMaterial',
  's3:PutBucketPolicy',
  'backup:PutBackupVaultAccessPolicy',
];

/** The roles that may never destroy backup data: the Installer and every component. */
export const BACKUP_SAFE_ROLES = [
  'InstallerRole',
  'EbsBackupWorkerRole',
  'BackupListerRole',
  'ScannerTaskRole',
  'ConnectorApiRole',
];

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Whether an IAM action pattern (with `*` and `?`) covers an action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

function statementsOf(document: unknown): Statement[] {
  return list(dig(document, 'Statement') as Statement | Statement[] | undefined);
}

function label(roleId: string, statement: Statement, index: number): string {
  return `${roleId} statement ${statement.Sid ?? index}`;
}

export function trustOf(role: CfnResource): Statement[] {
  return statementsOf(dig(role, 'Properties', 'AssumeRolePolicyDocument'));
}

/** Logical IDs of the stack's managed policies a ManagedPolicyArns value always includes. */
function alwaysIncluded(expression: unknown): Set<string> {
  const ifArgs = dig(expression, 'Fn::If');
  if (Array.isArray(ifArgs)) {
    const [whenTrue, whenFalse] = [alwaysIncluded(ifArgs[1]), alwaysIncluded(ifArgs[2])];
    return new Set([...whenTrue].filter((id) => whenFalse.has(id)));
  }
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const ref = (value as { Ref?: unknown }).Ref;
      if (typeof ref === 'string') found.add(ref);
      else Object.values(value).forEach(visit);
    }
  };
  visit(expression);
  return found;
}

/** Every permission statement that applies to a role: its inline policies and the stack's own
 * managed policies it always has attached. */
export function permissionsOf(template: CfnTemplate, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  const inline = list(dig(role, 'Properties', 'Policies') as unknown[]).flatMap((policy) =>
    statementsOf(dig(policy, 'PolicyDocument')),
  );
  const managed = [...alwaysIncluded(dig(role, 'Properties', 'ManagedPolicyArns'))]
    .map((id) => template.Resources[id])
    .filter((resource) => resource?.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap((policy) => statementsOf(dig(policy, 'Properties', 'PolicyDocument')));
  return [...inline, ...managed];
}

/** The Tenant trust is exactly the tenant account with the external ID. */
export function tenantTrustViolations(template: CfnTemplate): string[] {
  const trust = trustOf(template.Resources.TenantRole);
  const expected: Statement = {
    Sid: trust[0]?.Sid,
    Effect: 'Allow',
    Principal: {
      AWS: {
        'Fn::Sub': `arn:${subVariable('AWS::Partition')}:iam::${subVariable('TenantAccountId')}:root`,
      },
    },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'TenantExternalId' } } },
  };
  if (trust.length !== 1) return [`TenantRole trust has ${trust.length} statements, not 1`];
  if (JSON.stringify(trust[0]) !== JSON.stringify(expected)) {
    return [`TenantRole trust is not exactly the tenant account with the external ID`];
  }
  return [];
}

/** Only the Tenant role may assume the Installer role. */
export function installerTrustViolations(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const trust = trustOf(template.Resources.InstallerRole);
  const onlyTenant =
    trust.length === 1 &&
    trust[0].Effect === 'Allow' &&
    trust[0].Condition === undefined &&
    JSON.stringify(trust[0].Principal) ===
      JSON.stringify({ AWS: { 'Fn::GetAtt': ['TenantRole', 'Arn'] } }) &&
    JSON.stringify(list(trust[0].Action)) === JSON.stringify(['sts:AssumeRole']);
  if (!onlyTenant) problems.push('InstallerRole trust is not exactly the Tenant role');

  // No other role of the stack may assume roles at all, so none can reach the Installer.
  for (const [roleId] of rolesOf(template)) {
    if (roleId === 'TenantRole') continue;
    permissionsOf(template, roleId).forEach((statement, i) => {
      const assumes = list(statement.Action).some((a) => actionMatches(a, 'sts:AssumeRole'));
      if (statement.Effect === 'Allow' && assumes) {
        problems.push(`${label(roleId, statement, i)} lets ${roleId} assume roles`);
      }
    });
  }
  return problems;
}

/** A role cannot destroy or expire backup data: each such action is denied outright. */
export function destroysNothingViolations(template: CfnTemplate, roleId: string): string[] {
  const denies = permissionsOf(template, roleId).filter(
    (s) =>
      s.Effect === 'Deny' &&
      s.Condition === undefined &&
      s.NotAction === undefined &&
      list(s.Resource as string | string[]).includes('*'),
  );
  return DESTRUCTIVE_ACTIONS.filter(
    (action) => !denies.some((s) => list(s.Action).some((p) => actionMatches(p, action))),
  ).map((action) => `${roleId} is not denied ${action} on every resource without condition`);
}

/** No component role trusts an account: each trusts one AWS service, in this account only. */
export function componentTrustViolations(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [roleId, role] of rolesOf(template)) {
    if (VENDOR_ROLES.includes(roleId)) continue;
    trustOf(role).forEach((statement, i) => {
      const where = label(roleId, statement, i);
      const principal = statement.Principal as Record<string, unknown> | undefined;
      const keys = Object.keys(principal ?? {});
      if (statement.NotPrincipal !== undefined || keys.length !== 1 || keys[0] !== 'Service') {
        problems.push(`${where} trusts something other than one AWS service`);
      }
      const service = list(principal?.Service as string | string[]);
      if (service.length !== 1 || !/^[a-z-]+\.amazonaws\.com$/.test(String(service[0]))) {
        problems.push(`${where} does not name exactly one AWS service principal`);
      }
      const sourceAccount = dig(statement, 'Condition', 'StringEquals', 'aws:SourceAccount');
      if (JSON.stringify(sourceAccount) !== JSON.stringify({ Ref: 'AWS::AccountId' })) {
        problems.push(`${where} has no aws:SourceAccount guard for this account`);
      }
    });
  }
  return problems;
}

/** No role is allowed `*` on `*`, `iam:*`, or `iam:PassRole` on `*`. */
export function adminGrantViolations(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [roleId] of rolesOf(template)) {
    permissionsOf(template, roleId).forEach((statement, i) => {
      if (statement.Effect !== 'Allow') return;
      const where = label(roleId, statement, i);
      const actions = list(statement.Action);
      const onEverything = list(statement.Resource as string | string[]).includes('*');
      if (statement.NotAction !== undefined) problems.push(`${where} allows NotAction`);
      if (statement.NotResource !== undefined) problems.push(`${where} allows NotResource`);
      if (actions.some((a) => a === '*')) problems.push(`${where} allows every action`);
      if (actions.some((a) => /^iam:\*+$/i.test(a))) {
        problems.push(`${where} allows iam:*`);
      }
      if (onEverything && actions.some((a) => actionMatches(a, 'iam:PassRole'))) {
        problems.push(`${where} allows iam:PassRole on every role`);
      }
      if (actions.some((a) => /^[a-z0-9-]+:\*$/i.test(a))) {
        problems.push(`${where} allows a whole service (${actions.join(', ')})`);
      }
    });
  }
  return problems;
}

const READ_ONLY_IAM = /^iam:(Get|List)[A-Za-z]+$/;

/** The drift-guard role (and the validator's) may only read IAM. */
export function readOnlyIamViolations(template: CfnTemplate, roleId: string): string[] {
  return permissionsOf(template, roleId).flatMap((statement, i) => {
    if (statement.Effect !== 'Allow') return [];
    return list(statement.Action)
      .filter((a) => a.toLowerCase().startsWith('iam:') && !READ_ONLY_IAM.test(a))
      .map((a) => `${label(roleId, statement, i)} allows ${a}, which is not a read`);
  });
}

/** The Support role exists only with a date, and its trust ends at the end of that day (UTC). */
export function supportTrustViolations(template: CfnTemplate): string[] {
  const role = template.Resources.SupportRole;
  if (role === undefined) return [];
  const problems: string[] = [];
  if (role.Condition !== 'HasSupportRole')
    problems.push('SupportRole is not conditional on a date');
  const condition = template.Conditions[role.Condition ?? ''];
  const expectedCondition = {
    'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SupportRoleExpirationDate' }, ''] }],
  };
  if (JSON.stringify(condition) !== JSON.stringify(expectedCondition)) {
    problems.push('SupportRole condition is not "SupportRoleExpirationDate is set"');
  }
  trustOf(role).forEach((statement, i) => {
    const where = label('SupportRole', statement, i);
    const until = dig(statement, 'Condition', 'DateLessThanEquals', 'aws:CurrentTime');
    if (
      JSON.stringify(until) !==
      JSON.stringify({ 'Fn::Sub': `${subVariable('SupportRoleExpirationDate')}T23:59:59Z` })
    ) {
      problems.push(`${where} does not end at the end of the expiration date (UTC)`);
    }
    const externalId = dig(statement, 'Condition', 'StringEquals', 'sts:ExternalId');
    if (JSON.stringify(externalId) !== JSON.stringify({ Ref: 'TenantExternalId' })) {
      problems.push(`${where} does not require the external ID`);
    }
  });
  if (!deniesEverythingAfterExpiry(template)) {
    problems.push('SupportRole sessions keep their permissions after the end of the date (UTC)');
  }
  return problems;
}

/** Whether the Support role is denied every action on every resource once its date has ended. */
function deniesEverythingAfterExpiry(template: CfnTemplate): boolean {
  const endOfDay = { 'Fn::Sub': `${subVariable('SupportRoleExpirationDate')}T23:59:59Z` };
  return permissionsOf(template, 'SupportRole').some(
    (s) =>
      s.Effect === 'Deny' &&
      JSON.stringify(list(s.Action)) === '["*"]' &&
      JSON.stringify(list(s.Resource as string)) === '["*"]' &&
      JSON.stringify(s.Condition) ===
        JSON.stringify({ DateGreaterThan: { 'aws:CurrentTime': endOfDay } }),
  );
}

/** The vendor's roles can neither change nor invoke the guard's own functions. */
export function guardUntouchableViolations(template: CfnTemplate): string[] {
  const guarded = ['InstallValidatorFunction', 'DriftGuardFunction'].flatMap((id) => [
    JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
    JSON.stringify({ 'Fn::Sub': `${subVariable(`${id}.Arn`)}:*` }),
  ]);
  return ['TenantRole', 'InstallerRole'].flatMap((roleId) => {
    const denied = permissionsOf(template, roleId)
      .filter((s) => s.Effect === 'Deny' && s.Condition === undefined)
      .filter((s) => list(s.Action).some((a) => actionMatches(a, 'lambda:UpdateFunctionCode')))
      .filter((s) => list(s.Action).some((a) => actionMatches(a, 'lambda:InvokeFunction')))
      .flatMap((s) => list(s.Resource as unknown[]).map((r) => JSON.stringify(r)));
    return guarded
      .filter((arn) => !denied.includes(arn))
      .map((arn) => `${roleId} is not denied every Lambda action on ${arn}`);
  });
}

/** The connector's component roles: the only roles any role of the stack may pass. */
export const COMPONENT_ROLES = [
  'EbsBackupWorkerRole',
  'BackupListerRole',
  'ScannerTaskRole',
  'ConnectorApiRole',
];

function passedRoleProblems(template: CfnTemplate, where: string, statement: Statement): string[] {
  const services = list(
    dig(statement, 'Condition', 'StringEquals', 'iam:PassedToService') as string | string[],
  );
  const problems: string[] = [];
  for (const resource of list(statement.Resource as unknown[])) {
    const target = String(dig(resource, 'Fn::GetAtt', 0));
    if (!COMPONENT_ROLES.includes(target) || dig(resource, 'Fn::GetAtt', 1) !== 'Arn') {
      problems.push(`${where} passes ${JSON.stringify(resource)}, not a component role`);
      continue;
    }
    const trusted = trustOf(template.Resources[target]).flatMap((s) =>
      list(dig(s, 'Principal', 'Service') as string | string[]),
    );
    for (const service of services.filter((s) => !trusted.includes(s))) {
      problems.push(`${where} passes ${target} to ${service}, which it does not trust`);
    }
  }
  if (services.length === 0) problems.push(`${where} passes roles without naming the service`);
  return problems;
}

/** Roles pass only the component roles, each only to the AWS service its trust names. */
export function passRoleViolations(template: CfnTemplate): string[] {
  return rolesOf(template).flatMap(([roleId]) =>
    permissionsOf(template, roleId).flatMap((statement, i) => {
      const passes = list(statement.Action).some((a) => actionMatches(a, 'iam:PassRole'));
      if (statement.Effect !== 'Allow' || !passes) return [];
      return passedRoleProblems(template, label(roleId, statement, i), statement);
    }),
  );
}

/** The S3 actions that write an object's content, and so could replace one in a bucket. */
export const OBJECT_WRITE_ACTIONS = ['s3:PutObject', 's3:ReplicateObject'];

/**
 * No role may write objects to S3 at all, so none can overwrite a backup object; this is what
 * makes a suspended bucket versioning (which IAM cannot stop the Installer from setting) lose
 * nothing.
 */
export function objectWriteViolations(template: CfnTemplate): string[] {
  return rolesOf(template).flatMap(([roleId]) =>
    permissionsOf(template, roleId).flatMap((statement, i) => {
      if (statement.Effect !== 'Allow') return [];
      return OBJECT_WRITE_ACTIONS.filter((action) =>
        list(statement.Action).some((pattern) => actionMatches(pattern, action)),
      ).map((action) => `${label(roleId, statement, i)} allows ${action}`);
    }),
  );
}
