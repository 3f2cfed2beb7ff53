import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailAdapter,
  RequestPacer,
  toTrailEvent,
} from '../../../../functions/engine/aws/cloudtrail';
import { DynamoDbAdapter, marshal, unmarshal } from '../../../../functions/engine/aws/dynamodb';
import { LambdaAdapter } from '../../../../functions/engine/aws/lambda';
import { publishedSize, SnsAdapter, snsAttributes } from '../../../../functions/engine/aws/sns';

const sns = mockClient(SNSClient);
const ddb = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
const trail = mockClient(CloudTrailClient);

beforeEach(() => {
  sns.reset();
  ddb.reset();
  lambda.reset();
  trail.reset();
});

describe('SnsAdapter', () => {
  it('publishes a body per protocol with MessageStructure json and typed attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const message = {
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      subject: 'Subject',
      bodies: { default: 'text', sqs: '{"a":1}' },
      attributes: { severity: 'HIGH', kinds: ['role-missing', 'trust-policy-changed'], region: '' },
    };

    const id = await new SnsAdapter(new SNSClient({})).publish(message);

    expect(id).toBe('m-1');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      Subject: 'Subject',
      MessageStructure: 'json',
      Message: '{"default":"text","sqs":"{\\"a\\":1}"}',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'HIGH' },
        kinds: { DataType: 'String.Array', StringValue: '["role-missing","trust-policy-changed"]' },
      },
    });
  });

  it('counts the body, subject and attributes in bytes toward the size limit', () => {
    const message = {
      topicArn: 't',
      subject: 'ab',
      bodies: { default: 'é' },
      attributes: { s: 'x' },
    };

    expect(publishedSize(message)).toBe(
      Buffer.byteLength('{"default":"é"}') + 2 + 's'.length + 'String'.length + 1,
    );
    expect(snsAttributes({ empty: '' })).toEqual({});
  });
});

describe('DynamoDbAdapter', () => {
  it('round-trips strings, numbers, booleans and string lists, leaving nulls out', () => {
    const item = { pk: 'p', sk: 's', n: 3, ok: true, keys: ['a', 'b'], gone: null };

    expect(marshal(item)).toEqual({
      pk: { S: 'p' },
      sk: { S: 's' },
      n: { N: '3' },
      ok: { BOOL: true },
      keys: { L: [{ S: 'a' }, { S: 'b' }] },
    });
    expect(unmarshal(marshal(item))).toEqual({
      pk: 'p',
      sk: 's',
      n: 3,
      ok: true,
      keys: ['a', 'b'],
    });
  });

  it('answers false instead of throwing when a write condition fails', async () => {
    const failed = Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });
    ddb.on(PutItemCommand).rejects(failed);
    ddb.on(DeleteItemCommand).rejects(failed);
    const db = new DynamoDbAdapter(new DynamoDBClient({}));

    await expect(
      db.put('t', { pk: 'p', sk: 's' }, { expression: 'attribute_not_exists(pk)' }),
    ).resolves.toBe(false);
    await expect(db.delete('t', { pk: 'p', sk: 's' })).resolves.toBe(false);
  });

  it('lets any other failure through', async () => {
    ddb
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('no table'), { name: 'ResourceNotFoundException' }));

    await expect(
      new DynamoDbAdapter(new DynamoDBClient({})).put('t', { pk: 'p', sk: 's' }),
    ).rejects.toThrow('no table');
  });

  it('reads one item consistently, or null', async () => {
    ddb
      .on(GetItemCommand)
      .resolvesOnce({ Item: marshal({ pk: 'p', sk: 's', v: 1 }) })
      .resolvesOnce({});
    const db = new DynamoDbAdapter(new DynamoDBClient({}));

    await expect(db.get('t', { pk: 'p', sk: 's' })).resolves.toEqual({ pk: 'p', sk: 's', v: 1 });
    await expect(db.get('t', { pk: 'p', sk: 's' })).resolves.toBeNull();
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
  });
});

describe('LambdaAdapter', () => {
  it('invokes synchronously and parses the JSON answer', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: Buffer.from('{"ok":true}') as never });

    const out = await new LambdaAdapter(new LambdaClient({})).invoke('fn', {
      action: 'self-check',
    });

    expect(out).toEqual({ statusCode: 200, functionError: null, payload: { ok: true } });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'fn',
      InvocationType: 'RequestResponse',
    });
  });

  it('reports a function error with the payload that describes it', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from('{"errorType":"Error","errorMessage":"boom"}') as never,
    });

    const out = await new LambdaAdapter(new LambdaClient({})).invoke('fn', {});

    expect(out).toMatchObject({ functionError: 'Unhandled', payload: { errorMessage: 'boom' } });
  });
});

describe('CloudTrailAdapter', () => {
  it('keeps who, when, where and the names an event touched, and nothing else of the request', () => {
    const event = toTrailEvent({
      EventId: 'e1',
      EventName: 'PutRolePolicy',
      EventSource: 'iam.amazonaws.com',
      EventTime: new Date('2026-12-04T09:00:00Z'),
      Resources: [{ ResourceName: 'acme-tenant' }],
      CloudTrailEvent: JSON.stringify({
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob', userName: 'bob' },
        sourceIPAddress: '192.0.2.1',
        requestParameters: {
          roleName: 'acme-tenant',
          policyName: 'extra',
          policyDocument: '{"secret":1}',
        },
      }),
    });

    expect(event).toEqual({
      eventId: 'e1',
      eventName: 'PutRolePolicy',
      eventSource: 'iam.amazonaws.com',
      eventTime: new Date('2026-12-04T09:00:00Z'),
      resourceNames: ['acme-tenant', 'extra'],
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::1:user/bob',
        principalId: null,
        sessionIssuerArn: null,
        invokedBy: null,
        userName: 'bob',
      },
      sourceIp: '192.0.2.1',
      errorCode: null,
    });
  });

  it('survives an event whose detail is not JSON', () => {
    const event = toTrailEvent({ EventName: 'AttachRolePolicy', CloudTrailEvent: 'not json' });

    expect(event.userIdentity.type).toBe('Unknown');
    expect(event.resourceNames).toEqual([]);
  });

  it('waits its turn on the pacer before every request', async () => {
    trail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: [], NextToken: 't' })
      .resolves({ Events: [] });
    const turns: number[] = [];
    const pacer = new RequestPacer(
      2,
      () => 0,
      async (ms) => {
        turns.push(ms);
      },
    );

    const result = await new CloudTrailAdapter(
      new CloudTrailClient({}),
      pacer,
    ).lookupByResourceName({
      resourceName: 'r',
      start: new Date(0),
      end: new Date(1),
      maxPages: 5,
    });

    expect(result).toEqual({ events: [], requests: 2, truncated: false });
    expect(turns).toEqual([500]);
  });
});
