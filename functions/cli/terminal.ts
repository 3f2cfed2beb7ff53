/**
 * What the commands show a person at a terminal beyond their output: whether to colour it, and
 * the engine's warnings as notes on stderr.
 */
import { type Log, scrubText } from '../engine/log';
import type { CliIo } from './io';

/** Colour only on a terminal, and never when NO_COLOR is set to anything (no-color.org). */
export function colorWanted(io: CliIo): boolean {
  return io.isTty && (io.env.NO_COLOR ?? '') === '';
}

/**
 * The engine's warnings (an account-wide read that fell back to per-role reads, exports that
 * could not be listed) as notes on stderr, scrubbed of secrets; the rest, meant for the
 * functions' logs, is dropped.
 */
export function stderrLog(io: CliIo): Log {
  const note = (message: string, fields: Record<string, unknown> = {}) => {
    const cause = typeof fields.error === 'string' ? ` (${fields.error})` : '';
    io.stderr(scrubText(`Note: ${message}${cause}\n`));
  };
  const quiet = () => {};
  return { debug: quiet, info: quiet, warn: note, error: note };
}
