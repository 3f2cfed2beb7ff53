/**
 * The Lambda adapter: a synchronous invocation of a deployed function with a JSON payload,
 * used by the CLI's `self-check` to run the drift guard where it is deployed.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { StandardRetryStrategy } from '@smithy/core/retry';
import {
  type ClientSettings,
  clientConfig,
  DEFAULT_MAX_ATTEMPTS,
  explainSetupErrors,
} from './clients';

/** Lambda's longest run; a synchronous invocation's socket must stay open that long. */
const LONGEST_RUN_MS = 15 * 60 * 1000;

type RetryToken = Awaited<ReturnType<StandardRetryStrategy['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

/**
 * Retries for an invocation that may run for 15 minutes: only failures that happened before
 * the function could start and are quick to try again. That is throttling (Lambda's
 * TooManyRequestsException, HTTP 429) and a connection that was refused or never opened.
 * Anything else is final, a read timeout or a connection dropped after the request was sent
 * above all: the function may have run, or still be running, and trying again would wait
 * another 15 minutes for a second run (with `--notify`, one that notifies again).
 */
export class InvokeRetryStrategy {
  private readonly standard: StandardRetryStrategy;

  constructor(maxAttempts: number = DEFAULT_MAX_ATTEMPTS) {
    this.standard = new StandardRetryStrategy(maxAttempts);
  }

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.standard.acquireInitialRetryToken(scope);
  }

  /** A token for the next attempt, or the error itself when the failure is not retried. */
  refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    if (!isSafeToRetry(info)) return Promise.reject(info.error);
    return this.standard.refreshRetryTokenForRetry(token, info);
  }

  recordSuccess(token: RetryToken): void {
    this.standard.recordSuccess(token);
  }
}

/** Throttled, or the request never reached Lambda. */
export function isSafeToRetry(info: RetryErrorInfo): boolean {
  if (info.errorType === 'THROTTLING') return true;
  const error = info.error as { code?: string; name?: string; message?: string } | undefined;
  if (error?.code === 'ECONNREFUSED') return true;
  // The HTTP handler's connection timeout: the socket never connected.
  return (
    error?.name === 'TimeoutError' && /did not establish a connection/.test(error.message ?? '')
  );
}

export interface Invocation {
  statusCode: number;
  /** `Unhandled` or `Handled` when the function raised an error; the payload then describes it. */
  functionError: string | null;
  /** The function's response, parsed as JSON; its raw text when it is not JSON. */
  payload: unknown;
}

export class LambdaAdapter {
  constructor(
    readonly client: LambdaClient = explainSetupErrors(new LambdaClient(invokeConfig())),
  ) {}

  /**
   * An adapter whose calls may wait as long as a function can run, and are retried only when
   * that is safe and quick (see {@link InvokeRetryStrategy}).
   */
  static create(settings: ClientSettings = {}): LambdaAdapter {
    return new LambdaAdapter(explainSetupErrors(new LambdaClient(invokeConfig(settings))));
  }

  /** Invokes a function by name or ARN and waits for its response. */
  async invoke(functionName: string, payload: unknown): Promise<Invocation> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(payload), 'utf8'),
      }),
    );
    const text = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');

    return {
      statusCode: out.StatusCode ?? 0,
      functionError: out.FunctionError ?? null,
      payload: parseJson(text),
    };
  }
}

function invokeConfig(settings: ClientSettings = {}) {
  const config = clientConfig({ requestTimeoutMs: LONGEST_RUN_MS + 30_000, ...settings });
  return { ...config, retryStrategy: new InvokeRetryStrategy(config.maxAttempts) };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
