import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAdapter, marshal } from '../../../../functions/engine/aws/dynamodb';
import { Lease } from '../../../../functions/engine/drift/lease';
import { MemoryTable } from './run-builders';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme/0a1b';
const NOW = new Date('2026-12-04T10:00:00.000Z');
const ddb = mockClient(DynamoDBClient);

beforeEach(() => ddb.reset());

function conditionFailed() {
  return new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
}

describe('Lease with DynamoDB', () => {
  const lease = () =>
    new Lease(new DynamoDbAdapter(new DynamoDBClient({})), 'state', STACK_ID, () => NOW);

  it('takes the lease with a write that holds only when it is free or expired', async () => {
    ddb.on(PutItemCommand).resolves({});

    const outcome = await lease().acquire('req-1', 'check', 60_000);

    expect(outcome).toEqual({
      acquired: true,
      lease: { holder: 'req-1', purpose: 'check', expiresAt: new Date(NOW.getTime() + 60_000) },
    });
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'state',
      ConditionExpression: 'attribute_not_exists(pk) OR #expires < :now',
      ExpressionAttributeNames: { '#expires': 'expiresAtMs' },
      ExpressionAttributeValues: { ':now': { N: String(NOW.getTime()) } },
      Item: expect.objectContaining({
        pk: { S: `stack#${STACK_ID}` },
        sk: { S: 'lease' },
        expiresAtMs: { N: String(NOW.getTime() + 60_000) },
      }),
    });
  });

  it('says who holds the lease and until when, without waiting', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).resolves({
      Item: marshal({
        pk: 'x',
        sk: 'lease',
        holder: 'req-0',
        purpose: 'check',
        expiresAtMs: NOW.getTime() + 5_000,
      }),
    });

    const outcome = await lease().acquire('req-1', 'self-check', 60_000);

    expect(outcome).toEqual({
      acquired: false,
      heldBy: { holder: 'req-0', purpose: 'check', expiresAt: new Date(NOW.getTime() + 5_000) },
    });
  });

  it('gives the lease back only if it still holds it', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    const held = { holder: 'req-1', purpose: 'check', expiresAt: NOW };

    await expect(lease().release(held)).resolves.toBe(false);
    expect(ddb).toHaveReceivedCommandWith(DeleteItemCommand, {
      ConditionExpression: '#holder = :holder',
      ExpressionAttributeValues: { ':holder': { S: 'req-1' } },
    });
  });
});

describe('Lease between runs', () => {
  it('keeps a second run out until the first releases it', async () => {
    const table = new MemoryTable();
    const lease = new Lease(table, 'state', STACK_ID, () => NOW);

    const first = await lease.acquire('a', 'check', 60_000);
    const second = await lease.acquire('b', 'check', 60_000);
    if (first.acquired) await lease.release(first.lease);
    const third = await lease.acquire('b', 'check', 60_000);

    expect(first.acquired).toBe(true);
    expect(second).toMatchObject({ acquired: false, heldBy: { holder: 'a' } });
    expect(third.acquired).toBe(true);
  });

  it('keeps out a second run of the same invocation while the first holds the lease', async () => {
    const table = new MemoryTable();
    const lease = new Lease(table, 'state', STACK_ID, () => NOW);
    await lease.acquire('req-7', 'check', 60_000);

    const duplicate = await lease.acquire('req-7', 'check', 60_000);

    expect(duplicate.acquired).toBe(false);
  });

  it('lets a run take over a lease that expired', async () => {
    const table = new MemoryTable();
    let now = NOW;
    const lease = new Lease(table, 'state', STACK_ID, () => now);
    await lease.acquire('crashed', 'check', 60_000);

    now = new Date(NOW.getTime() + 61_000);
    const outcome = await lease.acquire('next', 'check', 60_000);

    expect(outcome.acquired).toBe(true);
    await expect(
      lease.release({ holder: 'crashed', purpose: 'check', expiresAt: NOW }),
    ).resolves.toBe(false);
  });
});
