/**
 * `npm run demo`: the offline drift check of the product's own template against an example
 * account in which someone widened the Tenant role's trust, attached an administrator policy,
 * added an inline policy and removed a permissions boundary. Every finding comes from the
 * engine: change an input under examples/ and the report changes.
 *
 * Builds dist/cli.mjs first when it is missing or older than the sources. Extra arguments go to
 * `check` (e.g. `npm run demo -- --format markdown`). `--refresh` first rebuilds the example
 * export, role list and stack resources from the current template (examples/build-export.mjs).
 *
 * Exits 0 when the check ran (its own exit code, 1 for drift found, is printed), 2 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.mjs');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 2;
}

const args = process.argv.slice(2);
const refresh = args.includes('--refresh');
const passThrough = args.filter((a) => a !== '--refresh');

const sources = Math.max(newest(join(ROOT, 'functions')), newest(join(ROOT, 'template')));
if (!existsSync(CLI) || statSync(CLI).mtimeMs < sources) {
  console.error('Building dist/cli.mjs ...');
  if (run(process.execPath, ['esbuild.config.mjs']) !== 0) process.exit(2);
}
if (refresh && run(process.execPath, ['examples/build-export.mjs']) !== 0) process.exit(2);

const checkArgs = [
  'check',
  '--template',
  'template/connector.yaml',
  '--params',
  'examples/connector-parameters.json',
  '--snapshot',
  'examples/account-authorization-details.json',
  '--roles',
  'examples/list-roles.json',
  '--resources',
  'examples/stack-resources.json',
  ...passThrough,
];
console.error(`$ node dist/cli.mjs ${checkArgs.join(' ')}\n`);
const code = run(process.execPath, [CLI, ...checkArgs]);
const meaning = { 0: 'in line', 1: 'drift found', 2: 'could not run', 3: 'something not checked' };
console.error(`\ncheck exited ${code} (${meaning[code] ?? 'unexpected'}).`);
process.exit(code === 2 ? 2 : 0);
