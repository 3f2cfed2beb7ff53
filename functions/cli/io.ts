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
