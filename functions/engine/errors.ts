/**
 * The base of every error connector-guard raises on purpose. Subclasses set `name`, keep the
 * cause, and carry structured context a caller can act on; the message is one sentence naming
 * the input, what was expected and what was received. Secrets never go into either.
 */
export class ConnectorGuardError extends Error {
  readonly context: Record<string, unknown>;

  constructor(
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** Input a user supplied (a file, a flag, an event) that cannot be used as it is. */
export class InputError extends ConnectorGuardError {}

/** Describes an error caught as `unknown` in one line, without its stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
