/**
 * What `Ref` and `Fn::GetAtt` return for the resource types whose values matter to IAM, built
 * from a resource's physical ID the way the services build them. A type or attribute not listed
 * here is known only after deploy: the resolver makes it an `UnknownValue`, never a guess.
 */
import type { Part } from './compose';

/** The stack's pseudo values a rule may use; unknown for a StackSet's member accounts. */
export interface Env {
  partition: Part;
  region: Part;
  accountId: Part;
  urlSuffix: Part;
}

/** Reads one resolved property of the resource; undefined when absent. */
export type PropertyReader = (name: string) => unknown;

type Build = (physicalId: Part, env: Env, property: PropertyReader) => Part[] | null;

export interface TypeRule {
  /** The property that names the resource; CloudFormation generates a name without it. */
  nameProperty?: string;
  /** Ref from the resource's name, when Ref is not the name itself. */
  refFromName?: (name: Part, env: Env, property: PropertyReader) => Part[];
  /** Attributes built from the physical ID (what Ref returns); others are unknown. */
  attributes?: Record<string, Build>;
  /** When set, every attribute the type has; any other is an error in the template. */
  allAttributes?: string[];
}

function pathOf(property: PropertyReader): Part {
  const path = property('Path');
  return typeof path === 'string' || (typeof path === 'object' && path !== null)
    ? (path as Part)
    : '/';
}

/** Last segment of a physical ID that is an ARN or URL, for rules that need the bare name. */
function lastSegment(id: Part, separator: string): Part {
  if (typeof id !== 'string') return id;
  const at = id.lastIndexOf(separator);
  return at < 0 ? id : id.slice(at + 1);
}

const iamArn =
  (kind: string): Build =>
  (id, env, property) => [
    'arn:',
    env.partition,
    ':iam::',
    env.accountId,
    `:${kind}`,
    pathOf(property),
    id,
  ];

export const TYPE_RULES: Record<string, TypeRule> = {
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    attributes: { Arn: iamArn('role') },
    allAttributes: ['Arn', 'RoleId'],
  },
  'AWS::IAM::User': { nameProperty: 'UserName', attributes: { Arn: iamArn('user') } },
  'AWS::IAM::Group': { nameProperty: 'GroupName', attributes: { Arn: iamArn('group') } },
  'AWS::IAM::InstanceProfile': {
    nameProperty: 'InstanceProfileName',
    attributes: { Arn: iamArn('instance-profile') },
    allAttributes: ['Arn'],
  },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    refFromName: (name, env, property) => [
      'arn:',
      env.partition,
      ':iam::',
      env.accountId,
      ':policy',
      pathOf(property),
      name,
    ],
    attributes: { PolicyArn: (id) => [id] },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    refFromName: (name, env) => [
      'arn:',
      env.partition,
      ':sns:',
      env.region,
      ':',
      env.accountId,
      ':',
      name,
    ],
    attributes: {
      TopicArn: (id) => [id],
      TopicName: (id) => [lastSegment(id, ':')],
    },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    refFromName: (name, env) => [
      'https://sqs.',
      env.region,
      '.',
      env.urlSuffix,
      '/',
      env.accountId,
      '/',
      name,
    ],
    attributes: {
      QueueUrl: (id) => [id],
      QueueName: (id) => [lastSegment(id, '/')],
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':sqs:',
        env.region,
        ':',
        env.accountId,
        ':',
        lastSegment(id, '/'),
      ],
    },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':lambda:',
        env.region,
        ':',
        env.accountId,
        ':function:',
        id,
      ],
    },
  },
  'AWS::Serverless::Function': {
    nameProperty: 'FunctionName',
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':lambda:',
        env.region,
        ':',
        env.accountId,
        ':function:',
        id,
      ],
    },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    attributes: {
      Arn: (id, env) => ['arn:', env.partition, ':s3:::', id],
      DomainName: (id, env) => [id, '.s3.', env.urlSuffix],
      RegionalDomainName: (id, env) => [id, '.s3.', env.region, '.', env.urlSuffix],
    },
  },
  'AWS::KMS::Key': {
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':kms:',
        env.region,
        ':',
        env.accountId,
        ':key/',
        id,
      ],
      KeyId: (id) => [id],
    },
  },
  'AWS::KMS::Alias': { nameProperty: 'AliasName' },
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':dynamodb:',
        env.region,
        ':',
        env.accountId,
        ':table/',
        id,
      ],
    },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':logs:',
        env.region,
        ':',
        env.accountId,
        ':log-group:',
        id,
        ':*',
      ],
    },
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    refFromName: (name, env) => [
      'arn:',
      env.partition,
      ':states:',
      env.region,
      ':',
      env.accountId,
      ':stateMachine:',
      name,
    ],
    attributes: { Arn: (id) => [id], Name: (id) => [lastSegment(id, ':')] },
  },
  'AWS::SSM::Parameter': { nameProperty: 'Name' },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    attributes: {
      Arn: (id, env) => [
        'arn:',
        env.partition,
        ':events:',
        env.region,
        ':',
        env.accountId,
        ':event-bus/',
        id,
      ],
      Name: (id) => [id],
    },
  },
};

/** Whether CloudFormation lets a template name this resource's physical ID itself. */
export function nameProperty(type: string): string | undefined {
  return TYPE_RULES[type]?.nameProperty;
}
