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
  /** Socket inactivity timeout in milliseconds. */
  requestTimeoutMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** The configuration object handed to every client's constructor. */
export function clientConfig(settings: ClientSettings = {}) {
  return {
    region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 3_000,
      requestTimeout: settings.requestTimeoutMs ?? 15_000,
    }),
  };
}

/** The region that holds a partition's global IAM endpoint and its CloudTrail events. */
export function iamRegionOf(partition: string): string {
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  if (partition === 'aws-cn') return 'cn-north-1';
  return 'us-east-1';
}

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

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
