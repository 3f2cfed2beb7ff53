/**
 * Structured JSON logging for the functions, one object a line with stable keys, built on
 * Powertools' Logger. Every entry passes through {@link scrub} first: values registered as
 * secret are replaced wherever they stand, and keys that hold secrets by their nature (the
 * pre-signed response URL, an external ID) are masked whatever they hold.
 */
import { Logger } from '@aws-lambda-powertools/logger';

const SECRET_KEYS = /^(responseurl|tenantexternalid|externalid|sts:externalid)$/i;
const MASK = '****';
const secrets = new Set<string>();

/** Registers a clear value that must never be logged (an external ID, a NoEcho value). */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 4) secrets.add(value);
}

/** Forgets every registered secret; for tests. */
export function clearSecrets(): void {
  secrets.clear();
}

/** Masks registered secrets and secret-named keys in any value, returning a copy. */
export function scrub<T>(value: T): T {
  return scrubValue(value, undefined) as T;
}

/** Masks registered secrets in a piece of text. */
export function scrubText(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out.replace(/https:\/\/[^\s"']*X-Amz-Signature=[^\s"']*/gi, '<pre-signed URL>');
}

function scrubValue(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && SECRET_KEYS.test(key) && value !== undefined && value !== null) {
    return MASK;
  }
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, undefined));
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, k);
    return out;
  }
  return value;
}

export type LogFields = Record<string, unknown>;

/** The logging surface the functions use; tests can pass their own to capture entries. */
export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * Creates a scrubbing logger for one function.
 *
 * @example
 * const log = createLogger('drift-guard');
 * log.info('finding', { role: 'Tenant', kind: 'trust-policy-changed', severity: 'CRITICAL' });
 */
export function createLogger(
  serviceName: string,
  logger = new Logger({ serviceName }),
): Log & {
  powertools: Logger;
} {
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}): void => {
      logger[level](scrubText(message), scrub(fields));
    };
  return {
    powertools: logger,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
}
