/**
 * A deployed connector stack for the handler and the CLI to check, served by mocked
 * CloudFormation, IAM and SNS clients from the example files: the demo export with
 * its four planted changes undone (in line with the template), which a test then changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createRunDeps } from '../../../functions/drift-guard/deps';
import { handle, type Services } from '../../../functions/drift-guard/handler';
import { sha256Hex } from '../../../functions/engine/values';
import { captureLog, MemoryTable } from '../engine/drift/run-builders';

// biome-ignore lint/suspicious/noExplicitAny: the export is free-form JSON that tests change
type Json = any;

export const ROOT = join(__dirname, '../../..');
const example = (name: string): Json =>
  JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8'));

export const PARAMETERS: { ParameterKey: string; ParameterValue: string }[] = example(
  'connector-parameters.json',
);
export const EXTERNAL_ID = PARAMETERS.find((p) => p.ParameterKey === 'TenantExternalId')
  ?.ParameterValue as string;
const TEMPLATE = readFileSync(join(ROOT, 'template/connector.yaml'), 'utf8');
const RESOURCES: Json[] = example('stack-resources.json').StackResources;
export const STACK_ID: string = RESOURCES[0].StackId;
const ROLES: Json[] = example('list-roles.json').Roles;

export const cfn = mockClient(CloudFormationClient);
export const iam = mockClient(IAMClient);
export const sns = mockClient(SNSClient);

export const ENV = {
  STACK_ID,
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:findings',
  STATE_TABLE: 'acme-connector-state',
  EXTERNAL_ID_SHA256: sha256Hex(EXTERNAL_ID),
  EXTERNAL_ID_FOLDED_SHA256: sha256Hex(EXTERNAL_ID.toLowerCase()),
  ALERT_MINIMUM_SEVERITY: 'MEDIUM',
  REMINDER_INTERVAL_HOURS: '24',
};

/** A role of the export by its name without the `acme-connector-` prefix. */
export function role(exported: Json, short: string): Json {
  return exported.RoleDetailList.find((r: Json) => r.RoleName === `acme-connector-${short}`);
}

/** The demo export with its four planted changes undone. */
export function cleanExport(): Json {
  const exported = example('account-authorization-details.json');
  const tenant = role(exported, 'tenant').AssumeRolePolicyDocument.Statement[0];
  tenant.Principal.AWS = 'arn:aws:iam::111122223333:root';
  const api = role(exported, 'api');
  api.AttachedManagedPolicies = api.AttachedManagedPolicies.filter(
    (a: Json) => !a.PolicyArn.endsWith('AdministratorAccess'),
  );
  const scanner = role(exported, 'scanner');
  scanner.RolePolicyList = scanner.RolePolicyList.filter(
    (p: Json) => p.PolicyName !== 'debug-read-everything',
  );
  role(exported, 'installer').PermissionsBoundary = {
    PermissionsBoundaryType: 'Policy',
    PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/acme-permissions-boundary',
  };
  return exported;
}

export interface World {
  status?: string;
  /** How documents come back from IAM: URL-encoded JSON unless a test says otherwise. */
  encode?: (document: unknown) => string;
}

const RAW = '$rawDocument';

/** Stands in a document's place in the export; IAM then returns `text` as the document. */
export function rawDocument(text: string): Json {
  return { [RAW]: text };
}

const urlEncoded = (document: Json) =>
  typeof document?.[RAW] === 'string'
    ? document[RAW]
    : encodeURIComponent(JSON.stringify(document));

/** Serves `exported` through the mocked clients, the stack in `status`. */
export function serve(exported: Json, world: World = {}): void {
  for (const client of [cfn, iam, sns]) client.reset();
  const parameters = PARAMETERS.map((p) =>
    p.ParameterKey === 'TenantExternalId' ? { ...p, ParameterValue: '****' } : p,
  );
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackId: STACK_ID,
        StackName: 'acme-connector',
        StackStatus: (world.status ?? 'UPDATE_COMPLETE') as never,
        CreationTime: new Date('2026-11-02T09:13:00Z'),
        Parameters: parameters,
        Tags: [],
      },
    ],
  });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
  cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: RESOURCES.map((r) => ({
      LogicalResourceId: r.LogicalResourceId,
      PhysicalResourceId: r.PhysicalResourceId,
      ResourceType: r.ResourceType,
      ResourceStatus: r.ResourceStatus,
      LastUpdatedTimestamp: new Date(r.Timestamp),
    })),
  });
  cfn.on(ListExportsCommand).resolves({ Exports: [] });
  serveIam(exported, world.encode ?? urlEncoded);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
}

function notFound(): Error {
  return Object.assign(new Error('not found'), {
    name: 'NoSuchEntityException',
    $metadata: { httpStatusCode: 404 },
  });
}

function serveIam(exported: Json, encode: (document: unknown) => string): void {
  const byName = (name: string) => {
    const found = exported.RoleDetailList.find((r: Json) => r.RoleName === name);
    if (found === undefined) throw notFound();
    return found;
  };
  const policy = (arn: string) => {
    const found = exported.Policies.find((p: Json) => p.Arn === arn);
    if (found === undefined) throw notFound();
    return found;
  };
  const duration = (name: string) =>
    ROLES.find((r) => r.RoleName === name)?.MaxSessionDuration ?? 3600;
  const version = (v: Json) => ({ ...v, CreateDate: new Date(v.CreateDate) });
  const dated = (p: Json) => ({
    ...p,
    CreateDate: new Date(p.CreateDate),
    UpdateDate: new Date(p.UpdateDate),
  });
  const liveRole = (r: Json) => ({
    ...r,
    CreateDate: new Date(r.CreateDate),
    AssumeRolePolicyDocument: encode(r.AssumeRolePolicyDocument),
    MaxSessionDuration: duration(r.RoleName),
  });

  iam.on(GetRoleCommand).callsFake((i) => ({ Role: liveRole(byName(i.RoleName)) }));
  iam.on(ListRolePoliciesCommand).callsFake((i) => ({
    PolicyNames: byName(i.RoleName).RolePolicyList.map((p: Json) => p.PolicyName),
  }));
  iam.on(GetRolePolicyCommand).callsFake((i) => {
    const found = byName(i.RoleName).RolePolicyList.find(
      (p: Json) => p.PolicyName === i.PolicyName,
    );
    if (found === undefined) throw notFound();
    return { ...i, PolicyDocument: encode(found.PolicyDocument) };
  });
  iam.on(ListAttachedRolePoliciesCommand).callsFake((i) => ({
    AttachedPolicies: byName(i.RoleName).AttachedManagedPolicies,
  }));
  iam.on(GetPolicyCommand).callsFake((i) => ({
    Policy: { ...dated(policy(i.PolicyArn)), PolicyVersionList: undefined },
  }));
  iam.on(GetPolicyVersionCommand).callsFake((i) => {
    const found = policy(i.PolicyArn).PolicyVersionList.find(
      (v: Json) => v.VersionId === i.VersionId,
    );
    if (found === undefined) throw notFound();
    return { PolicyVersion: { ...version(found), Document: encode(found.Document) } };
  });
  iam.on(ListPolicyVersionsCommand).callsFake((i) => ({
    Versions: policy(i.PolicyArn).PolicyVersionList.map((v: Json) => ({
      ...version(v),
      Document: undefined,
    })),
  }));
  iam.on(ListEntitiesForPolicyCommand).callsFake((i) => ({
    PolicyRoles: exported.RoleDetailList.filter((r: Json) =>
      r.AttachedManagedPolicies.some((a: Json) => a.PolicyArn === i.PolicyArn),
    ).map((r: Json) => ({ RoleName: r.RoleName, RoleId: r.RoleId })),
    PolicyUsers: [],
    PolicyGroups: [],
  }));
  iam.on(GetAccountSummaryCommand).resolves({
    SummaryMap: { Roles: exported.RoleDetailList.length, Policies: exported.Policies.length },
  });
  iam.on(GetAccountAuthorizationDetailsCommand).callsFake(() => ({
    RoleDetailList: exported.RoleDetailList.map((r: Json) => ({
      ...liveRole(r),
      RolePolicyList: r.RolePolicyList.map((p: Json) => ({
        ...p,
        PolicyDocument: encode(p.PolicyDocument),
      })),
    })),
    Policies: exported.Policies.map((p: Json) => ({
      ...dated(p),
      PolicyVersionList: p.PolicyVersionList.map((v: Json) => ({
        ...version(v),
        Document: encode(v.Document),
      })),
    })),
    IsTruncated: false,
  }));
  iam.on(ListRolesCommand).resolves({
    Roles: ROLES.map((r) => ({ ...r, CreateDate: new Date(r.CreateDate) })),
  });
}

export const CONTEXT = {
  awsRequestId: 'req-1',
  functionName: 'acme-connector-DriftGuardFunction-X',
  getRemainingTimeInMillis: () => 300_000,
};

const noTrail = {
  lookupByResourceName: async () => ({ events: [], requests: 1, truncated: false }),
};

/** Invokes the handler against the world served; everything that left it, as text too. */
export async function invoke(
  event: unknown,
  table = new MemoryTable(),
  requestId = 'req-1',
  env: NodeJS.ProcessEnv = ENV,
) {
  const captured = captureLog();
  const services: Services = {
    env,
    log: captured.log,
    // CloudTrail answers at once: the real adapter paces lookups at two a second.
    deps: (config, log) => ({ ...createRunDeps(config, log), db: table, trail: noTrail }),
  };
  let result: Json;
  let error: Error | undefined;
  try {
    result = await handle(event, { ...CONTEXT, awsRequestId: requestId }, services);
  } catch (thrown) {
    error = thrown as Error;
  }
  const messages = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  const everything = JSON.stringify({
    result,
    error: error && { message: error.message, stack: error.stack },
    messages,
    log: captured.entries,
  });
  return { result, error, messages, everything, log: captured };
}
