/**
 * The one wrapper through which every connector-guard custom resource speaks CloudFormation's
 * protocol. A provider built here always answers, exactly once per request: a handler that
 * throws, a configuration that cannot load and a Lambda deadline drawing near all become
 * FAILED with a reason, so a stack never waits an hour for a response that will not come.
 *
 * Physical IDs are fixed: a Create answers with the handler's ID or a stable one derived from
 * the stack and logical ID (never the log stream name, which changes with every container), and
 * a failed Create still answers with that non-empty ID. Update and Delete answer with the ID
 * they received, so CloudFormation never sees a replacement it would then have to delete.
 * Without an `onDelete`, Delete answers SUCCESS at once and calls nothing, whatever the ID,
 * including the ones CloudFormation invents after a cancelled Create, so the stack can always
 * be deleted or rolled back.
 */
import { ConnectorGuardError, describeError } from '../errors';
import { createLogger, type Log, type LogFields, registerSecret, scrub, scrubText } from '../log';
import { sha256Hex } from '../values';
import {
  type CustomResourceEvent,
  type IncomingRequest,
  readInvocation,
  type UnservableRequest,
} from './event';
import {
  type DeliveryOptions,
  deliverResponse,
  maskResponseUrl,
  type ResponseBody,
  ResponseDeliveryError,
  withReason,
} from './response';

/** What a request handler may use besides the event. */
export interface RequestContext {
  log: Log;
  /** Aborted once the deadline has passed and FAILED has been sent; stop work when it is. */
  signal: AbortSignal;
}

/**
 * A handler's successful result. The summary and details are answered as given: a handler
 * masks any secret in a value it shows, and only there, so that its own words stay whole.
 */
export interface RequestOutcome {
  /** The physical ID for a Create; Update and Delete always keep the one they received. */
  physicalResourceId?: string;
  data?: Record<string, string>;
  /** Asks CloudFormation to mask `data` wherever it shows attributes. */
  noEcho?: boolean;
  /** A first sentence for the reason, and further points such as warnings. */
  summary?: string;
  details?: string[];
}

/**
 * Thrown by a handler to answer FAILED with a reason made of a summary and details; the
 * provider fits as many details as the response allows and counts the rest. Like an outcome's,
 * the text is answered as given, with any secret in a value it shows already masked.
 */
export class RequestFailure extends ConnectorGuardError {
  override readonly name = 'RequestFailure';
  readonly details: readonly string[];

  constructor(summary: string, details: readonly string[] = [], options: { cause?: unknown } = {}) {
    super(summary, options);
    this.details = details;
  }
}

export type RequestHandler = (
  event: CustomResourceEvent,
  context: RequestContext,
) => Promise<RequestOutcome>;

/** The part of Lambda's context object the provider reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export interface ProviderOptions {
  /** The service name in every log line, e.g. `install-validator`. */
  service: string;
  onCreate: RequestHandler;
  onUpdate: RequestHandler;
  /** When absent, Delete answers SUCCESS without calling anything. */
  onDelete?: RequestHandler;
  /**
   * Clear values in the request to mask in the logs, in an unexpected error's message and in
   * the text of a request that cannot be served. Return only values long enough not to occur
   * in ordinary text: masking a short one inside other words would reveal it.
   */
  secretsOf?: (event: CustomResourceEvent) => string[];
  /** Overrides the stable physical ID of a Create. */
  physicalIdOf?: (request: { StackId: string; LogicalResourceId: string }) => string;
  /** The logger; by default the scrubbing JSON logger. */
  createLog?: () => Log;
  delivery?: Pick<DeliveryOptions, 'maxAttempts' | 'socketTimeoutMs' | 'baseDelayMs'>;
}

/** Time kept back from the handler for the response, as a share of what is left, bounded. */
const RESERVE_SHARE = 0.25;
const RESERVE_MIN_MS = 400;
const RESERVE_MAX_MS = 5_000;
/** Stop trying to deliver this long before Lambda would stop the function. */
const DELIVERY_MARGIN_MS = 100;
/** Used when the context offers no remaining time (invoked outside Lambda). */
const DEFAULT_REMAINING_MS = 15_000;
/** Lambda's longest timeout; a context claiming more is not believed. */
const MAX_REMAINING_MS = 900_000;
/** Responses remembered per container for redelivered requests. */
const REMEMBERED = 100;

/**
 * The physical ID a Create answers with unless its handler gives one: the logical ID and a
 * digest of the stack ID, the same for every delivery of any request of that resource.
 */
export function stablePhysicalId(request: { StackId: string; LogicalResourceId: string }): string {
  const name = request.LogicalResourceId === '' ? 'CustomResource' : request.LogicalResourceId;
  return `${name}-${sha256Hex(request.StackId).slice(0, 16)}`;
}

/**
 * Builds a Lambda handler for a custom resource.
 *
 * A redelivered request (same stack, request and logical ID) is answered with the response
 * remembered for it, so it gets the same status and physical ID. The memory lives in the
 * container: a redelivery that lands in a new container is handled afresh, and then gets the
 * same answer only as far as the handler is deterministic (the physical ID always is).
 *
 * When no response could be delivered the handler rethrows, so that Lambda's own retry of the
 * asynchronous invocation gets another chance to answer.
 *
 * @example
 * export const handler = customResourceProvider({
 *   service: 'install-validator',
 *   onCreate: validateCreate,
 *   onUpdate: validateUpdate,
 * });
 */
export function customResourceProvider(
  options: ProviderOptions,
): (payload: unknown, context?: LambdaContextLike) => Promise<void> {
  const remembered = new Map<string, ResponseBody>();
  let opened: Log | undefined;

  return async (payload, context) => {
    opened ??= openLog(options);
    const log = opened;
    let requests: IncomingRequest[];
    try {
      requests = readInvocation(payload);
    } catch (error) {
      log.error('invocation cannot be answered', { error: describeError(error) });
      return;
    }

    const undelivered: unknown[] = [];
    for (const incoming of requests) {
      if (incoming.kind === 'unanswerable') {
        log.error('request cannot be answered', { problem: incoming.problem });
        continue;
      }
      try {
        await serve(incoming, { options, log, remembered, context });
      } catch (error) {
        undelivered.push(error);
      }
    }
    if (undelivered.length > 0) {
      throw new ResponseDeliveryError(`${undelivered.length} response(s) could not be delivered.`, {
        cause: undelivered[0],
      });
    }
  };
}

type AnswerableRequest = Exclude<IncomingRequest, { kind: 'unanswerable' }>;

interface Serving {
  options: ProviderOptions;
  log: Log;
  remembered: Map<string, ResponseBody>;
  context: LambdaContextLike | undefined;
}

async function serve(incoming: AnswerableRequest, serving: Serving): Promise<void> {
  const { options, log, remembered } = serving;
  const request = incoming.kind === 'request' ? incoming.event : incoming.request;
  const startedAt = Date.now();
  const remaining = remainingTime(serving.context);
  const deadlineAt = startedAt + remaining - DELIVERY_MARGIN_MS;
  const key = `${request.StackId}\n${request.RequestId}\n${request.LogicalResourceId}`;

  log.info('request received', {
    requestType: incoming.kind === 'request' ? incoming.event.RequestType : undefined,
    requestId: request.RequestId,
    logicalResourceId: request.LogicalResourceId,
    stackId: request.StackId,
    responseUrl: maskResponseUrl(request.ResponseURL),
    remainingMs: remaining,
    lambdaRequestId: serving.context?.awsRequestId,
  });

  let body = remembered.get(key);
  if (body !== undefined) {
    log.warn('request delivered again; answering as before', { status: body.Status });
  } else {
    const reserve = Math.min(RESERVE_MAX_MS, Math.max(RESERVE_MIN_MS, remaining * RESERVE_SHARE));
    body =
      incoming.kind === 'request'
        ? await answer(incoming.event, serving, startedAt + remaining - reserve)
        : refuse(incoming.request, options);
    remember(remembered, key, body);
  }

  try {
    await deliverResponse(request.ResponseURL, body, { ...options.delivery, deadlineAt, log });
  } catch (error) {
    log.error('response not delivered', { status: body.Status, error: describeError(error) });
    throw error;
  }
}

function refuse(request: UnservableRequest, options: ProviderOptions): ResponseBody {
  return failed(request, physicalIdFor(request, options), scrubText(request.problem));
}

async function answer(
  event: CustomResourceEvent,
  serving: Serving,
  workDeadlineAt: number,
): Promise<ResponseBody> {
  const { options, log } = serving;
  const physicalId = physicalIdFor(event, options);
  const handler = handlerFor(event, options);
  if (handler === undefined) {
    log.info('delete answered without action', { physicalResourceId: physicalId });
    return succeeded(event, physicalId, {});
  }

  const controller = new AbortController();
  const work = Promise.resolve()
    .then(() => (options.secretsOf?.(event) ?? []).forEach(registerSecret))
    .then(() => handler(event, { log, signal: controller.signal }))
    .then(
      (outcome) => succeeded(event, outcomeId(event, outcome, physicalId), outcome),
      (error: unknown) =>
        controller.signal.aborted
          ? stoppedLate(event, physicalId, error, serving)
          : failure(event, physicalId, error, serving),
    );

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ResponseBody>((resolve) => {
    timer = setTimeout(
      () => {
        controller.abort();
        log.error('deadline reached before the handler finished', { requestId: event.RequestId });
        resolve(
          failed(
            event,
            physicalId,
            `${event.RequestType} did not finish in the time the function had left, so it is ` +
              'answered FAILED rather than leaving the stack waiting. Retry the operation; if ' +
              `it happens again, raise the function's timeout or check its logs.`,
          ),
        );
      },
      Math.max(0, workDeadlineAt - Date.now()),
    );
  });

  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function handlerFor(event: CustomResourceEvent, options: ProviderOptions) {
  if (event.RequestType === 'Create') return options.onCreate;
  if (event.RequestType === 'Update') return options.onUpdate;
  return options.onDelete;
}

function physicalIdFor(
  request: { StackId: string; LogicalResourceId: string; PhysicalResourceId?: string },
  options: ProviderOptions,
): string {
  if (request.PhysicalResourceId !== undefined) return request.PhysicalResourceId;
  return (options.physicalIdOf ?? stablePhysicalId)(request);
}

function outcomeId(event: CustomResourceEvent, outcome: RequestOutcome, fallback: string): string {
  if (event.RequestType !== 'Create') return fallback;
  const given = outcome.physicalResourceId;
  return typeof given === 'string' && given !== '' ? given : fallback;
}

function failure(
  event: CustomResourceEvent,
  physicalId: string,
  error: unknown,
  serving: Serving,
): ResponseBody {
  if (error instanceof RequestFailure) {
    serving.log.warn('request failed', { requestType: event.RequestType, reason: error.message });
    return failed(event, physicalId, error.message, error.details);
  }
  serving.log.error('handler error', {
    requestType: event.RequestType,
    error: describeError(error),
  });
  const invocation = serving.context?.awsRequestId;
  const where = invocation ? ` (Lambda request ${invocation})` : '';
  const described = scrubText(describeError(error));
  return failed(
    event,
    physicalId,
    `${event.RequestType} failed with an unexpected error: ${described}. The function's ` +
      `logs${where} have the details; the operation can be retried.`,
  );
}

/**
 * A handler that ended in an error after the deadline's FAILED answer, usually because it
 * stopped on the aborted signal: CloudFormation has its answer, so this is only logged, and not
 * as an error of its own. The body is never sent.
 */
function stoppedLate(
  event: CustomResourceEvent,
  physicalId: string,
  error: unknown,
  serving: Serving,
): ResponseBody {
  serving.log.info('handler stopped after the deadline answer', {
    requestType: event.RequestType,
    error: describeError(error),
  });
  return failed(event, physicalId, 'Stopped after the deadline answer.');
}

function identity(request: { StackId: string; RequestId: string; LogicalResourceId: string }) {
  return {
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  };
}

function succeeded(
  event: CustomResourceEvent,
  physicalId: string,
  outcome: RequestOutcome,
): ResponseBody {
  const base = {
    Status: 'SUCCESS' as const,
    PhysicalResourceId: physicalId,
    ...identity(event),
    ...(outcome.noEcho ? { NoEcho: true } : {}),
    ...(outcome.data ? { Data: outcome.data } : {}),
  };
  return withReason(base, outcome.summary ?? `${event.RequestType} succeeded.`, outcome.details);
}

function failed(
  request: { StackId: string; RequestId: string; LogicalResourceId: string },
  physicalId: string,
  summary: string,
  details: readonly string[] = [],
): ResponseBody {
  const base = { Status: 'FAILED' as const, PhysicalResourceId: physicalId, ...identity(request) };
  return withReason(base, summary, details);
}

function remember(memory: Map<string, ResponseBody>, key: string, body: ResponseBody): void {
  memory.set(key, body);
  if (memory.size > REMEMBERED) {
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
}

/**
 * The time left, as the context reports it, within 0 and Lambda's longest timeout: a timer set
 * past 2^31 - 1 ms would fire at once instead.
 */
function remainingTime(context: LambdaContextLike | undefined): number {
  try {
    const value = context?.getRemainingTimeInMillis();
    if (typeof value !== 'number' || !Number.isFinite(value)) return DEFAULT_REMAINING_MS;
    return Math.min(MAX_REMAINING_MS, Math.max(0, value));
  } catch {
    return DEFAULT_REMAINING_MS;
  }
}

function openLog(options: ProviderOptions): Log {
  try {
    return options.createLog ? scrubbing(options.createLog()) : createLogger(options.service);
  } catch {
    return fallbackLog(options.service);
  }
}

/** Puts a given log behind the same masking the default logger applies. */
function scrubbing(log: Log): Log {
  const wrap =
    (emit: Log['info']) =>
    (message: string, fields: LogFields = {}) =>
      emit(scrubText(message), scrub(fields));
  return {
    debug: wrap(log.debug.bind(log)),
    info: wrap(log.info.bind(log)),
    warn: wrap(log.warn.bind(log)),
    error: wrap(log.error.bind(log)),
  };
}

/** A plain JSON-lines logger to stderr, for when the real one cannot be built. */
function fallbackLog(service: string): Log {
  const emit =
    (level: string) =>
    (message: string, fields: LogFields = {}) => {
      const entry = { level, service, message: scrubText(message), ...scrub(fields) };
      process.stderr.write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: emit('DEBUG'), info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
}
