import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationAdapter } from '../../../../functions/engine/aws/cloudformation';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import { runCheck } from '../../../../functions/engine/drift';
import { LIMITS, TemplateError } from '../../../../functions/engine/template';
import { ACCOUNT } from './builders';

// The drift guard reads the processed template of its stack, which macros may have made larger
// than any template a user may submit: it is held to the engine's memory ceiling instead.

const cfnMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/acme/0a1b2c3d-aaaa-bbbb-cccc-000000000000`;
const TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/** A processed template, JSON as CloudFormation writes it, of exactly `bytes` bytes. */
function processedTemplate(bytes: number): string {
  const shell = JSON.stringify({
    Metadata: { Expanded: '' },
    Resources: {
      Worker: {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: 'acme-worker', AssumeRolePolicyDocument: TRUST },
      },
    },
  });
  const filler = 'x'.repeat(bytes - Buffer.byteLength(shell));
  return shell.replace('"Expanded":""', `"Expanded":"${filler}"`);
}

function deps() {
  const local = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 };
  return {
    iam: new IamAdapter(new IAMClient(local)),
    cloudformation: new CloudFormationAdapter(new CloudFormationClient(local)),
    now: () => new Date('2026-12-04T10:00:00Z'),
  };
}

beforeEach(() => {
  cfnMock.reset();
  iamMock.reset();
  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackId: STACK_ID,
        StackName: 'acme',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-01-01T00:00:00Z'),
      },
    ],
  });
  cfnMock.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Worker',
        PhysicalResourceId: 'acme-worker',
        ResourceType: 'AWS::IAM::Role',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date('2026-01-01T00:05:00Z'),
      },
    ],
  });
  iamMock.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'acme-worker',
      RoleId: 'AROAEXAMPLE',
      Arn: `arn:aws:iam::${ACCOUNT}:role/acme-worker`,
      Path: '/',
      CreateDate: new Date('2026-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(TRUST)),
      MaxSessionDuration: 3600,
    },
  });
  iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
});

describe('runCheck on a processed template', () => {
  it('checks a stack whose processed template is larger than a user may submit', async () => {
    const text = processedTemplate(LIMITS.bytes * 3);
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: text });

    const report = await runCheck(deps(), { stack: 'acme' });

    expect(report.findings).toEqual([]);
    expect(report.coverage.checked).toEqual([
      { type: 'AWS::IAM::Role', logicalId: 'Worker', name: 'acme-worker' },
    ]);
  });

  it('refuses a processed template over the memory ceiling, naming the stack', async () => {
    const text = processedTemplate(LIMITS.processedBytes + 1);
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: text });

    const checking = runCheck(deps(), { stack: 'acme' });

    await expect(checking).rejects.toThrow(TemplateError);
    await expect(checking).rejects.toThrow(
      `stack acme: the processed template is ${LIMITS.processedBytes + 1} bytes, more than the ` +
        `${LIMITS.processedBytes} bytes this tool reads`,
    );
  });
});
