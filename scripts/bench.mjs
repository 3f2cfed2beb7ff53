/**
 * `npm run bench`: builds the bundles and the CLI into dist/, then runs every benchmark in
 * scripts/bench/*.mjs, one after the other so they do not disturb each other's timings, each in
 * its own Node process under this one. Their tables go straight to the terminal; a summary of
 * which benchmarks ran, passed and how long they took closes the run.
 *
 * Usage: npm run bench [-- NAME ...]   (only the named benchmarks, e.g. `-- bundles drift`)
 * Exit codes: 0 every benchmark passed; 1 one failed or the build did; 2 a wrong command line.
 *
 * Benchmarks receive BENCH_DIST (the dist/ directory just built) in their environment and may
 * use dist/cli.mjs and dist/<function>/index.mjs without building again.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../esbuild.config.mjs';
import { readArgs, runScript, UsageError } from './args.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(ROOT, 'scripts', 'bench');
const DIST = join(ROOT, 'dist');

function usage() {
  const names = benchmarks([]).map((b) => b.name);
  return `Usage: npm run bench [-- NAME ...]

Builds dist/, then runs every benchmark in scripts/bench/, or only the ones named, each in its
own Node process, and prints their tables and a summary.

Benchmarks: ${names.join(', ')}
A benchmark's own options are in the comment at the top of its file; give them by running it
alone after a build: npm run build && node scripts/bench/NAME.mjs [options]

Exit codes: 0 every benchmark passed; 1 one failed, or the build did; 2 a wrong command line.`;
}

function benchmarks(only) {
  const all = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => ({ name: basename(file, '.mjs'), file: join(BENCH_DIR, file) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (only.length === 0) return all;
  const unknown = only.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    const known = all.map((b) => b.name).join(', ');
    throw new UsageError(`No benchmark named ${unknown.join(', ')}; the benchmarks are ${known}.`);
  }
  return all.filter((b) => only.includes(b.name));
}

function run(file) {
  return new Promise((resolveRun) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      stdio: 'inherit',
      // Node's process warnings (the AWS SDK's notice about Node 20) would break up the tables.
      env: {
        ...process.env,
        BENCH_DIST: DIST,
        AWS_EC2_METADATA_DISABLED: 'true',
        NODE_NO_WARNINGS: '1',
      },
    });
    const finish = (code) =>
      resolveRun({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    child.once('error', () => finish(1));
    child.once('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const parsed = readArgs(process.argv.slice(2), {
    usage: usage(),
    options: {},
    allowPositionals: true,
  });
  if (parsed === undefined) return;
  const selected = benchmarks(parsed.positionals);
  console.log('Building dist/ ...');
  await build({ outdir: DIST });

  const results = [];
  for (const bench of selected) {
    console.log(`\n=== ${bench.name} (scripts/bench/${basename(bench.file)}) ===\n`);
    results.push({ ...bench, ...(await run(bench.file)) });
  }

  console.log('\n=== summary ===');
  for (const r of results) {
    const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`;
    console.log(`  ${r.name.padEnd(16)} ${status.padEnd(18)} ${r.seconds.toFixed(1)} s`);
  }
  if (results.some((r) => r.code !== 0)) process.exitCode = 1;
}

runScript('bench', { usage: usage(), help: 'npm run bench -- --help' }, main);
