import { isUnknown } from '../../../../functions/engine/values';
import { ACCOUNT, resolveTree } from './builders';

const P = 'arn:aws';
const R = `us-east-1:${ACCOUNT}`;

/** Resolves Ref or GetAtt of one resource declared with `properties`. */
function resolvedOf(
  type: string,
  properties: Record<string, unknown>,
  expression: unknown,
  physicalId?: string,
) {
  return resolveTree(
    expression,
    { Resources: { Target: { Type: type, Properties: properties } } },
    physicalId === undefined ? {} : { resources: [{ logicalId: 'Target', physicalId, type }] },
  );
}

const ref = { Ref: 'Target' };
const att = (name: string) => ({ 'Fn::GetAtt': ['Target', name] });

describe('Ref and Fn::GetAtt by resource type', () => {
  it.each([
    [
      'AWS::IAM::User',
      { UserName: 'ops', Path: '/people/' },
      att('Arn'),
      `${P}:iam::${ACCOUNT}:user/people/ops`,
    ],
    ['AWS::IAM::Group', { GroupName: 'admins' }, att('Arn'), `${P}:iam::${ACCOUNT}:group/admins`],
    [
      'AWS::IAM::InstanceProfile',
      { InstanceProfileName: 'ec2' },
      att('Arn'),
      `${P}:iam::${ACCOUNT}:instance-profile/ec2`,
    ],
    [
      'AWS::IAM::ManagedPolicy',
      { ManagedPolicyName: 'read', PolicyDocument: { Statement: [] } },
      att('PolicyArn'),
      `${P}:iam::${ACCOUNT}:policy/read`,
    ],
    ['AWS::SNS::Topic', { TopicName: 'alerts' }, ref, `${P}:sns:${R}:alerts`],
    ['AWS::SNS::Topic', { TopicName: 'alerts' }, att('TopicName'), 'alerts'],
    ['AWS::SQS::Queue', { QueueName: 'jobs.fifo' }, att('QueueName'), 'jobs.fifo'],
    [
      'AWS::SQS::Queue',
      { QueueName: 'jobs' },
      att('QueueUrl'),
      `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs`,
    ],
    ['AWS::Lambda::Function', { FunctionName: 'worker' }, ref, 'worker'],
    [
      'AWS::Serverless::Function',
      { FunctionName: 'worker' },
      att('Arn'),
      `${P}:lambda:${R}:function:worker`,
    ],
    ['AWS::S3::Bucket', { BucketName: 'data' }, att('DomainName'), 'data.s3.amazonaws.com'],
    [
      'AWS::S3::Bucket',
      { BucketName: 'data' },
      att('RegionalDomainName'),
      'data.s3.us-east-1.amazonaws.com',
    ],
    ['AWS::KMS::Alias', { AliasName: 'alias/app' }, ref, 'alias/app'],
    ['AWS::DynamoDB::Table', { TableName: 'state' }, att('Arn'), `${P}:dynamodb:${R}:table/state`],
    [
      'AWS::Logs::LogGroup',
      { LogGroupName: '/app' },
      att('Arn'),
      `${P}:logs:${R}:log-group:/app:*`,
    ],
    [
      'AWS::StepFunctions::StateMachine',
      { StateMachineName: 'flow' },
      ref,
      `${P}:states:${R}:stateMachine:flow`,
    ],
    ['AWS::StepFunctions::StateMachine', { StateMachineName: 'flow' }, att('Name'), 'flow'],
    ['AWS::SSM::Parameter', { Name: '/connector/x' }, ref, '/connector/x'],
    ['AWS::Events::EventBus', { Name: 'bus' }, att('Arn'), `${P}:events:${R}:event-bus/bus`],
  ])('%s %j gives %j -> %s', (type, properties, expression, expected) => {
    expect(resolvedOf(type, properties, expression)).toBe(expected);
  });

  it('reads the bare name of a topic and a queue from the physical ID the stack reports', () => {
    const topic = resolvedOf(
      'AWS::SNS::Topic',
      {},
      att('TopicName'),
      `${P}:sns:${R}:connector-Topic-1AB`,
    );
    const queue = resolvedOf(
      'AWS::SQS::Queue',
      {},
      att('Arn'),
      `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/connector-Q-9`,
    );

    expect([topic, queue]).toEqual(['connector-Topic-1AB', `${P}:sqs:${R}:connector-Q-9`]);
  });

  it('leaves the attributes of a type it has no rule for unknown, naming type and attribute', () => {
    const value = resolvedOf(
      'AWS::RDS::DBCluster',
      { DBClusterIdentifier: 'db' },
      att('Endpoint.Address'),
    );

    expect(isUnknown(value) && value.source).toBe('AWS::RDS::DBCluster.Endpoint.Address');
  });

  it('leaves a KMS key ARN unknown without the key ID the stack reports', () => {
    const value = resolvedOf('AWS::KMS::Key', {}, att('Arn'));

    expect(isUnknown(value) && value.source).toBe('Ref Target');
  });
});
