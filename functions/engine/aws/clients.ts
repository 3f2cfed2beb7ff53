/**
 * Shared settings for every AWS SDK client the functions and the CLI construct.
 *
 * Endpoints are left to the SDK's own resolution, so `AWS_ENDPOINT_URL` and the per-service
 * variables (`AWS_ENDPOINT_URL_IAM`, ...) point everything at a local server in tests.
 * Throttling is retried by the SDK's adaptive mode, which also slows the client down.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface ClientSettings {
  region?: string;
  /** Attempts per call, the first included; throttled calls are retried with backoff. */
  maxAttempts?: number;
  /**
   * Socket inactivity timeout in milliseconds (15 s by default): a call whose connection stays
   * silent this long fails with a TimeoutError. It is the HTTP handler's `socketTimeout`; the
   * handler's own `requestTimeout` would only print a warning to the console.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** How long a connection may take to open before the call fails. */
const CONNECTION_TIMEOUT_MS = 3_000;

/** The configuration object handed to every client's constructor. */
export function clientConfig(settings: ClientSettings = {}) {
  return {
    region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: settings.requestTimeoutMs ?? 15_000,
    }),
  };
}

/** Region to partition and a partition's IAM region: one table, shared with the template engine. */
export { iamRegionOf, partitionOf } from '../partitions';

/** Whether an SDK error is IAM's or any service's "it does not exist". */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity' || name === 'NotFound';
}

/** Whether an SDK error means the caller was not allowed (an IAM policy or an SCP). */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return /AccessDenied|UnauthorizedOperation|AuthorizationError/i.test(name);
}

/** Whether an SDK error is throttling that survived the SDK's own retries. */
export function isThrottled(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return /Throttl|TooManyRequests|RequestLimitExceeded|Rate ?exceeded/i.test(name);
}
