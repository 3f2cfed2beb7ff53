/**
 * Reading what Lambda hands a custom-resource provider: a CloudFormation request delivered
 * directly, or wrapped in an SNS notification when the ServiceToken is a topic. Nothing here
 * trusts the payload's shape; every field the protocol needs is checked before it is used.
 */
import { InputError } from '../errors';

/** The request types CloudFormation sends to a custom resource. */
export const REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];

/** The fields of a CloudFormation custom-resource request that connector-guard reads. */
export interface CustomResourceEvent {
  RequestType: RequestType;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  /** Present on Update and Delete; CloudFormation may make one up after a cancelled Create. */
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  /** Present on Update: the properties before the change (after it, during a rollback). */
  OldResourceProperties?: Record<string, unknown>;
}

/**
 * A request that can be answered but not served: its response URL and identifiers are usable,
 * the rest is not (an unknown RequestType, say). The provider answers it FAILED with `problem`.
 */
export interface UnservableRequest {
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  problem: string;
}

/**
 * One request found in an invocation payload: ready to serve, to refuse, or (an SNS record
 * without a usable response URL) only to log, since nothing can be sent back for it.
 */
export type IncomingRequest =
  | { kind: 'request'; event: CustomResourceEvent }
  | { kind: 'unservable'; request: UnservableRequest }
  | { kind: 'unanswerable'; problem: string };

/** A payload with no usable response URL, which therefore cannot be answered at all. */
export class UnanswerableEventError extends InputError {
  override readonly name = 'UnanswerableEventError';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return /^[\x20-\x7e]{0,40}$/.test(value)
      ? JSON.stringify(value)
      : `a string of ${value.length} characters`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The CloudFormation requests in one invocation payload: one for a direct invocation, one per
 * record for an SNS delivery (SNS hands Lambda one record at a time, but the shape allows more).
 * A record without a usable response URL is kept as `unanswerable`, so that the others are
 * still answered.
 *
 * @throws UnanswerableEventError when a direct payload has no response URL, or an SNS payload
 *   has no record; nothing can be sent back for it, so the caller only logs it.
 */
export function readInvocation(payload: unknown): IncomingRequest[] {
  if (!isObject(payload) || !Array.isArray(payload.Records)) return [readRequest(payload)];
  if (payload.Records.length === 0) {
    throw new UnanswerableEventError('Records: expected at least one SNS record, received none.');
  }
  return payload.Records.map((record, index): IncomingRequest => {
    try {
      return readRequest(snsMessage(record, index));
    } catch (error) {
      if (!(error instanceof UnanswerableEventError)) throw error;
      return { kind: 'unanswerable', problem: error.message };
    }
  });
}

function snsMessage(record: unknown, index: number): unknown {
  const sns = isObject(record) ? record.Sns : undefined;
  const message = isObject(sns) ? sns.Message : undefined;
  if (typeof message !== 'string') {
    throw new UnanswerableEventError(
      `Records[${index}].Sns.Message: expected the CloudFormation request as JSON text, ` +
        `received ${describeReceived(message)}.`,
    );
  }
  try {
    return JSON.parse(message);
  } catch (error) {
    throw new UnanswerableEventError(
      `Records[${index}].Sns.Message: expected the CloudFormation request as JSON text, ` +
        'received text that is not JSON.',
      { cause: error },
    );
  }
}

function readRequest(value: unknown): IncomingRequest {
  if (!isObject(value)) {
    throw new UnanswerableEventError(
      'The invocation payload: expected a CloudFormation custom-resource request, received ' +
        `${describeReceived(value)}.`,
    );
  }
  const url = value.ResponseURL;
  if (typeof url !== 'string' || url === '') {
    throw new UnanswerableEventError(
      'ResponseURL: expected the pre-signed URL CloudFormation waits on, received ' +
        `${describeReceived(url)}.`,
    );
  }

  const base = {
    ResponseURL: url,
    StackId: text(value.StackId),
    RequestId: text(value.RequestId),
    LogicalResourceId: text(value.LogicalResourceId),
    PhysicalResourceId: optionalText(value.PhysicalResourceId),
  };
  const problem = firstProblem(value);
  if (problem !== undefined) return { kind: 'unservable', request: { ...base, problem } };

  return {
    kind: 'request',
    event: {
      ...base,
      RequestType: value.RequestType as RequestType,
      ResourceType: text(value.ResourceType),
      ResourceProperties: isObject(value.ResourceProperties) ? value.ResourceProperties : {},
      OldResourceProperties: isObject(value.OldResourceProperties)
        ? value.OldResourceProperties
        : undefined,
    },
  };
}

function firstProblem(value: Json): string | undefined {
  const type = value.RequestType;
  if (typeof type !== 'string' || !(REQUEST_TYPES as readonly string[]).includes(type)) {
    return (
      `RequestType must be one of ${REQUEST_TYPES.join(', ')}; received ` +
      `${describeReceived(type)}.`
    );
  }
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      return `${field} must be a non-empty string; received ${describeReceived(value[field])}.`;
    }
  }
  // A Delete reads no properties, so none can stop it from being answered SUCCESS.
  const properties = value.ResourceProperties;
  if (type !== 'Delete' && properties !== undefined && !isObject(properties)) {
    return (
      'ResourceProperties must be an object; received ' +
      `${describeReceived(value.ResourceProperties)}.`
    );
  }
  return undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
