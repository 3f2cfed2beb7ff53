/**
 * Shared settings for every AWS SDK client the functions and the CLI construct.
 *
 * Endpoints are left to the SDK's own resolution, so `AWS_ENDPOINT_URL` and the per-service
 * variables (`AWS_ENDPOINT_URL_IAM`, ...) point everything at a local server in tests.
 * Throttling is retried by the SDK's adaptive mode, which also slows the client down.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConnectorGuardError } from '../errors';

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

/**
 * A call that could not reach AWS because of the caller's setup (no credentials, or no
 * connection to the endpoint), with a message saying what is wrong and what to do.
 */
export class AwsSetupError extends ConnectorGuardError {}

/** Connection errors that mean the request never left: nothing was sent to AWS. */
const NOT_CONNECTED: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused: nothing listens there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
};

/** What a middleware sees of the SDK's context: the client's name and the endpoint used. */
interface CallContext {
  clientName?: string;
  endpointV2?: { url: URL };
}

type Handler = (args: never) => Promise<unknown>;

/** The part of an SDK client this module adds its middleware to. */
export interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: CallContext) => Handler,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Has `client` raise an {@link AwsSetupError} for the SDK's errors that come from a setup
 * mistake: no credentials found, or an endpoint that could not be connected to (named with
 * the service, the endpoint and the variable that set it). The original error is its `cause`;
 * every other error passes unchanged. Retries happen inside, so this sees only the last error.
 *
 * @example
 * const cloudformation = explainSetupErrors(new CloudFormationClient(clientConfig()));
 */
export function explainSetupErrors<C extends WithMiddleware>(client: C): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
        const message = setupProblem(error, service, context.endpointV2?.url, process.env);
        throw message === undefined ? error : new AwsSetupError(message, { cause: error });
      }
    },
    { step: 'initialize', name: 'explainSetupErrors' },
  );
  return client;
}

/**
 * What a setup mistake behind `error` means and how to fix it, or `undefined` for any other
 * error. An endpoint is shown without a user name or password it may carry.
 */
export function setupProblem(
  error: unknown,
  service: string,
  endpoint: URL | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const e = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (e.name === 'CredentialsProviderError') {
    return (
      `No AWS credentials found for ${service}: set AWS_PROFILE to a profile of ~/.aws/config ` +
      "(after 'aws sso login' for an SSO profile), or AWS_ACCESS_KEY_ID and " +
      'AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary credentials).'
    );
  }
  const why = notConnected(e);
  if (why === undefined) return undefined;
  const at = endpoint === undefined ? '' : ` at ${shownUrl(endpoint)}`;
  const variable = [`AWS_ENDPOINT_URL_${service.toUpperCase()}`, 'AWS_ENDPOINT_URL'].find(
    (name) => (env[name] ?? '') !== '',
  );
  if (variable !== undefined) {
    return (
      `Could not connect to ${service}${at} (${variable} is set to ` +
      `${shownUrl(env[variable] as string)}): ${why}. Start what it names, or unset ` +
      `${variable} to use the region's endpoint.`
    );
  }
  return (
    `Could not connect to ${service}${at} (the region's endpoint): ${why}. Check the network ` +
    'connection, a proxy in the way, and the region (--region or AWS_REGION).'
  );
}

function notConnected(e: { name?: string; code?: string; message?: string }): string | undefined {
  const code = e.code ?? /\b(E[A-Z_]+)\b/.exec(e.message ?? '')?.[1] ?? '';
  if (NOT_CONNECTED[code] !== undefined) return `${NOT_CONNECTED[code]} (${code})`;
  const connectTimeout = /did not establish a connection/.test(e.message ?? '');
  if (e.name === 'TimeoutError' && connectTimeout) {
    return `no connection within ${CONNECTION_TIMEOUT_MS / 1000} s`;
  }
  return undefined;
}

function shownUrl(url: URL | string): string {
  try {
    const shown = new URL(String(url));
    shown.username = '';
    shown.password = '';
    const path = shown.pathname === '/' ? '' : shown.pathname;
    return shown.origin === 'null' ? shown.href : `${shown.origin}${path}`;
  } catch {
    return 'a value that is not a URL';
  }
}
