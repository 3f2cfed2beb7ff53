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
/** The registered secrets' forms as one pattern; undefined until built, null when none. */
let pattern: RegExp | null | undefined;

/** Registers a clear value that must never be logged (an external ID, a NoEcho value). */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  pattern = undefined;
}

/** Forgets every registered secret; for tests. */
export function clearSecrets(): void {
  secrets.clear();
  pattern = undefined;
}

/** Masks registered secrets and secret-named keys in any value, returning a copy. */
export function scrub<T>(value: T): T {
  return scrubValue(value, undefined) as T;
}

/**
 * Masks registered secrets in a piece of text: each as written, JSON-escaped, URL-encoded or
 * in base64 (see {@link secretForms}), in any letter case, the longest form first.
 */
export function scrubText(text: string): string {
  pattern ??= formsPattern([...secrets]);
  const out = pattern === null ? text : text.replace(pattern, MASK);
  return out.replace(/https:\/\/[^\s"']*X-Amz-Signature=[^\s"']*/gi, '<pre-signed URL>');
}

/**
 * A pattern matching every form of the given secrets in any letter case, longest first so that
 * a secret holding another is matched whole; null when there is none.
 */
export function formsPattern(values: readonly string[]): RegExp | null {
  const forms = [...new Set(values.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return null;
  return new RegExp(forms.map(escapeRegExp).join('|'), 'gi');
}

/**
 * The ways a clear secret may be written where text is logged or shown: as it is, JSON-escaped,
 * URL-encoded (`encodeURIComponent`), and in base64 and base64url. Base64 of a longer text
 * holding the secret spells it differently by where it starts, so for each of the three
 * alignments the characters that depend on the secret's bytes alone are a form as well; the one
 * or two characters at either end that mix in neighbouring bytes stay as they are. Letter case
 * is left to the matching; base64 is compared without case too, and only for a secret of
 * {@link BASE64_MIN} characters or more, whose forms are 30 characters or more, past a chance
 * match. Limitation: a part of a secret (a prefix), a shorter secret's base64 or any other
 * encoding is not a form and is not masked.
 */
export function secretForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  if (secret.length < BASE64_MIN) return forms;
  const bytes = Buffer.from(secret, 'utf8');
  const whole = bytes.toString('base64');
  forms.push(whole, whole.replace(/=+$/, ''));
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const text = padded.toString('base64').replace(/=+$/, '');
    const end = padded.length % 3 === 0 ? text.length : text.length - 1;
    const core = text.slice([0, 2, 3][offset], end);
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Secrets shorter than this are not searched for in base64: their forms would be too short. */
const BASE64_MIN = 24;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
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
