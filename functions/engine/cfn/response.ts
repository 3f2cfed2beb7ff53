/**
 * The response half of the custom-resource protocol: the JSON body CloudFormation expects,
 * kept under its 4096-byte limit, and the one PUT that carries it to the pre-signed URL.
 *
 * The PUT has no Content-Type header, because the URL is signed without one and S3 refuses a
 * request whose headers differ from what was signed, and it states its byte length. It is
 * retried with backoff on network errors, timeouts and 5xx, 408 and 429 answers, never past
 * the deadline it is given, and never after an answer that retrying cannot change (403 when
 * the URL has expired, for example).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConnectorGuardError, describeError } from '../errors';
import type { Log } from '../log';

/** CloudFormation rejects a response body of this many bytes or more. */
export const MAX_RESPONSE_BYTES = 4096;

export type ResponseStatus = 'SUCCESS' | 'FAILED';

/** The body of a custom-resource response. */
export interface ResponseBody {
  Status: ResponseStatus;
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, string>;
}

/** The response could not be delivered; CloudFormation has not heard from this invocation. */
export class ResponseDeliveryError extends ConnectorGuardError {
  override readonly name = 'ResponseDeliveryError';
}

/**
 * Fills in `Reason` from a summary and a list of details so that the serialised body stays
 * under {@link MAX_RESPONSE_BYTES}: as many details as fit, then "and N more". A detail too long
 * to fit even alone is cut short with an ellipsis.
 */
export function withReason(
  body: Omit<ResponseBody, 'Reason'>,
  summary: string,
  details: readonly string[] = [],
): ResponseBody {
  const fits = (reason: string) => byteLength({ ...body, Reason: reason }) < MAX_RESPONSE_BYTES;
  const more = (left: number) => (left > 0 ? ` ... and ${left} more.` : '');
  const finish = (reason: string) => ({ ...body, Reason: reason });
  let reason = summary;

  for (let shown = 0; shown < details.length; shown += 1) {
    const next = `${reason} ${details[shown]}`;
    const left = details.length - shown - 1;
    if (fits(next + more(left))) {
      reason = next;
      continue;
    }
    if (shown > 0 && fits(reason + more(left + 1))) return finish(reason + more(left + 1));
    return finish(cutToFit(next, (text) => fits(text + more(left))) + more(left));
  }
  return finish(fits(reason) ? reason : cutToFit(reason, fits));
}

function byteLength(body: ResponseBody): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

function cutToFit(text: string, fits: (candidate: string) => boolean): string {
  const chars = Array.from(text);
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(`${chars.slice(0, mid).join('')}…`)) low = mid;
    else high = mid - 1;
  }
  return `${chars.slice(0, low).join('')}…`;
}

/**
 * The response URL as it may appear in a log line: scheme and host only. The path and query of
 * a pre-signed URL are a credential to answer for the stack.
 */
export function maskResponseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/****`;
  } catch {
    return '<unparseable URL>';
  }
}

export interface DeliveryOptions {
  /** Epoch milliseconds after which no attempt starts and any attempt under way is abandoned. */
  deadlineAt: number;
  log: Log;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Socket inactivity timeout per attempt, in milliseconds. */
  socketTimeoutMs?: number;
  /** The first backoff delay; each further one doubles, with jitter. */
  baseDelayMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Sends the response with one PUT, retried as described above.
 *
 * @throws ResponseDeliveryError when no attempt was accepted; its message never holds the URL.
 */
export async function deliverResponse(
  url: string,
  body: ResponseBody,
  options: DeliveryOptions,
): Promise<void> {
  const target = checkedUrl(url);
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const maxAttempts = options.maxAttempts ?? 6;
  const where = maskResponseUrl(url);
  let lastProblem = 'no attempt could start before the deadline';

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const timeLeft = options.deadlineAt - Date.now();
    if (timeLeft <= 0) break;

    const outcome = await put(
      target,
      payload,
      Math.min(options.socketTimeoutMs ?? 5_000, timeLeft),
    );
    if (outcome.ok) {
      options.log.info('response sent', { status: body.Status, attempt, responseUrl: where });
      return;
    }
    lastProblem = outcome.problem;
    options.log.warn('response not accepted', { attempt, problem: outcome.problem });
    if (!outcome.retryable) break;

    const delay = backoff(attempt, options.baseDelayMs ?? 200);
    if (attempt === maxAttempts || Date.now() + delay >= options.deadlineAt) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new ResponseDeliveryError(
    `The response to CloudFormation could not be delivered: ${lastProblem}.`,
    { context: { status: body.Status } },
  );
}

function checkedUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ResponseDeliveryError('ResponseURL: expected a URL, received text that is not one.', {
      cause: error,
    });
  }
  const loopbackHttp = parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !loopbackHttp) {
    throw new ResponseDeliveryError(
      `ResponseURL: expected an https URL, received one with the scheme ${parsed.protocol}`,
    );
  }
  return parsed;
}

type PutOutcome = { ok: true } | { ok: false; retryable: boolean; problem: string };

function put(target: URL, payload: Buffer, timeoutMs: number): Promise<PutOutcome> {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(target, {
      method: 'PUT',
      headers: { 'content-length': payload.length },
      timeout: timeoutMs,
      agent: false,
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const settle = (outcome: PutOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };

    req.on('timeout', () => req.destroy(new Error(`socket idle for ${timeoutMs} ms`)));
    req.on('error', (error) =>
      settle({ ok: false, retryable: true, problem: describeError(error) }),
    );
    req.on('response', (res) => {
      res.resume();
      res.on('error', () => undefined);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return settle({ ok: true });
      const retryable = status >= 500 || status === 408 || status === 429;
      settle({ ok: false, retryable, problem: `the server answered HTTP ${status}` });
    });
    req.end(payload);
  });
}

function backoff(attempt: number, baseMs: number): number {
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), 5_000);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
