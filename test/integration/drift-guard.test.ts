/**
 * Whole scheduled runs of the drift guard against moto's server: the real SDK clients read the
 * stack from CloudFormation and the roles from IAM, keep state and the lease in DynamoDB, and
 * publish to SNS, which delivers to an SQS queue the test reads. moto has no CloudTrail event
 * history, so look-ups are answered by a stand-in; and it cannot run custom resources, so the
 * stack is a small one of the test's own, its live IAM state set with IAM calls.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
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
import type { DriftGuardConfig } from '../../functions/drift-guard/config';
import { createRunDeps } from '../../functions/drift-guard/deps';
import { handle, type Services } from '../../functions/drift-guard/handler';
import type {
  LookupRequest,
  LookupResult,
  TrailEvent,
} from '../../functions/engine/aws/cloudtrail';
import { formatReport } from '../../functions/engine/drift/format';
import type { CheckReport } from '../../functions/engine/drift/types';
import { clearSecrets, type Log } from '../../functions/engine/log';
import { sha256Hex } from '../../functions/engine/values';
import { type MotoServer, startMoto } from '../helpers/moto';
import { describeWith } from '../helpers/requirements';
import { captureLog } from '../unit/engine/drift/run-builders';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CANARY = 'canary-external-id-c41d7e2b';
const VENDOR = '111111111111';
const STACK = 'guard-it';

const TEMPLATE = JSON.stringify({
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: {
    TenantExternalId: { Type: 'String', NoEcho: true },
  },
  Resources: {
    TenantRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'guard-it-tenant',
        AssumeRolePolicyDocument: trust(),
        Policies: [{ PolicyName: 'list-backups', PolicyDocument: listBackups() }],
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

function trust(externalId: unknown = { Ref: 'TenantExternalId' }, extra: object[] = []) {
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

function listBackups() {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'backup:ListBackupVaults', Resource: '*' }],
  };
}

const ADMIN = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

describeWith(['moto'], 'drift guard scheduled runs against moto', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let env: Record<string, string>;
  let stackId: string;
  const trailEvents: TrailEvent[] = [];
  const lookups: LookupRequest[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const config = { endpoint: moto.endpoint, region: REGION };
    iam = new IAMClient(config);
    sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const cfn = new CloudFormationClient(config);
    const ddb = new DynamoDBClient(config);

    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'findings-inbox' }));
    queueUrl = queue.QueueUrl as string;
    const queueArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn as string;
    const topic = await sns.send(new CreateTopicCommand({ Name: 'guard-it-findings' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await ddb.send(
      new CreateTableCommand({
        TableName: 'guard-it-state',
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
    const created = await cfn.send(
      new CreateStackCommand({
        StackName: STACK,
        TemplateBody: TEMPLATE,
        Parameters: [{ ParameterKey: 'TenantExternalId', ParameterValue: CANARY }],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    stackId = created.StackId as string;
    await cfn.send(new DescribeStacksCommand({ StackName: STACK }));

    // moto's CloudFormation writes inline policies as Python text and attaches no managed
    // policies: the live state the template promises is set with IAM calls.
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'guard-it-tenant',
        PolicyDocument: JSON.stringify(trust(CANARY)),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'guard-it-tenant',
        PolicyName: 'list-backups',
        PolicyDocument: JSON.stringify(listBackups()),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'guard-it-scanner',
        PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/guard-it-scan`,
      }),
    );

    env = {
      STACK_ID: stackId,
      TOPIC_ARN: topic.TopicArn as string,
      STATE_TABLE: 'guard-it-state',
      EXTERNAL_ID_SHA256: sha256Hex(CANARY),
      ALERT_MINIMUM_SEVERITY: 'MEDIUM',
      REMINDER_INTERVAL_HOURS: '24',
    };
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(() => clearSecrets());

  function services(log: Log, overrides: Record<string, string> = {}): Services {
    return {
      env: { ...env, ...overrides },
      log,
      deps: (config: DriftGuardConfig, runLog: Log) => ({
        ...createRunDeps(config, runLog),
        trail: {
          lookupByResourceName: async (request: LookupRequest): Promise<LookupResult> => {
            lookups.push(request);
            const events = trailEvents.filter((e) =>
              e.resourceNames.includes(request.resourceName),
            );
            return { events, requests: 1, truncated: false };
          },
        },
      }),
    };
  }

  async function drain(): Promise<Message[]> {
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
  }

  async function stateItems() {
    const ddb = new DynamoDBClient({ endpoint: moto.endpoint, region: REGION });
    const out = await ddb.send(new ScanCommand({ TableName: 'guard-it-state' }));
    return (out.Items ?? []).map((item) => item.sk?.S);
  }

  /** Everything that left the function: results, published messages and log entries. */
  const seen: string[] = [];

  async function run(event: unknown, overrides: Record<string, string> = {}) {
    const captured = captureLog();
    try {
      const result = await handle(
        event,
        { awsRequestId: `req-${seen.length}` },
        services(captured.log, overrides),
      );
      seen.push(JSON.stringify(result));
      return result as Record<string, unknown>;
    } finally {
      seen.push(captured.text());
    }
  }

  async function published() {
    const messages = await drain();
    seen.push(JSON.stringify(messages));
    return messages.map((m) => ({
      json: JSON.parse(m.Body as string),
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
    }));
  }

  function assumedRoleEvent(eventName: string, resourceNames: string[]): TrailEvent {
    return {
      eventId: `${eventName}-1`,
      eventName,
      eventSource: 'iam.amazonaws.com',
      eventTime: new Date(Date.now() - 60_000),
      resourceNames,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BreakGlass/mallory`,
        principalId: 'AROAEXAMPLE:mallory',
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
        invokedBy: null,
        userName: null,
      },
      sourceIp: '198.51.100.7',
      errorCode: null,
    };
  }

  async function widenTheTenant() {
    const stranger = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    };
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'guard-it-tenant',
        PolicyDocument: JSON.stringify(trust(CANARY, [stranger])),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'guard-it-tenant',
        PolicyName: 'backdoor',
        PolicyDocument: JSON.stringify(ADMIN),
      }),
    );
  }

  async function restoreTheTenant() {
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'guard-it-tenant',
        PolicyDocument: JSON.stringify(trust(CANARY)),
      }),
    );
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: 'guard-it-tenant', PolicyName: 'backdoor' }),
    );
  }

  // The cases below run in order against one account, as successive scheduled runs would.

  it('sends nothing while the roles are as the template promises', async () => {
    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'nothing-to-send', findings: 0 });
    expect(await published()).toEqual([]);
    expect(await stateItems()).toEqual(['check']);
  });

  it('alerts once on a widened trust and an added admin policy, naming who changed the trust', async () => {
    await widenTheTenant();
    trailEvents.push(assumedRoleEvent('UpdateAssumeRolePolicy', ['guard-it-tenant']));

    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'notified', messages: 1, notices: { new: 2 } });
    const [message, ...more] = await published();
    expect(more).toEqual([]);
    expect(message?.attributes).toEqual({
      severity: 'CRITICAL',
      kinds: '["inline-policy-added","trust-policy-changed"]',
      stack: STACK,
      account: ACCOUNT,
      region: REGION,
      runId: result.runId,
    });
    const findings = message?.json.findings as { kind: string; status: string; actor: unknown }[];
    expect(findings.map((f) => [f.kind, f.status]).sort()).toEqual([
      ['inline-policy-added', 'new'],
      ['trust-policy-changed', 'new'],
    ]);
    expect(findings.find((f) => f.kind === 'trust-policy-changed')?.actor).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
      sessionName: 'mallory',
      eventName: 'UpdateAssumeRolePolicy',
      sourceIp: '198.51.100.7',
    });
    expect(lookups[0]).toMatchObject({ resourceName: 'guard-it-tenant' });
    expect((await stateItems()).filter((sk) => sk?.startsWith('finding#'))).toHaveLength(2);
  });

  it('sends nothing on the next run when nothing changed', async () => {
    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'nothing-to-send', findings: 2 });
    expect(await published()).toEqual([]);
  });

  it('reports the fix as resolved once the roles are back in line', async () => {
    await restoreTheTenant();

    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'notified', notices: { resolved: 2 } });
    const [message] = await published();
    expect(message?.json.findings).toEqual([]);
    expect(
      ((message?.json.resolved ?? []) as { kind: string; reason: string }[])
        .map((r) => [r.kind, r.reason])
        .sort(),
    ).toEqual([
      ['inline-policy-added', 'back in line with the template'],
      ['trust-policy-changed', 'back in line with the template'],
    ]);
    expect(await stateItems()).toEqual(['check']);
  });

  it('returns the same report JSON as the CLI from a self-check, sending and recording nothing', async () => {
    await widenTheTenant();

    const report = await run({ action: 'self-check', notify: false });

    expect((report.findings as unknown[]).length).toBe(2);
    expect(JSON.parse(formatReport(report as unknown as CheckReport, 'json'))).toEqual(report);
    expect(await published()).toEqual([]);
    expect(await stateItems()).toEqual(['check']);
  });

  it('fails without recording a finding when SNS refuses, and the retry repeats the run id', async () => {
    const missingTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:no-such-topic`;

    await expect(run({ action: 'check' }, { TOPIC_ARN: missingTopic })).rejects.toThrow(
      /Publishing part 1 of 1 .* no finding state was changed/,
    );
    expect((await stateItems()).sort()).toEqual(['check', 'outbox']);
    const retry = await run({ action: 'check' });

    expect(retry).toMatchObject({ status: 'notified', notices: { new: 2 } });
    const [message] = await published();
    expect(message?.json.runId).toBe(retry.runId);
    expect((await stateItems()).filter((sk) => !sk?.startsWith('finding#'))).toEqual(['check']);
  });

  it('keeps the external ID out of every message, log and result', async () => {
    await restoreTheTenant();
    await run({ action: 'check' });
    await run({ action: 'self-check', notify: true });
    await published();

    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(CANARY);
  });
});
