/**
 * The DynamoDB adapter: the few item operations the drift guard's state and lease need, on a
 * table keyed by `pk` (S) and `sk` (S). Items are plain records of strings, numbers, booleans
 * and string lists; conditional writes report a failed condition as `false` instead of throwing.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import { type ClientSettings, clientConfig, explainSetupErrors } from './clients';

export type ItemValue = string | number | boolean | string[] | null;
export type Item = Record<string, ItemValue>;

export interface ItemKey {
  pk: string;
  sk: string;
}

/** A condition expression with its placeholders, e.g. `attribute_not_exists(pk)`. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, ItemValue>;
}

/** Converts a plain record into DynamoDB's attribute map; `null` members are left out. */
export function marshal(item: Item): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value !== null) out[name] = toAttribute(value);
  }
  return out;
}

function toAttribute(value: Exclude<ItemValue, null>): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  return { L: value.map((entry) => ({ S: entry })) };
}

/** Converts an attribute map back into a plain record (the types {@link marshal} writes). */
export function unmarshal(attributes: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.S !== undefined) out[name] = value.S;
    else if (value.N !== undefined) out[name] = Number(value.N);
    else if (value.BOOL !== undefined) out[name] = value.BOOL;
    else if (value.L !== undefined) out[name] = value.L.map((entry) => entry.S ?? '');
    else if (value.SS !== undefined) out[name] = value.SS;
    else out[name] = null;
  }
  return out;
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** The item operations state and lease use; the adapter, or a stand-in in tests. */
export type ItemStore = Pick<DynamoDbAdapter, 'queryPartition' | 'get' | 'put' | 'delete'>;

export class DynamoDbAdapter {
  constructor(
    readonly client: DynamoDBClient = explainSetupErrors(new DynamoDBClient(clientConfig())),
  ) {}

  static create(settings: ClientSettings = {}): DynamoDbAdapter {
    return new DynamoDbAdapter(explainSetupErrors(new DynamoDBClient(clientConfig(settings))));
  }

  /** Every item under one partition key, read consistently, following all pages. */
  async queryPartition(table: string, pk: string): Promise<Item[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const raw of page.Items ?? []) items.push(unmarshal(raw));
    }
    return items;
  }

  /** One item read consistently, or null. */
  async get(table: string, key: ItemKey): Promise<Item | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: table, Key: marshal({ ...key }), ConsistentRead: true }),
    );
    return out.Item === undefined ? null : unmarshal(out.Item);
  }

  /** Writes an item; false when the condition did not hold (nothing was written). */
  async put(table: string, item: Item & ItemKey, condition?: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({ TableName: table, Item: marshal(item), ...conditionInput(condition) }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Deletes an item; false when the condition did not hold (nothing was deleted). */
  async delete(table: string, key: ItemKey, condition?: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: table,
          Key: marshal({ ...key }),
          ...conditionInput(condition),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function conditionInput(condition: Condition | undefined) {
  if (condition === undefined) return {};
  const values =
    condition.values === undefined
      ? undefined
      : marshal(Object.fromEntries(Object.entries(condition.values)));
  return {
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: condition.names,
    ExpressionAttributeValues: values,
  };
}
