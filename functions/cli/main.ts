/**
 * The connector-guard command line: one entry point that routes to a command module. Each
 * command takes its own arguments and returns its exit code.
 */
import { type CliIo, type Command, EXIT, processIo } from './io';

type Loader = () => Promise<Command>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  check: {
    summary: 'compare a stack (live, or offline from an IAM export) with its template',
    load: async () => (await import('./check')).run,
  },
  'self-check': {
    summary: 'invoke the deployed drift-guard function and print its report',
    load: async () => (await import('./self-check')).run,
  },
  validate: {
    summary: 'check installation parameters before deploying',
    load: async () => (await import('./validate')).run,
  },
  'policy-diff': {
    summary: 'explain how two IAM policy documents differ',
    load: async () => (await import('./policy-diff')).run,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`,
  );
  return `Usage: connector-guard <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun a command with --help for its options.\n`;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`A command is needed.\n\n${usage()}`);
    return EXIT.badInput;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return EXIT.ok;
  }

  const command = COMMANDS[name];
  if (command === undefined) {
    const known = Object.keys(COMMANDS).join(', ');
    io.stderr(`Unknown command "${name}": expected one of ${known}.\n`);
    return EXIT.badInput;
  }

  const run = await command.load();
  return run(rest, io);
}
