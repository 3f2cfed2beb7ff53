/**
 * Bundle size and cold load time of each Lambda function, beside its floor: a bundle built with
 * the same esbuild options that only imports and constructs the same AWS SDK clients. The ratios
 * say what the function's own code and its other dependencies cost on top of the SDK it cannot
 * do without.
 *
 * Load time is measured inside a fresh Node process, from before `import()` of the bundle to
 * after it resolves, so Node's own start-up is left out. Bundle and floor runs alternate and the
 * median is reported, all in this one run. "maps" is the bundle loaded the way the functions run
 * it, with NODE_OPTIONS=--enable-source-maps.
 *
 * Usage: node scripts/bench/bundles.mjs [--runs N]   (N fresh processes per bundle, 15 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { build, sharedOptions } from '../../esbuild.config.mjs';
import { readArgs, runScript, UsageError } from '../args.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(ROOT, 'package.json'));

const USAGE = `Usage: node scripts/bench/bundles.mjs [--runs N]

Builds each Lambda function's bundle and its floor (the same AWS SDK clients, imported and
constructed, nothing else) and prints their sizes and load times side by side, as ratios.

Options:
  --runs N     fresh Node processes per bundle, whose median load time is shown (15 by default)
  -h, --help   this help

Exit codes: 0 measured; 1 the build or a load failed; 2 a wrong command line.`;

/** The client class each AWS SDK client package exports, e.g. IAMClient. */
function clientClassOf(packageName) {
  const names = Object.keys(require(packageName)).filter(
    (name) => name.endsWith('Client') && !name.startsWith('__'),
  );
  if (names.length !== 1) throw new Error(`${packageName} exports no single client class`);
  return names[0];
}

/** Builds the floor of a function: the same SDK clients, imported and constructed, nothing else. */
async function buildFloor(name, clientPackages, outdir) {
  const imports = clientPackages.map(
    (pkg, i) => `import { ${clientClassOf(pkg)} as C${i} } from '${pkg}';`,
  );
  const constructs = clientPackages.map((_, i) => `new C${i}({ region: 'us-east-1' })`);
  const source = [
    ...imports,
    `const clients = [${constructs.join(', ')}];`,
    'export const handler = async () => clients.length;',
  ].join('\n');

  const entry = join(outdir, `${name}-floor.mjs`);
  writeFileSync(entry, source);
  const outfile = join(outdir, `${name}-floor`, 'index.mjs');
  await esbuild.build({
    ...sharedOptions(),
    entryPoints: [entry],
    outfile,
    nodePaths: [join(ROOT, 'node_modules')],
  });
  return outfile;
}

/** Milliseconds to import a bundle, measured inside a fresh Node process. */
function loadTime(file, flags = []) {
  const script = [
    'const started = process.hrtime.bigint();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
  ].join('\n');
  const args = [...flags, '--no-warnings', '--input-type=module', '-e', script];
  const out = execFileSync(process.execPath, args, {
    env: { ...process.env, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    encoding: 'utf8',
  });
  return Number(out);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function sizes(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

function table(rows) {
  const header = [
    'bundle',
    'KiB',
    'floor KiB',
    'size x',
    'gzip KiB',
    'floor gzip',
    'gzip x',
    'load ms',
    'floor ms',
    'load x',
    'maps ms',
    'maps x',
  ];
  const lines = [header, ...rows].map((cells) =>
    cells
      .map((cell, i) => (i === 0 ? String(cell).padEnd(18) : String(cell).padStart(10)))
      .join(' '),
  );
  return lines.join('\n');
}

async function main() {
  const parsed = readArgs(process.argv.slice(2), {
    usage: USAGE,
    options: { runs: { type: 'string', default: '15' } },
  });
  if (parsed === undefined) return;
  const runs = Number(parsed.values.runs);
  if (!/^\d+$/.test(parsed.values.runs) || runs < 1) {
    throw new UsageError(
      `--runs must be a whole number of 1 or more; received ${JSON.stringify(parsed.values.runs)}.`,
    );
  }

  const scratch = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const built = (await build({ outdir: join(scratch, 'dist'), loadCheck: false })).filter(
      (b) => b.name !== 'cli',
    );
    const rows = [];
    for (const { name, outfile, packages } of built) {
      const clients = [...packages.keys()]
        .filter((pkg) => pkg.startsWith('@aws-sdk/client-'))
        .sort();
      const floor = await buildFloor(name, clients, scratch);

      const own = [];
      const mapped = [];
      const base = [];
      loadTime(outfile);
      loadTime(floor);
      for (let i = 0; i < runs; i += 1) {
        own.push(loadTime(outfile));
        mapped.push(loadTime(outfile, ['--enable-source-maps']));
        base.push(loadTime(floor));
      }

      const [a, b] = [sizes(outfile), sizes(floor)];
      const [ms, mappedMs, floorMs] = [median(own), median(mapped), median(base)];
      rows.push([
        name,
        (a.raw / 1024).toFixed(1),
        (b.raw / 1024).toFixed(1),
        (a.raw / b.raw).toFixed(2),
        (a.gzip / 1024).toFixed(1),
        (b.gzip / 1024).toFixed(1),
        (a.gzip / b.gzip).toFixed(2),
        ms.toFixed(1),
        floorMs.toFixed(1),
        (ms / floorMs).toFixed(2),
        mappedMs.toFixed(1),
        (mappedMs / floorMs).toFixed(2),
      ]);
      console.log(`  ${name}: floor = ${clients.map(clientClassOf).join(', ') || 'no SDK client'}`);
    }

    console.log(
      `\nFunction bundles against their floor (median of ${runs} fresh processes each)\n`,
    );
    console.log(table(rows));
    console.log(
      '\nx columns: the bundle divided by its floor, measured in this run (maps x: the load ' +
        'with --enable-source-maps, as the functions run, divided by the floor without); KiB ' +
        "and ms are this machine's figures, shown for context.",
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runScript(
  'bundles bench',
  { usage: USAGE, help: 'node scripts/bench/bundles.mjs --help', optionNames: ['runs'] },
  main,
);
