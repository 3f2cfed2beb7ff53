import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationAdapter,
  StackNotFoundError,
} from '../../../../functions/engine/aws/cloudformation';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import { checkOffline, isBusy, runCheck } from '../../../../functions/engine/drift';
import { parseExports, parseParameters } from '../../../../functions/engine/drift/offline-inputs';
import { InputError } from '../../../../functions/engine/errors';
import { clearSecrets, type Log } from '../../../../functions/engine/log';
import { sha256Hex } from '../../../../functions/engine/values';
import { ACCOUNT, allow, CANARY_EXTERNAL_ID, trustWith, VENDOR } from './builders';

const cfnMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/acme/0a1b2c3d-aaaa-bbbb-cccc-000000000000`;

const TEMPLATE = `
Parameters:
  VendorAccount: { Type: String }
  TenantExternalId: { Type: String, NoEcho: true }
Resources:
  Tenant:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${AWS::StackName}-tenant'
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub 'arn:aws:iam::\${VendorAccount}:root' }
            Action: sts:AssumeRole
            Condition: { StringEquals: { 'sts:ExternalId': !Ref TenantExternalId } }
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - { Effect: Allow, Action: s3:GetObject, Resource: '*' }
`;

function stack(status: StackStatus = 'UPDATE_COMPLETE'): Stack {
  return {
    StackId: STACK_ID,
    StackName: 'acme',
    StackStatus: status,
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    Parameters: [
      { ParameterKey: 'VendorAccount', ParameterValue: VENDOR },
      { ParameterKey: 'TenantExternalId', ParameterValue: '****' },
    ],
    Tags: [{ Key: 'cost-center', Value: '42' }],
  };
}

function deps(log?: Log) {
  return {
    iam: new IamAdapter(
      new IAMClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    ),
    cloudformation: new CloudFormationAdapter(
      new CloudFormationClient({
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9',
        maxAttempts: 1,
      }),
    ),
    now: () => new Date('2026-12-04T10:00:00Z'),
    log,
  };
}

function liveIam(trust: unknown) {
  iamMock.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'acme-tenant',
      RoleId: 'AROAEXAMPLE',
      Arn: `arn:aws:iam::${ACCOUNT}:role/acme-tenant`,
      Path: '/',
      CreateDate: new Date('2026-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
      MaxSessionDuration: 3600,
      Tags: [{ Key: 'cost-center', Value: '42' }],
      RoleLastUsed: undefined,
    },
  });
  iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['read'] });
  iamMock
    .on(GetRolePolicyCommand)
    .resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(allow('s3:GetObject'))) });
  iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
}

function capture(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string, fields?: unknown) => {
    lines.push(JSON.stringify({ message, fields }));
  };
  return { lines, debug: push, info: push, warn: push, error: push };
}

beforeEach(() => {
  cfnMock.reset();
  iamMock.reset();
  clearSecrets();
  cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
  cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE });
  cfnMock.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Tenant',
        PhysicalResourceId: 'acme-tenant',
        ResourceType: 'AWS::IAM::Role',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date('2026-01-01T00:05:00Z'),
      },
    ],
  });
});

describe('runCheck', () => {
  it('reads the stack, its processed template and resources, and finds nothing when IAM matches', async () => {
    liveIam(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`));

    const report = await runCheck(deps(), {
      stack: 'acme',
      externalIdSha256: sha256Hex(CANARY_EXTERNAL_ID),
    });

    expect(report).toEqual({
      stack: 'acme',
      account: ACCOUNT,
      region: 'eu-west-1',
      checkedAt: '2026-12-04T10:00:00.000Z',
      findings: [],
      coverage: {
        checked: [{ type: 'AWS::IAM::Role', logicalId: 'Tenant', name: 'acme-tenant' }],
        notChecked: [],
      },
    });
    expect(cfnMock).toHaveReceivedCommandWith(GetTemplateCommand, {
      StackName: STACK_ID,
      TemplateStage: 'Processed',
    });
    expect(cfnMock).not.toHaveReceivedCommand(ListExportsCommand);
  });

  it('reports a changed external ID as CRITICAL, and neither value reaches the report or the log', async () => {
    const other = 'someone-elses-external-id-1234567890abcdef';
    liveIam(trustWith(other, `arn:aws:iam::${VENDOR}:root`));
    const log = capture();

    const report = await runCheck(deps(log), {
      stack: 'acme',
      externalIdSha256: sha256Hex(CANARY_EXTERNAL_ID),
    });

    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      kind: 'trust-policy-changed',
      severity: 'CRITICAL',
      actor: null,
    });
    const everything = JSON.stringify(report) + log.lines.join('\n');
    expect(everything).not.toContain(other);
    expect(everything).not.toContain(CANARY_EXTERNAL_ID);
    expect(log.lines.some((l) => l.includes('"kind":"trust-policy-changed"'))).toBe(true);
  });

  it('compares the external ID by the digest of a clear value supplied, without keeping it', async () => {
    liveIam(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`));

    const report = await runCheck(deps(), {
      stack: 'acme',
      secretValues: { TenantExternalId: CANARY_EXTERNAL_ID, VendorAccount: VENDOR },
    });

    expect(report.findings).toEqual([]);
  });

  it('refuses a clear value for a parameter the template does not declare, naming the likely one', async () => {
    liveIam(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`));

    const checked = runCheck(deps(), {
      stack: 'acme',
      secretValues: { TenantExternalID: CANARY_EXTERNAL_ID },
      secretValuesSource: '--params p.json',
    });

    await expect(checked).rejects.toThrow(
      '--params p.json: expected only parameters the template declares, received ' +
        'TenantExternalID (did you mean TenantExternalId?)',
    );
  });

  it('leaves the external ID check-incomplete, not drift, without a digest', async () => {
    liveIam(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`));

    const report = await runCheck(deps(), { stack: 'acme' });

    expect(report.findings.map((f) => f.kind)).toEqual(['check-incomplete']);
    expect(report.findings[0]?.summary).toContain('TenantExternalId');
  });

  it.each([
    'CREATE_IN_PROGRESS',
    'UPDATE_IN_PROGRESS',
    'UPDATE_ROLLBACK_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'DELETE_IN_PROGRESS',
    'IMPORT_IN_PROGRESS',
    'REVIEW_IN_PROGRESS',
    'ROLLBACK_COMPLETE',
  ])('skips a stack in %s with the reason, reading nothing else', async (status) => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [stack(status as StackStatus)] });

    const report = await runCheck(deps(), { stack: 'acme' });

    expect(report.skipped).toEqual({
      stackStatus: status,
      reason: expect.stringContaining(status),
    });
    expect(report.findings).toEqual([]);
    expect(cfnMock).not.toHaveReceivedCommand(GetTemplateCommand);
    expect(iamMock).not.toHaveReceivedAnyCommand();
  });

  it('throws StackNotFoundError naming the stack when it does not exist', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }),
      );

    await expect(runCheck(deps(), { stack: 'nope' })).rejects.toThrow(StackNotFoundError);
    await expect(runCheck(deps(), { stack: 'nope' })).rejects.toThrow('Stack "nope"');
  });

  it('reads the exports only when the template imports a value', async () => {
    cfnMock.on(GetTemplateCommand).resolves({
      TemplateBody: TEMPLATE.replace("Resource: '*'", 'Resource: !ImportValue shared-bucket-arn'),
    });
    cfnMock
      .on(ListExportsCommand)
      .resolves({ Exports: [{ Name: 'shared-bucket-arn', Value: '*' }] });
    liveIam(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`));

    const report = await runCheck(deps(), {
      stack: 'acme',
      externalIdSha256: sha256Hex(CANARY_EXTERNAL_ID),
    });

    expect(cfnMock).toHaveReceivedCommand(ListExportsCommand);
    expect(report.findings).toEqual([]);
  });
});

describe('isBusy', () => {
  it.each([
    ['UPDATE_COMPLETE', false],
    ['CREATE_COMPLETE', false],
    ['UPDATE_ROLLBACK_COMPLETE', false],
    ['IMPORT_COMPLETE', false],
    ['UPDATE_IN_PROGRESS', true],
    ['IMPORT_ROLLBACK_IN_PROGRESS', true],
    ['REVIEW_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_FAILED', false],
    ['DELETE_FAILED', false],
  ])('%s is busy: %s', (status, busy) => {
    expect(isBusy(status)).toBe(busy);
  });
});

describe('checkOffline', () => {
  const snapshot = (trust: unknown) => ({
    RoleDetailList: [
      {
        RoleName: 'acme-tenant',
        Arn: `arn:aws:iam::${ACCOUNT}:role/acme-tenant`,
        Path: '/',
        AssumeRolePolicyDocument: trust,
        RolePolicyList: [{ PolicyName: 'read', PolicyDocument: allow('s3:GetObject') }],
        AttachedManagedPolicies: [],
        MaxSessionDuration: 3600,
      },
    ],
    Policies: [],
  });

  it('checks a template against an export, with the account taken from the export', () => {
    const report = checkOffline({
      templateText: TEMPLATE,
      parameters: [
        { ParameterKey: 'VendorAccount', ParameterValue: VENDOR },
        { ParameterKey: 'TenantExternalId', ParameterValue: CANARY_EXTERNAL_ID },
      ],
      snapshot: snapshot(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`)),
      stackName: 'acme',
      region: 'eu-west-1',
      now: new Date('2026-12-04T10:00:00Z'),
    });

    expect(report).toMatchObject({ stack: 'acme', account: ACCOUNT, findings: [] });
  });

  it('finds a widened trust from the same export once a principal is added', () => {
    const report = checkOffline({
      templateText: TEMPLATE,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: snapshot(
        trustWith(CANARY_EXTERNAL_ID, [
          `arn:aws:iam::${VENDOR}:root`,
          'arn:aws:iam::444455556666:root',
        ]),
      ),
      stackName: 'acme',
      region: 'eu-west-1',
    });

    expect(report.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['trust-policy-changed', 'CRITICAL'],
    ]);
    expect(JSON.stringify(report)).not.toContain(CANARY_EXTERNAL_ID);
  });

  it('uses describe-stack-resources output for the stack name and last-updated times', () => {
    const report = checkOffline({
      templateText: TEMPLATE,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: {
        ...snapshot(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`)),
        RoleDetailList: [
          {
            ...snapshot(null).RoleDetailList[0],
            AssumeRolePolicyDocument: trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`),
            CreateDate: '2026-06-01 00:00:00+00:00',
          },
        ],
      },
      resources: {
        StackResources: [
          {
            StackName: 'acme',
            StackId: STACK_ID,
            LogicalResourceId: 'Tenant',
            PhysicalResourceId: 'acme-tenant',
            ResourceType: 'AWS::IAM::Role',
            Timestamp: '2026-01-01T00:05:00.000000+00:00',
          },
        ],
      },
    });

    expect(report.stack).toBe('acme');
    expect(report.findings.map((f) => f.kind)).toEqual(['role-recreated']);
  });

  it('resolves an imported value from list-exports output', () => {
    const imported = TEMPLATE.replace("Resource: '*'", 'Resource: !ImportValue shared-bucket-arn');
    const input = {
      templateText: imported,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: snapshot(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`)),
      stackName: 'acme',
      region: 'eu-west-1',
    };

    const without = checkOffline(input);
    const withExports = checkOffline({
      ...input,
      exports: { Exports: [{ Name: 'shared-bucket-arn', Value: '*' }] },
    });

    expect(without.findings.map((f) => f.kind)).toEqual(['check-incomplete']);
    expect(without.findings[0]?.summary).toContain('shared-bucket-arn');
    expect(withExports.findings).toEqual([]);
  });

  it('takes the account and region from the stack ID of the resources', () => {
    const report = checkOffline({
      templateText: TEMPLATE,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: { ...snapshot(null), RoleDetailList: [] },
      resources: {
        StackResources: [
          {
            StackName: 'acme',
            StackId: STACK_ID,
            LogicalResourceId: 'Tenant',
            ResourceType: 'AWS::IAM::Role',
          },
        ],
      },
      defaultRegion: 'us-west-2',
    });

    expect(report).toMatchObject({ stack: 'acme', account: ACCOUNT, region: 'eu-west-1' });
  });

  it.each([
    [{}, "stack name (--stack-name): expected the stack's name"],
    [{ stackName: 'acme' }, "region (--region): expected the stack's region"],
    [{ stackName: 'acme', region: 'eu-west-1', account: '12345' }, 'received "12345"'],
  ])('refuses to guess what the inputs do not name (%j)', (given, message) => {
    const check = () =>
      checkOffline({
        templateText: TEMPLATE,
        parameters: { VendorAccount: VENDOR },
        snapshot: snapshot(null),
        ...given,
      });

    expect(check).toThrow(InputError);
    expect(check).toThrow(message);
  });

  it('refuses a region or account that contradicts the stack ID of the resources', () => {
    const resources = {
      StackResources: [
        {
          StackName: 'acme',
          StackId: STACK_ID,
          LogicalResourceId: 'Tenant',
          ResourceType: 'AWS::IAM::Role',
        },
      ],
    };
    const check = (given: { region?: string; account?: string }) => () =>
      checkOffline({
        templateText: TEMPLATE,
        parameters: { VendorAccount: VENDOR },
        snapshot: snapshot(null),
        resources,
        ...given,
      });

    expect(check({ region: 'us-east-1' })).toThrow(
      /region \(--region\): received "us-east-1", but the stack ID .* names eu-west-1/,
    );
    expect(check({ account: '999999999999' })).toThrow(/names 123456789012; they must agree/);
  });

  it('does not take the roles of an export filtered to leave them out for missing', () => {
    const base = {
      templateText: TEMPLATE,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      stackName: 'acme',
      account: ACCOUNT,
      region: 'eu-west-1',
    };
    const { RoleDetailList: _roles, ...policiesOnly } = snapshot(null);

    const report = checkOffline({ ...base, snapshot: policiesOnly });

    expect(report.findings.map((f) => [f.kind, f.resource.logicalId])).toEqual([
      ['check-incomplete', 'Tenant'],
    ]);
    expect(report.findings[0]?.summary).toContain('lists no roles');
    expect(report.coverage.notChecked.map((n) => n.resource.logicalId)).toEqual(['Tenant']);
  });

  it('lists the IAM resources it does not compare as not checked, unless not created', () => {
    const withUsers = `${TEMPLATE}
  Operators:
    Type: AWS::IAM::Group
  OperatorsPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: operate
      Groups: [!Ref Operators]
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: 'ec2:*', Resource: '*' }] }
  Profile:
    Type: AWS::IAM::InstanceProfile
    Condition: Never
    Properties: { Roles: [!Ref Tenant] }
Conditions:
  Never: !Equals [a, b]
`;

    const report = checkOffline({
      templateText: withUsers,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: snapshot(trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`)),
      stackName: 'acme',
      region: 'eu-west-1',
    });

    expect(report.findings).toEqual([]);
    expect(report.coverage.notChecked).toEqual([
      {
        resource: { type: 'AWS::IAM::Group', logicalId: 'Operators', name: null },
        reason: expect.stringContaining('IAM groups and their policies are not compared'),
      },
      {
        resource: { type: 'AWS::IAM::Policy', logicalId: 'OperatorsPolicy', name: null },
        reason: 'its grants to users and groups are not compared (its grants to roles are)',
      },
    ]);
  });

  it('refuses a parameter the template does not declare, naming the one it likely meant', () => {
    const check = () =>
      checkOffline({
        templateText: TEMPLATE,
        parameters: { VendorAccount: VENDOR, TenantExternalID: CANARY_EXTERNAL_ID },
        snapshot: snapshot(null),
        stackName: 'acme',
        region: 'eu-west-1',
        sources: { parameters: '--params params.json' },
      });

    expect(check).toThrow(InputError);
    expect(check).toThrow(
      '--params params.json: expected only parameters the template declares, received ' +
        'TenantExternalID (did you mean TenantExternalId?)',
    );
  });

  it('takes the session durations the export lacks from list-roles output', () => {
    const { MaxSessionDuration: _, ...withoutDuration } = snapshot(null).RoleDetailList[0] as {
      MaxSessionDuration: number;
    };
    const base = {
      templateText: TEMPLATE,
      parameters: { VendorAccount: VENDOR, TenantExternalId: CANARY_EXTERNAL_ID },
      snapshot: {
        ...snapshot(null),
        RoleDetailList: [
          {
            ...withoutDuration,
            AssumeRolePolicyDocument: trustWith(CANARY_EXTERNAL_ID, `arn:aws:iam::${VENDOR}:root`),
          },
        ],
      },
      stackName: 'acme',
      region: 'eu-west-1',
    };
    const roles = (seconds: number) => ({
      Roles: [{ RoleName: 'acme-tenant', MaxSessionDuration: seconds }],
    });

    const without = checkOffline(base);
    const inLine = checkOffline({ ...base, roles: roles(3600) });
    const raised = checkOffline({ ...base, roles: roles(43200) });

    expect(without.findings.map((f) => [f.kind, f.resource.name])).toEqual([
      ['check-incomplete', 'acme-tenant'],
    ]);
    expect(inLine.findings).toEqual([]);
    expect(raised.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['role-setting-changed', 'MEDIUM'],
    ]);
  });

  it('rejects exports entries that are not {Name, Value}, naming the entry', () => {
    expect(() => parseExports({ Exports: [{ Name: 'a', Value: 'b' }, 7] }, 'exports.json')).toThrow(
      'exports.json.Exports[1]: expected {"Name", "Value"}',
    );
    expect(parseExports([{ Name: 'a', Value: 'b' }], 'exports.json')).toEqual({ a: 'b' });
  });

  it('rejects parameters that are neither a list nor a map, naming the file', () => {
    expect(() => parseParameters('x', 'params.json')).toThrow(InputError);
    expect(() => parseParameters([{ Key: 'a' }], 'params.json')).toThrow(
      'params.json[0]: expected {"ParameterKey", "ParameterValue"}',
    );
    expect(() => parseParameters({ A: { nested: true } }, 'params.json')).toThrow(
      'params.json.A: expected a string',
    );
  });
});
