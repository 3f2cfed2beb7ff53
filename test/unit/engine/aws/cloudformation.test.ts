import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationAdapter,
  StackNotFoundError,
} from '../../../../functions/engine/aws/cloudformation';

const cfnMock = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws-us-gov:cloudformation:us-gov-west-1:123456789012:stack/acme/0a1b';

function adapter() {
  return new CloudFormationAdapter(
    new CloudFormationClient({ region: 'us-gov-west-1', endpoint: 'http://127.0.0.1:9' }),
  );
}

beforeEach(() => {
  cfnMock.reset();
});

describe('CloudFormationAdapter', () => {
  it('describes a stack with account, region and partition from its ID', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'acme',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          Parameters: [
            { ParameterKey: 'Plain', ParameterValue: 'a' },
            { ParameterKey: 'FromSsm', ParameterValue: '/path', ResolvedValue: 'resolved' },
            { ParameterKey: 'Secret', ParameterValue: '****' },
          ],
          Tags: [{ Key: 'team', Value: 'vendor' }],
        },
      ],
    });

    const stack = await adapter().describeStack('acme');

    expect(stack).toMatchObject({
      stackId: STACK_ID,
      account: '123456789012',
      region: 'us-gov-west-1',
      partition: 'aws-us-gov',
      status: 'UPDATE_COMPLETE',
      parameters: { Plain: 'a', FromSsm: 'resolved', Secret: '****' },
      tags: { team: 'vendor' },
    });
  });

  it('says which stack was not found', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id gone does not exist'), { name: 'ValidationError' }),
      );

    await expect(adapter().describeStack('gone')).rejects.toThrow(StackNotFoundError);
    await expect(adapter().describeStack('gone')).rejects.toThrow(
      'Stack "gone": expected an existing CloudFormation stack in region us-gov-west-1 of the ' +
        'account of the credentials used, and DescribeStacks found none there',
    );
  });

  it('names the account searched when the stack is given by its ID', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack does not exist'), { name: 'ValidationError' }));

    await expect(adapter().describeStack(STACK_ID)).rejects.toThrow(
      'in region us-gov-west-1 of account 123456789012, and DescribeStacks found none there',
    );
  });

  it('asks for the processed template', async () => {
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'Resources: {}' });

    const text = await adapter().getProcessedTemplate(STACK_ID);

    expect(text).toBe('Resources: {}');
    expect(cfnMock).toHaveReceivedCommandWith(GetTemplateCommand, {
      StackName: STACK_ID,
      TemplateStage: 'Processed',
    });
  });

  it('follows every page of resources and exports', async () => {
    cfnMock
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [
          {
            LogicalResourceId: 'A',
            PhysicalResourceId: 'a',
            ResourceType: 'AWS::IAM::Role',
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: new Date('2026-01-01T00:00:00Z'),
          },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        StackResourceSummaries: [
          {
            LogicalResourceId: 'B',
            PhysicalResourceId: 'b',
            ResourceType: 'AWS::SNS::Topic',
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: undefined,
          },
        ],
      });
    cfnMock
      .on(ListExportsCommand)
      .resolvesOnce({ Exports: [{ Name: 'x', Value: '1' }], NextToken: 'n' })
      .resolvesOnce({ Exports: [{ Name: 'y', Value: '2' }] });
    const cfn = adapter();

    const resources = await cfn.listStackResources(STACK_ID);
    const exports = await cfn.listExports();

    expect(resources.map((r) => r.logicalId)).toEqual(['A', 'B']);
    expect(resources[0]?.lastUpdated?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(exports).toEqual({ x: '1', y: '2' });
    expect(cfn.calls.get('ListStackResources')).toBe(2);
  });
});
