/**
 * Values that a template can promise without the engine knowing them in clear.
 *
 * A resolved template is plain JSON except where one of these stands in for a value: an
 * {@link UnknownValue} for something only known after deploy or only to a macro, and a
 * {@link SecretValue} for a NoEcho parameter, which is kept as a digest and never in clear.
 */
import { createHash } from 'node:crypto';

/** A value that cannot be known offline; `source` says where it would come from. */
export class UnknownValue {
  readonly kind = 'unknown';

  /**
   * @param source what the value depends on, e.g. `Custom::DatadogAPICall.ExternalId`
   * @param reason one sentence a user reads: why it cannot be known
   */
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {}

  toJSON(): string {
    return `<unknown: ${this.source}>`;
  }

  toString(): string {
    return this.toJSON();
  }
}

/** A secret (NoEcho) value, known only by its SHA-256 digest, if at all. */
export class SecretValue {
  readonly kind = 'secret';

  /**
   * @param parameter the parameter or property that holds the secret, e.g. `TenantExternalId`
   * @param sha256 hex digest of the clear value, when it was supplied or handed over
   */
  constructor(
    readonly parameter: string,
    readonly sha256: string | undefined,
  ) {}

  /** Whether a clear value seen live is this secret; false when the digest is unknown. */
  matches(clear: string): boolean {
    return this.sha256 !== undefined && sha256Hex(clear) === this.sha256;
  }

  toJSON(): string {
    return secretPlaceholder(this.parameter);
  }

  toString(): string {
    return this.toJSON();
  }
}

/** The text that stands wherever a secret would appear in any output. */
export function secretPlaceholder(parameter: string): string {
  return `<secret:${parameter}>`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function isUnknown(value: unknown): value is UnknownValue {
  return value instanceof UnknownValue;
}

export function isSecret(value: unknown): value is SecretValue {
  return value instanceof SecretValue;
}
