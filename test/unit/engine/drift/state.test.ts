import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAdapter, marshal } from '../../../../functions/engine/aws/dynamodb';
import {
  outboxFor,
  repeatsOutbox,
  StateStore,
  StateWriteError,
} from '../../../../functions/engine/drift/state';
import { aStoredFinding } from './run-builders';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme/0a1b';
const PK = `stack#${STACK_ID}`;
const NOW = new Date('2026-12-04T10:00:00.000Z');
const ddb = mockClient(DynamoDBClient);

function store() {
  return new StateStore(new DynamoDbAdapter(new DynamoDBClient({})), 'state', STACK_ID);
}

function conditionFailed() {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
  });
}

beforeEach(() => ddb.reset());

describe('StateStore.load', () => {
  it('reads findings, the last check and the outbox from the stack partition', async () => {
    const finding = aStoredFinding({ id: 'f1', actor: null });
    ddb.on(QueryCommand).resolves({
      Items: [
        marshal({
          pk: PK,
          sk: 'finding#f1',
          id: 'f1',
          digest: finding.digest,
          kind: finding.kind,
          severity: finding.severity,
          resource: JSON.stringify(finding.resource),
          summary: finding.summary,
          firstSeenAt: finding.firstSeenAt,
          changedAt: finding.changedAt,
          lastSentAt: finding.lastSentAt,
          windowStart: finding.windowStart,
          attributeUntil: finding.attributeUntil,
          version: 1,
          ttl: finding.expiresAt,
        }),
        marshal({
          pk: PK,
          sk: 'check',
          lastCheckAt: NOW.toISOString(),
          lastRunId: 'r1',
          version: 7,
        }),
        marshal({
          pk: PK,
          sk: 'outbox',
          runId: 'r2',
          createdAt: NOW.toISOString(),
          keys: ['k'],
          digest: 'd',
        }),
        marshal({ pk: PK, sk: 'lease', holder: 'someone', expiresAtMs: 1 }),
      ],
    });

    const state = await store().load();

    expect(state.findings.get('f1')).toEqual(finding);
    expect(state.check).toEqual({ lastCheckAt: NOW.toISOString(), lastRunId: 'r1', version: 7 });
    expect(state.outbox).toEqual({
      runId: 'r2',
      createdAt: NOW.toISOString(),
      keys: ['k'],
      digest: 'd',
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'state',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: PK } },
      ConsistentRead: true,
    });
  });

  it('follows every page of the partition', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [marshal({ pk: PK, sk: 'finding#a', id: 'a', digest: 'x', kind: 'role-missing' })],
        LastEvaluatedKey: marshal({ pk: PK, sk: 'finding#a' }),
      })
      .resolvesOnce({
        Items: [marshal({ pk: PK, sk: 'finding#b', id: 'b', digest: 'y', kind: 'role-missing' })],
      });

    const state = await store().load();

    expect([...state.findings.keys()]).toEqual(['a', 'b']);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
  });
});

describe('StateStore.commit', () => {
  it('writes each finding on the version it read, then the check, then clears the outbox', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    const updated = aStoredFinding({ id: 'u', version: 3 });

    await store().commit(
      [
        { op: 'put', finding: aStoredFinding({ id: 'n' }), expectedVersion: null },
        { op: 'put', finding: updated, expectedVersion: 2 },
        { op: 'delete', id: 'gone', expectedVersion: 5 },
      ],
      { at: NOW, runId: 'run-1', previous: { lastCheckAt: 'x', lastRunId: null, version: 4 } },
    );

    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({ sk: { S: 'finding#n' } }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({ sk: { S: 'finding#u' }, version: { N: '3' } }),
      ConditionExpression: '#v = :v',
      ExpressionAttributeValues: { ':v': { N: '2' } },
    });
    expect(ddb).toHaveReceivedCommandWith(DeleteItemCommand, {
      Key: { pk: { S: PK }, sk: { S: 'finding#gone' } },
      ExpressionAttributeValues: { ':v': { N: '5' } },
    });
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({
        sk: { S: 'check' },
        lastRunId: { S: 'run-1' },
        version: { N: '5' },
      }),
      ExpressionAttributeValues: { ':v': { N: '4' } },
    });
    expect(ddb).toHaveReceivedCommandWith(DeleteItemCommand, {
      Key: { pk: { S: PK }, sk: { S: 'outbox' } },
    });
  });

  it('reports a write another run got to first, and leaves the check and outbox alone', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed());

    const commit = store().commit(
      [{ op: 'put', finding: aStoredFinding({ id: 'raced' }), expectedVersion: 1 }],
      { at: NOW, runId: 'run-1', previous: null },
    );

    await expect(commit).rejects.toThrow(StateWriteError);
    await expect(commit).rejects.toThrow(
      /1 of 1 finding writes failed .*raced \(changed by another run\)/,
    );
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it('attempts every write even when one of them errors', async () => {
    ddb
      .on(PutItemCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalServerError' }))
      .resolves({});

    const commit = store().commit(
      [
        { op: 'put', finding: aStoredFinding({ id: 'a' }), expectedVersion: null },
        { op: 'put', finding: aStoredFinding({ id: 'b' }), expectedVersion: null },
      ],
      { at: NOW, runId: null, previous: null },
    );

    await expect(commit).rejects.toThrow(/1 of 2 finding writes failed/);
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 2);
  });
});

describe('outbox', () => {
  it('recognises a retry that sends the same notices or some of them', () => {
    const outbox = outboxFor('run-1', ['a', 'b', 'c'], NOW);
    const later = new Date(NOW.getTime() + 60_000);

    expect(repeatsOutbox(outbox, ['c', 'a', 'b'], later)).toBe(true);
    expect(repeatsOutbox(outbox, ['b'], later)).toBe(true);
    expect(repeatsOutbox(outbox, ['b', 'd'], later)).toBe(false);
  });

  it('does not reuse a run id a day old', () => {
    const outbox = outboxFor('run-1', ['a'], NOW);

    expect(repeatsOutbox(outbox, ['a'], new Date(NOW.getTime() + 25 * 3_600_000))).toBe(false);
  });

  it('keeps only a digest for very many notices and then matches only the same set', () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => `k${i}`);
    const outbox = outboxFor('run-1', keys, NOW);

    expect(outbox.keys).toEqual([]);
    expect(repeatsOutbox(outbox, [...keys].reverse(), NOW)).toBe(true);
    expect(repeatsOutbox(outbox, keys.slice(1), NOW)).toBe(false);
  });
});
