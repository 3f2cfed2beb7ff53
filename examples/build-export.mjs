/**
 * Writes the demo's account export, role list and stack resources from the product's template,
 * so the example stays true to the template: it resolves template/connector.yaml with
 * connector-parameters.json, builds what IAM would hold for that stack (as
 * `aws iam get-account-authorization-details` and `aws iam list-roles` print it), then makes
 * four changes someone might make by hand:
 *
 *   1. the Tenant role's trust widened to a second account,
 *   2. AdministratorAccess attached to the connector API role,
 *   3. an inline policy added to the scanner task role,
 *   4. the permissions boundary removed from the Installer role.
 *
 * Usage: node examples/build-export.mjs [--out DIR]
 *   (rewrites account-authorization-details.json, list-roles.json and stack-resources.json
 *   beside it, or writes them to DIR)
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = parseArgs({ options: { out: { type: 'string' } } }).values.out ?? HERE;
const ROOT = join(HERE, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK = 'acme-connector';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5f1c7a40-8b2e-11ef-9a31-0a1b2c3d4e5f`;
const DEPLOYED = new Date('2026-11-02T09:14:05Z');

async function loadEngine() {
  const dir = mkdtempSync(join(tmpdir(), 'cg-example-'));
  const outfile = join(dir, 'engine.cjs');
  await esbuild.build({
    stdin: {
      contents: [
        "export { parseTemplate, promisedState, resolveTemplate } from './functions/engine/template';",
        "export { isSecret, isUnknown } from './functions/engine/values';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  const engine = createRequire(import.meta.url)(outfile);
  rmSync(dir, { recursive: true, force: true });
  return engine;
}

/** The AWS CLI's date format: `2026-11-02 09:14:05+00:00`. */
function cliDate(date) {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

/** A stable, plausible unique ID for a name (IAM's are random; these only need to look right). */
function uniqueId(prefix, name) {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = prefix;
  for (let i = 0; i < 17; i += 1) {
    h = Math.imul(h ^ i, 16777619) >>> 0;
    id += alphabet[h % 32];
  }
  return id;
}

/** The property that names a resource, for the types whose physical ID is that name. */
const NAME_PROPERTIES = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Scheduler::Schedule': 'Name',
};

function physicalId(logicalId, type, name, properties) {
  const declared = properties?.[NAME_PROPERTIES[type]];
  const generated =
    typeof declared === 'string'
      ? declared
      : `${STACK}-${logicalId}-${uniqueId('', logicalId).slice(0, 12)}`;
  switch (type) {
    case 'AWS::IAM::Role':
      return name;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${generated}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${generated}`;
    case 'AWS::KMS::Key':
      return '8f0e6b2a-3c4d-4e5f-9a1b-2c3d4e5f6a7b';
    default:
      return generated;
  }
}

/** Replaces each secret leaf with the clear value a live IAM document would hold. */
function clear(value, engine, secrets) {
  if (engine.isSecret(value)) return secrets[value.parameter];
  if (engine.isUnknown(value)) throw new Error(`unresolved value in the example: ${value.source}`);
  if (Array.isArray(value)) return value.map((v) => clear(v, engine, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clear(v, engine, secrets)]));
  }
  return value;
}

const engine = await loadEngine();
const templateText = readFileSync(join(ROOT, 'template/connector.yaml'), 'utf8');
const list = JSON.parse(readFileSync(join(HERE, 'connector-parameters.json'), 'utf8'));
const parameters = Object.fromEntries(list.map((p) => [p.ParameterKey, p.ParameterValue]));
const doc = engine.parseTemplate(templateText, 'template/connector.yaml');
const ctx = { accountId: ACCOUNT, region: REGION, stackName: STACK, stackId: STACK_ID, parameters };

// Names first (without resources), then the full state with every physical ID known.
const named = engine.promisedState(doc, ctx);
const names = new Map([
  ...named.roles.map((r) => [r.logicalId, r.name]),
  ...named.managedPolicies.map((p) => [p.logicalId, p.name]),
]);
const resolved = engine.resolveTemplate(doc, ctx);
const resources = Object.entries(doc.template.Resources)
  .filter(([logicalId]) => resolved.resources[logicalId]?.created === true)
  .map(([logicalId, r]) => ({
    StackName: STACK,
    StackId: STACK_ID,
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId(
      logicalId,
      r.Type,
      names.get(logicalId),
      resolved.resources[logicalId].properties,
    ),
    ResourceType: r.Type,
    Timestamp: DEPLOYED.toISOString().replace('.000Z', '.000000+00:00'),
    ResourceStatus: 'CREATE_COMPLETE',
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  }));
const promised = engine.promisedState(doc, {
  ...ctx,
  resources: resources.map((r) => ({
    logicalId: r.LogicalResourceId,
    physicalId: r.PhysicalResourceId,
    type: r.ResourceType,
  })),
});

const secrets = { TenantExternalId: parameters.TenantExternalId };
const created = new Date(DEPLOYED.getTime() - 60_000);
const attachedTo = new Map();
for (const policy of promised.managedPolicies) {
  for (const role of policy.attachedTo.roles) attachedTo.set(role, [...(attachedTo.get(role) ?? []), policy]);
}
const roles = promised.roles.map((role) => ({
  Path: role.path,
  RoleName: role.name,
  RoleId: uniqueId('AROA', role.name),
  Arn: role.arn,
  CreateDate: cliDate(created),
  AssumeRolePolicyDocument: clear(role.trustPolicy, engine, secrets),
  InstanceProfileList: [],
  RolePolicyList: role.inlinePolicies.map((p) => ({
    PolicyName: p.name,
    PolicyDocument: clear(p.document, engine, secrets),
  })),
  AttachedManagedPolicies: [
    ...role.managedPolicyArns.map((a) => ({ PolicyName: a.arn.split('/').pop(), PolicyArn: a.arn })),
    ...(attachedTo.get(role.name) ?? [])
      .filter((p) => !role.managedPolicyArns.some((a) => a.arn === p.arn))
      .map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
  ],
  ...(role.permissionsBoundary === null
    ? {}
    : {
        PermissionsBoundary: {
          PermissionsBoundaryType: 'Policy',
          PermissionsBoundaryArn: role.permissionsBoundary,
        },
      }),
  Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
  RoleLastUsed: {},
}));

// Something in the account that is not the stack's: it must be left alone by the check.
roles.push({
  Path: '/',
  RoleName: 'acme-data-platform-etl',
  RoleId: uniqueId('AROA', 'acme-data-platform-etl'),
  Arn: `arn:aws:iam::${ACCOUNT}:role/acme-data-platform-etl`,
  CreateDate: cliDate(new Date('2025-03-18T16:40:12Z')),
  AssumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  },
  InstanceProfileList: [],
  RolePolicyList: [],
  AttachedManagedPolicies: [
    { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  ],
  Tags: [],
  RoleLastUsed: {},
});

const role = (logicalId) => {
  const name = promised.roles.find((r) => r.logicalId === logicalId).name;
  return roles.find((r) => r.RoleName === name);
};

// 1. The Tenant role's trust now also lets a second account in.
const tenantTrust = role('TenantRole').AssumeRolePolicyDocument.Statement[0];
tenantTrust.Principal.AWS = [tenantTrust.Principal.AWS, 'arn:aws:iam::444455556666:root'];
// 2. An administrator policy on the connector API role.
role('ConnectorApiRole').AttachedManagedPolicies.push({
  PolicyName: 'AdministratorAccess',
  PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
});
// 3. A "temporary" inline policy on the scanner's task role.
role('ScannerTaskRole').RolePolicyList.push({
  PolicyName: 'debug-read-everything',
  PolicyDocument: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Debugging', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' },
    ],
  },
});
// 4. The Installer role's permissions boundary removed.
delete role('InstallerRole').PermissionsBoundary;

const policyEntry = (arn, name, document, attachments, extra = {}) => ({
  PolicyName: name,
  PolicyId: uniqueId('ANPA', arn),
  Arn: arn,
  Path: '/',
  DefaultVersionId: 'v1',
  AttachmentCount: attachments,
  PermissionsBoundaryUsageCount: 0,
  IsAttachable: true,
  CreateDate: cliDate(created),
  UpdateDate: cliDate(created),
  PolicyVersionList: [
    { Document: document, VersionId: 'v1', IsDefaultVersion: true, CreateDate: cliDate(created) },
  ],
  ...extra,
});
const attachmentsOf = (arn) =>
  roles.filter((r) => r.AttachedManagedPolicies.some((a) => a.PolicyArn === arn)).length;
const boundaryArn = parameters.GlobalPermissionsBoundary;
const boundaryUsers = roles.filter((r) => r.PermissionsBoundary?.PermissionsBoundaryArn === boundaryArn);
const policies = [
  ...promised.managedPolicies.map((p) =>
    policyEntry(p.arn, p.name, clear(p.document, engine, secrets), attachmentsOf(p.arn)),
  ),
  policyEntry(
    boundaryArn,
    'acme-permissions-boundary',
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowWhatRolesAreGranted', Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'NoOrganizationOrAccountChanges',
          Effect: 'Deny',
          Action: ['organizations:*', 'account:*'],
          Resource: '*',
        },
      ],
    },
    0,
    { PermissionsBoundaryUsageCount: boundaryUsers.length },
  ),
  {
    ...policyEntry(
      'arn:aws:iam::aws:policy/AdministratorAccess',
      'AdministratorAccess',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      attachmentsOf('arn:aws:iam::aws:policy/AdministratorAccess'),
    ),
    PolicyId: 'ANPAIWMBCKSKIEE64ZLYK',
    CreateDate: '2015-02-06 18:39:46+00:00',
  },
];

// What `aws iam list-roles` prints: every role, with the maximum session duration the export
// lacks, and neither tags nor boundaries.
const sessionDurations = new Map(promised.roles.map((r) => [r.name, r.maxSessionDuration]));
const listRoles = {
  Roles: roles.map((r) => ({
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: r.CreateDate,
    AssumeRolePolicyDocument: r.AssumeRolePolicyDocument,
    MaxSessionDuration: sessionDurations.get(r.RoleName) ?? 3600,
  })),
};

const exportJson = {
  UserDetailList: [],
  GroupDetailList: [],
  RoleDetailList: roles,
  Policies: policies,
};
const write = (name, value) => writeFileSync(join(OUT, name), `${JSON.stringify(value, null, 4)}\n`);
write('account-authorization-details.json', exportJson);
write('list-roles.json', listRoles);
write('stack-resources.json', { StackResources: resources });
console.log(`wrote ${roles.length} roles and ${policies.length} policies; ${resources.length} stack resources`);
