/**
 * What the project's scripts (`npm run package`, `npm run bench`, a benchmark run on its own)
 * share on the command line, so that they answer alike:
 *
 * - `-h` or `--help` prints the usage on stdout and exits 0;
 * - a wrong command (unknown option, missing or bad value, stray argument) prints what is wrong,
 *   the usage's first lines and how to get the rest on stderr, and exits 2, as the CLI does for
 *   bad input;
 * - any other failure prints `<script> failed: <reason>` on stderr and exits 1.
 */
import { parseArgs } from 'node:util';

/** A command line the script cannot run; the message names the flag and what was received. */
export class UsageError extends Error {
  name = 'UsageError';
}

/**
 * Reads `argv` with node:util's parseArgs (strict), or returns `undefined` after printing the
 * usage when help was asked for. Parse errors become a {@link UsageError}.
 *
 * @param {string[]} argv the arguments after the script's path
 * @param {{ usage: string, options: Record<string, object>, allowPositionals?: boolean }} spec
 */
export function readArgs(argv, { usage, options, allowPositionals = false }) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return undefined;
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    if (!String(error?.code).startsWith('ERR_PARSE_ARGS_')) throw error;
    // Node's advice on positionals that start with '-' fits no script here; leave it out.
    const message = error.message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message.replace(/\.?$/, '.'));
  }
}

/**
 * Under `npm run` without `--`, npm takes the script's options as its own settings and passes
 * only their values on (`npm run package --bucket-prefix demo` runs the script with `demo`).
 * npm then exposes them as `npm_config_<name>`; this names the ones it took, if any.
 *
 * @param {string[]} optionNames the script's long option names, without dashes
 * @returns {string | undefined} a sentence to add to a usage error
 */
export function npmTookOptions(optionNames, env = process.env) {
  if (env.npm_lifecycle_event === undefined) return undefined;
  const taken = optionNames.filter(
    (name) => env[`npm_config_${name.replaceAll('-', '_')}`] !== undefined,
  );
  if (taken.length === 0) return undefined;
  const flags = taken.map((name) => `--${name}`).join(', ');
  return (
    `npm read ${flags} as its own setting, not this script's: put -- before the script's ` +
    `options, as in \`npm run ${env.npm_lifecycle_event} -- --${taken[0]} ...\`.`
  );
}

/**
 * Runs a script's `main`, mapping what it throws to a message and an exit code: 2 for a
 * {@link UsageError}, followed by the usage's first paragraph and the command that shows all of
 * it; 1 otherwise.
 *
 * @param {string} script the name the messages start with, e.g. `package`
 * @param {{ usage: string, help: string, optionNames?: string[] }} how `help` is the command
 *   that prints the whole usage, e.g. `npm run package -- --help`
 * @param {() => Promise<void>} main
 */
export function runScript(script, { usage, help, optionNames = [] }, main) {
  main().catch((error) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      const hint = npmTookOptions(optionNames);
      const synopsis = usage.split('\n\n')[0];
      console.error(
        `${script}: ${message}${hint ? `\n${hint}` : ''}\n\n${synopsis}\nMore: ${help}`,
      );
      process.exitCode = 2;
      return;
    }
    console.error(`${script} failed: ${message}`);
    process.exitCode = 1;
  });
}
