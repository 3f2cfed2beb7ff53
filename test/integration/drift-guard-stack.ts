/**
 * A small connector-like stack in moto for the drift-guard suites: a Tenant role trusted by a
 * vendor account under a NoEcho external ID, with one inline policy, and a Scanner role with
 * one customer managed policy; a findings topic delivering raw to an SQS queue; and the state
 * table. moto's CloudFormation keeps the stack's metadata only (it writes inline policies as
 * Python text and attaches no managed policies), so the live IAM state is set with IAM calls.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { sha256Hex } from '../../functions/engine/values';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STACK = 'guard-it';
export const TENANT = 'guard-it-tenant';
const VENDOR = '111111111111';
const TABLE = 'guard-it-state';

function trust(externalId: unknown, extra: object[] = []) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${VENDOR}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
      ...extra,
    ],
  };
}

const LIST_BACKUPS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'backup:ListBackupVaults', Resource: '*' }],
};

const ADMIN = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

const TEMPLATE = JSON.stringify({
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: { TenantExternalId: { Type: 'String', NoEcho: true } },
  Resources: {
    TenantRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: TENANT,
        AssumeRolePolicyDocument: trust({ Ref: 'TenantExternalId' }),
        Policies: [{ PolicyName: 'list-backups', PolicyDocument: LIST_BACKUPS }],
      },
    },
    ScannerRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'guard-it-scanner',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ecs-tasks.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        ManagedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/guard-it-scan`],
      },
    },
  },
});

export interface GuardStack {
  /** The drift guard's environment for this stack, as the template would set it. */
  env: Record<string, string>;
  /** Adds a stranger to the Tenant trust and an admin inline policy to the Tenant role. */
  widenTheTenant(): Promise<void>;
  /** Puts the Tenant role back as the template promises. */
  restoreTheTenant(): Promise<void>;
  /** Every message the queue holds, removed from it by reading. */
  drain(): Promise<Message[]>;
  /** Sort keys of every item in the state table. */
  stateKeys(): Promise<string[]>;
}

/** Creates the stack, its topic, queue and table in moto, with the external ID given. */
export async function createGuardStack(endpoint: string, externalId: string): Promise<GuardStack> {
  const config = { endpoint, region: REGION };
  const iam = new IAMClient(config);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const ddb = new DynamoDBClient(config);

  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'findings-inbox' })))
    .QueueUrl as string;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'guard-it-findings' })))
    .TopicArn as string;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'guard-it-scan',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::scan-inbox/*' },
        ],
      }),
    }),
  );
  const stack = await new CloudFormationClient(config).send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateBody: TEMPLATE,
      Parameters: [{ ParameterKey: 'TenantExternalId', ParameterValue: externalId }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );

  const setTrust = (extra: object[] = []) =>
    iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: TENANT,
        PolicyDocument: JSON.stringify(trust(externalId, extra)),
      }),
    );
  await setTrust();
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: TENANT,
      PolicyName: 'list-backups',
      PolicyDocument: JSON.stringify(LIST_BACKUPS),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: 'guard-it-scanner',
      PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/guard-it-scan`,
    }),
  );

  return {
    env: {
      STACK_ID: stack.StackId as string,
      TOPIC_ARN: topicArn,
      STATE_TABLE: TABLE,
      EXTERNAL_ID_SHA256: sha256Hex(externalId),
      ALERT_MINIMUM_SEVERITY: 'MEDIUM',
      REMINDER_INTERVAL_HOURS: '24',
    },
    async widenTheTenant() {
      const stranger = {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999999999999:root' },
        Action: 'sts:AssumeRole',
      };
      await setTrust([stranger]);
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: TENANT,
          PolicyName: 'backdoor',
          PolicyDocument: JSON.stringify(ADMIN),
        }),
      );
    },
    async restoreTheTenant() {
      await setTrust();
      await iam.send(new DeleteRolePolicyCommand({ RoleName: TENANT, PolicyName: 'backdoor' }));
    },
    async drain() {
      const out: Message[] = [];
      for (;;) {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        );
        if (!got.Messages?.length) return out;
        out.push(...got.Messages);
      }
    },
    async stateKeys() {
      const out = await ddb.send(new ScanCommand({ TableName: TABLE }));
      return (out.Items ?? []).map((item) => item.sk?.S ?? '').sort();
    },
  };
}
