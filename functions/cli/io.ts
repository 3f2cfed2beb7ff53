/** What a CLI command reads and writes; tests pass their own to capture output. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether standard output is a terminal (colour only then). */
  isTty: boolean;
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  found: 1,
  badInput: 2,
  incomplete: 3,
} as const;

export type Command = (args: string[], io: CliIo) => Promise<number>;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY === true,
  };
}

/**
 * What a command prints on stderr when its arguments cannot be read: the error, then only the
 * usage's first paragraph (its synopsis) and how to see every option, so the error is not lost
 * above a screen of help.
 *
 * @param command - the command's name, as typed after `connector-guard`
 * @param message - what was wrong, naming the flag and what was received
 * @param usage - the command's whole usage text, whose first paragraph is its synopsis
 */
export function usageError(command: string, message: string, usage: string): string {
  const synopsis = usage.split('\n\n')[0];
  return `${message}\n\n${synopsis}\nMore: connector-guard ${command} --help\n`;
}
