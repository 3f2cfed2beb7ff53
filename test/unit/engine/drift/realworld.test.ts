/**
 * The drift check on the published vendor templates: with live IAM built to match each one,
 * nothing is reported as drift (what the template makes unknowable comes out as
 * check-incomplete naming its source); after one change of each kind, exactly that change is
 * found. Parameters come from the template engine's per-template files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkOffline } from '../../../../functions/engine/drift';
import type { Finding } from '../../../../functions/engine/drift/types';
import {
  parseTemplate,
  promisedState,
  resolveTemplate,
} from '../../../../functions/engine/template';
import type { PromisedIamState, PromisedRole } from '../../../../functions/engine/template/types';
import { isSecret, isUnknown } from '../../../../functions/engine/values';
import { describeWith, REALWORLD_DIR } from '../../../helpers/requirements';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STACK = 'rw';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/00000000-1111-2222-3333-444444444444`;
const PARAMS_DIR = resolve(__dirname, '../../../fixtures/template/realworld');
const DEPLOYED = '2026-01-01T00:10:00.000Z';

// biome-ignore lint/suspicious/noExplicitAny: exports are loose JSON that the mutations edit in place
type Json = Record<string, any>;

interface Case {
  file: string;
  templateText: string;
  parameters: Record<string, string>;
  resources: Json;
  promised: PromisedIamState;
}

function physicalId(logicalId: string, type: string, declared: unknown): string {
  const generated = `${STACK}-${logicalId}-7KX2M9`;
  const name = typeof declared === 'string' ? declared : generated;
  if (type === 'AWS::IAM::ManagedPolicy') return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
  if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
  if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
  if (type === 'AWS::KMS::Key') return '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  return name;
}

const NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
};

function load(file: string): Case {
  const templateText = readFileSync(resolve(REALWORLD_DIR, 'templates', file), 'utf8');
  const paramsPath = resolve(PARAMS_DIR, `${file}.parameters.json`);
  const parameters = existsSync(paramsPath) ? JSON.parse(readFileSync(paramsPath, 'utf8')) : {};
  const doc = parseTemplate(templateText, file);
  const ctx = {
    accountId: ACCOUNT,
    region: REGION,
    stackName: STACK,
    stackId: STACK_ID,
    parameters,
  };
  const resolved = resolveTemplate(doc, ctx);
  const list = Object.values(resolved.resources)
    .filter((r) => r.created === true)
    .map((r) => ({
      StackName: STACK,
      StackId: STACK_ID,
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: physicalId(
        r.logicalId,
        r.type,
        r.properties[NAME_PROPERTIES[r.type] ?? ''],
      ),
      ResourceType: r.type,
      Timestamp: DEPLOYED,
    }));
  const promised = promisedState(doc, {
    ...ctx,
    resources: list.map((r) => ({
      logicalId: r.LogicalResourceId,
      physicalId: r.PhysicalResourceId,
      type: r.ResourceType,
      lastUpdated: new Date(DEPLOYED),
    })),
  });
  return { file, templateText, parameters, resources: { StackResources: list }, promised };
}

/** A live document for a promised one: secrets in clear, unknowns as some concrete value. */
function live(value: unknown, parameters: Record<string, string>): unknown {
  if (isSecret(value)) return parameters[value.parameter] ?? 'no-clear-value-given';
  if (isUnknown(value)) return `resolved:${value.source}`;
  if (Array.isArray(value)) return value.map((v) => live(v, parameters));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, live(v, parameters)]));
  }
  return value;
}

/** The account export IAM would give for the stack as the template promises it. */
function exportFor(c: Case): Json {
  const attached = new Map<string, string[]>();
  for (const p of c.promised.managedPolicies) {
    for (const role of p.attachedTo.roles) {
      if (typeof role === 'string' && typeof p.arn === 'string')
        attached.set(role, [...(attached.get(role) ?? []), p.arn]);
    }
  }
  const roles = c.promised.roles
    .filter((r): r is PromisedRole & { name: string } => typeof r.name === 'string')
    .map((r) => ({
      Path: r.path,
      RoleName: r.name,
      RoleId: `AROA${r.logicalId.toUpperCase().slice(0, 16)}`,
      Arn: `arn:aws:iam::${ACCOUNT}:role${r.path}${r.name}`,
      CreateDate: '2026-01-01 00:05:00+00:00',
      MaxSessionDuration: r.maxSessionDuration,
      AssumeRolePolicyDocument: live(r.trustPolicy, c.parameters),
      RolePolicyList: r.inlinePolicies
        .filter((p) => typeof p.name === 'string')
        .map((p) => ({ PolicyName: p.name, PolicyDocument: live(p.document, c.parameters) })),
      AttachedManagedPolicies: [
        ...new Set([
          ...r.managedPolicyArns.map((a) =>
            typeof a.arn === 'string' ? a.arn : `arn:aws:iam::${ACCOUNT}:policy/resolved`,
          ),
          ...(attached.get(r.name) ?? []),
        ]),
      ].map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
      ...(typeof r.permissionsBoundary === 'string'
        ? {
            PermissionsBoundary: {
              PermissionsBoundaryType: 'Policy',
              PermissionsBoundaryArn: r.permissionsBoundary,
            },
          }
        : {}),
      Tags: Object.entries(r.tags).map(([Key, Value]) => ({
        Key,
        Value: live(Value, c.parameters),
      })),
    }));
  const policies = c.promised.managedPolicies
    .filter((p) => typeof p.arn === 'string')
    .map((p) => ({
      PolicyName: typeof p.name === 'string' ? p.name : 'resolved',
      Arn: p.arn,
      Path: p.path,
      DefaultVersionId: 'v1',
      AttachmentCount: roles.filter((r) =>
        r.AttachedManagedPolicies.some((a) => a.PolicyArn === p.arn),
      ).length,
      PolicyVersionList: [
        { VersionId: 'v1', IsDefaultVersion: true, Document: live(p.document, c.parameters) },
      ],
    }));
  return { UserDetailList: [], GroupDetailList: [], RoleDetailList: roles, Policies: policies };
}

function check(c: Case, snapshot: Json): Finding[] {
  return checkOffline({
    templateText: c.templateText,
    parameters: c.parameters,
    snapshot,
    resources: c.resources,
    account: ACCOUNT,
    region: REGION,
    now: new Date('2026-12-04T00:00:00Z'),
  }).findings;
}

/** The sources of every value the template leaves unknown, and what it could not expand. */
function unknowables(c: Case): string[] {
  const sources = new Set<string>();
  const walk = (v: unknown): void => {
    if (isUnknown(v)) sources.add(v.source);
    else if (isSecret(v)) sources.add(v.parameter);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(c.promised.roles);
  walk(c.promised.managedPolicies);
  for (const n of c.promised.notExpanded) sources.add(n.logicalId);
  return [...sources];
}

const templates = existsSync(resolve(REALWORLD_DIR, 'templates'))
  ? readdirSync(resolve(REALWORLD_DIR, 'templates')).sort()
  : [];

type Mutation = { kind: string; apply: (snapshot: Json, role: Json) => boolean };

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const MUTATIONS: Mutation[] = [
  {
    kind: 'trust-policy-changed',
    apply: (_, role) => {
      role.AssumeRolePolicyDocument.Statement = [
        ...[role.AssumeRolePolicyDocument.Statement].flat(),
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Action: 'sts:AssumeRole',
        },
      ];
      return true;
    },
  },
  {
    kind: 'inline-policy-added',
    apply: (_, role) => {
      role.RolePolicyList.push({
        PolicyName: 'drift-added',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' }],
        },
      });
      return true;
    },
  },
  {
    kind: 'inline-policy-changed',
    apply: (_, role) => {
      const policy = role.RolePolicyList[0];
      if (policy === undefined) return false;
      policy.PolicyDocument = {
        ...policy.PolicyDocument,
        Statement: [
          ...[policy.PolicyDocument.Statement].flat(),
          { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: '*' },
        ],
      };
      return true;
    },
  },
  {
    kind: 'inline-policy-removed',
    apply: (_, role) => role.RolePolicyList.splice(0, 1).length === 1,
  },
  {
    kind: 'managed-policy-attached',
    apply: (_, role) => {
      if (role.AttachedManagedPolicies.some((a: Json) => a.PolicyArn === ADMIN)) return false;
      role.AttachedManagedPolicies.push({ PolicyArn: ADMIN, PolicyName: 'AdministratorAccess' });
      return true;
    },
  },
  {
    kind: 'managed-policy-detached',
    apply: (_, role) => role.AttachedManagedPolicies.splice(0, 1).length === 1,
  },
  {
    kind: 'permissions-boundary-changed',
    apply: (_, role) => {
      if (role.PermissionsBoundary !== undefined) delete role.PermissionsBoundary;
      else
        role.PermissionsBoundary = {
          PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/added-boundary`,
        };
      return true;
    },
  },
  {
    kind: 'role-setting-changed',
    apply: (_, role) => {
      role.MaxSessionDuration = 43200;
      return true;
    },
  },
  {
    kind: 'role-recreated',
    apply: (_, role) => {
      role.CreateDate = '2026-06-01 12:00:00+00:00';
      role.RoleId = 'AROANEWLYCREATED0001';
      return true;
    },
  },
  {
    kind: 'managed-policy-changed',
    apply: (snapshot) => {
      const policy = snapshot.Policies[0];
      if (policy === undefined) return false;
      const version = policy.PolicyVersionList[0];
      version.Document = {
        ...version.Document,
        Statement: [
          ...[version.Document.Statement].flat(),
          { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: '*' },
        ],
      };
      return true;
    },
  },
  {
    kind: 'policy-attached-elsewhere',
    apply: (snapshot) => {
      const policy = snapshot.Policies[0];
      if (policy === undefined) return false;
      policy.AttachmentCount += 1;
      snapshot.UserDetailList.push({
        UserName: 'mallory',
        AttachedManagedPolicies: [{ PolicyArn: policy.Arn, PolicyName: policy.PolicyName }],
      });
      return true;
    },
  },
  {
    kind: 'role-missing',
    apply: (snapshot, role) => {
      snapshot.RoleDetailList = snapshot.RoleDetailList.filter((r: Json) => r !== role);
      return true;
    },
  },
];

function hasUnknownNames(role: PromisedRole): boolean {
  return (
    role.inlinePolicies.some((p) => isUnknown(p.name)) ||
    role.managedPolicyArns.some((a) => isUnknown(a.arn))
  );
}

/**
 * What a change must come out as. A policy added beside one the template names by a value only
 * known after deploy (a macro, a custom resource) may be that one: not checkable, not drift.
 */
function expectedKind(kind: string, role: PromisedRole): string {
  if (kind === 'inline-policy-added' && role.inlinePolicies.some((p) => isUnknown(p.name))) {
    return 'check-incomplete';
  }
  if (kind === 'managed-policy-attached' && role.managedPolicyArns.some((a) => isUnknown(a.arn))) {
    return 'check-incomplete';
  }
  return kind;
}

describeWith(['realworld'], 'drift check on the realworld templates', () => {
  it('has the templates and their parameter files', () => {
    expect(templates).toHaveLength(16);
  });

  describe.each(templates)('%s', (file) => {
    const c = load(file);
    const baseline = check(c, exportFor(c));
    const baselineIds = new Set(baseline.map((f) => f.id));
    const named = c.promised.roles.filter((r) => typeof r.name === 'string');
    const role = named.find((r) => !hasUnknownNames(r)) ?? named[0];

    it('reports no drift when live IAM matches, and names the source of whatever it could not check', () => {
      const sources = unknowables(c);

      expect(baseline.filter((f) => f.kind !== 'check-incomplete').map((f) => f.summary)).toEqual(
        [],
      );
      for (const f of baseline) {
        expect(
          sources.some((s) => f.summary.includes(s)) || /export|session duration/.test(f.summary),
        ).toBe(true);
      }
    });

    if (role === undefined) {
      it('promises no role in this account, so there is no change to find', () => {
        expect(c.promised.roles.filter((r) => typeof r.name === 'string')).toEqual([]);
      });
      return;
    }

    const mutated = (mutation: Mutation) => {
      const snapshot = exportFor(c);
      const target = snapshot.RoleDetailList.find((r: Json) => r.RoleName === role.name);
      return mutation.apply(snapshot, target) ? snapshot : null;
    };
    // Only the changes this role allows: one without inline policies cannot lose one.
    const applicable = MUTATIONS.filter((m) => mutated(m) !== null);

    it.each(applicable.map((m) => [m.kind, m] as const))(
      'finds exactly one %s after that change',
      (kind, mutation) => {
        const snapshot = mutated(mutation) as Json;

        const added = check(c, snapshot).filter((f) => !baselineIds.has(f.id));

        expect(added.map((f) => f.kind)).toEqual([expectedKind(kind, role)]);
      },
    );
  });
});
