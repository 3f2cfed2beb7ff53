/**
 * Builds the Lambda bundles and the CLI.
 *
 *   functions/<name>/handler.ts  ->  dist/<name>/index.mjs   (every folder with a handler)
 *   functions/cli/bin.ts         ->  dist/cli.mjs
 *
 * Bundles are ESM for Node 20 syntax (they run on nodejs24.x and load on Node 20 here), minified
 * (class names kept, so errors name their class), with linked source maps whose paths do not
 * depend on where the checkout or the output folder is, and a LEGAL.txt naming every bundled
 * package with its version and licence, followed by the licence texts. The AWS SDK is bundled
 * from the lock file rather than taken from the Lambda runtime, so what runs is what was tested.
 * After bundling, the build refuses any bundle, the CLI's included, holding a copyleft package or
 * one that declares no licence, and a Lambda bundle holding one whose engines.node leaves out
 * Node 20 (the lock file must pin SDK releases that still run there); a refused bundle is
 * removed, not left in the output folder. It loads each Lambda bundle in a fresh Node process to
 * prove it imports and exports `handler`.
 *
 * Usage: `npm run build [-- --outdir DIR] [--skip-load-check] [--analyze]` (`-- --help` for more).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { readArgs, runScript } from './scripts/args.mjs';
import {
  bundledPackages,
  refuseBeyondNode20,
  refuseUnshippable,
  writeLegalFile,
} from './scripts/licences.mjs';

const ROOT = dirname(fileURLToPath(import.meta.url));
const FUNCTIONS_DIR = join(ROOT, 'functions');

const USAGE = `Usage: npm run build [-- --outdir DIR] [--skip-load-check] [--analyze]

Bundles every functions/<name>/handler.ts into DIR/<name>/index.mjs and the CLI into
DIR/cli.mjs, refuses any bundle holding a package that may not ship, and loads each function
bundle in a fresh Node process.

Options:
  --outdir DIR         where to write (dist/ by default)
  --skip-load-check    do not load the function bundles after building them
  --analyze            print, for each bundle, what takes its space, largest first
  -h, --help           this help

Exit codes: 0 built; 1 the build failed; 2 a wrong command line.`;

// ESM output cannot `require`, but some bundled CommonJS dependencies do (Node built-ins
// included); this gives them a real `require`, `__filename` and `__dirname`.
const ESM_REQUIRE_SHIM = [
  "import { createRequire as __cgCreateRequire } from 'node:module';",
  "import { fileURLToPath as __cgFileURLToPath } from 'node:url';",
  "import { dirname as __cgDirname } from 'node:path';",
  'const require = __cgCreateRequire(import.meta.url);',
  'const __filename = __cgFileURLToPath(import.meta.url);',
  'const __dirname = __cgDirname(__filename);',
].join('\n');

/**
 * The esbuild options every bundle shares; the benchmarks build their floor bundles with the
 * same options so the comparison is fair.
 */
export function sharedOptions() {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // Error classes name themselves after their class (new.target.name); keep those names.
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    mainFields: ['module', 'main'],
    loader: { '.yaml': 'text' },
    banner: { js: ESM_REQUIRE_SHIM },
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  };
}

/** The function folders under `sources` (functions/ by default): those with a handler.ts. */
export function functionNames(sources = FUNCTIONS_DIR) {
  return readdirSync(sources, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(sources, name, 'handler.ts')))
    .sort();
}

/**
 * Rewrites a source map's `sources` as seen from `dist/<same place>` in this checkout, whatever
 * the real output folder: esbuild writes them relative to the output file, which would put the
 * output folder's and the checkout's location into the map, and so into the zip's bytes.
 */
function anchorSourceMap(outfile, outdir) {
  const mapFile = `${outfile}.map`;
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const from = dirname(outfile);
  const standIn = join(ROOT, 'dist', relative(outdir, from));
  map.sources = map.sources.map((source) =>
    relative(standIn, resolve(from, source)).split(sep).join('/'),
  );
  writeFileSync(mapFile, JSON.stringify(map));
}

function checkLoads(file) {
  const script = [
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "if (typeof m.handler !== 'function') throw new Error('no exported handler function');",
  ].join('\n');
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' },
    timeout: 30_000,
  });
}

/**
 * Builds every function and the CLI into `outdir`, from `sources` (functions/ by default; the
 * tests build a folder of their own).
 *
 * @returns one entry per output: its name, file, esbuild metafile and the packages bundled
 *   into it (name to licence)
 */
export async function build({
  outdir = join(ROOT, 'dist'),
  loadCheck = true,
  sources = FUNCTIONS_DIR,
} = {}) {
  const built = [];

  for (const name of functionNames(sources)) {
    const outfile = join(outdir, name, 'index.mjs');
    rmSync(join(outdir, name), { recursive: true, force: true });
    built.push(await bundle(name, join(sources, name, 'handler.ts'), outfile, outdir));
    if (loadCheck) checkLoads(outfile);
  }

  const cliEntry = join(sources, 'cli', 'bin.ts');
  if (existsSync(cliEntry)) {
    const outfile = join(outdir, 'cli.mjs');
    built.push(await bundle('cli', cliEntry, outfile, outdir));
  }

  return built;
}

/**
 * Bundles one entry point and holds it to what may ship: no copyleft package and none without a
 * licence in any bundle, and in a Lambda bundle (any but `cli`) none that leaves out Node 20. A
 * refused bundle's files are removed before the error is thrown.
 */
async function bundle(name, entry, outfile, outdir) {
  const cli = name === 'cli';
  const options = sharedOptions();
  const result = await esbuild.build({
    ...options,
    entryPoints: [entry],
    outfile,
    ...(cli ? { banner: { js: `#!/usr/bin/env node\n${options.banner.js}` } } : {}),
  });
  const packages = bundledPackages(result.metafile, ROOT);
  try {
    refuseUnshippable(name, packages);
    if (!cli) refuseBeyondNode20(name, packages);
  } catch (error) {
    for (const file of [outfile, `${outfile}.map`, `${outfile}.LEGAL.txt`]) {
      rmSync(file, { force: true });
    }
    throw error;
  }
  if (cli) chmodSync(outfile, 0o755);
  writeLegalFile(outfile, packages, ROOT);
  anchorSourceMap(outfile, outdir);
  return { name, outfile, metafile: result.metafile, packages };
}

const OPTIONS = {
  outdir: { type: 'string' },
  'skip-load-check': { type: 'boolean', default: false },
  analyze: { type: 'boolean', default: false },
};

async function main() {
  const parsed = readArgs(process.argv.slice(2), { usage: USAGE, options: OPTIONS });
  if (parsed === undefined) return;
  const { values } = parsed;
  const outdir = values.outdir === undefined ? undefined : resolve(values.outdir);
  const built = await build({ outdir, loadCheck: !values['skip-load-check'] });
  for (const { name, outfile, metafile } of built) {
    const size = readFileSync(outfile).length;
    console.log(`built ${name.padEnd(18)} ${relative(ROOT, outfile)} (${kib(size)})`);
    if (values.analyze) console.log(await esbuild.analyzeMetafile(metafile, { verbose: false }));
  }
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const help = { usage: USAGE, help: 'npm run build -- --help', optionNames: Object.keys(OPTIONS) };
  runScript('build', help, main);
}
