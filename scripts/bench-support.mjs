/**
 * What the benchmarks in scripts/bench share: their `--runs` option and bundling a piece of the
 * engine with esbuild as the Lambda build does, so that what is timed is the shipped code. It
 * lives beside scripts/bench, not in it, because every file there is run as a benchmark.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

/**
 * The benchmark's `--runs N` (at least 3, so that a median means something).
 *
 * @param {number} fallback the number of runs when --runs is not given
 * @returns {number}
 */
export function runsOption(fallback) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: String(fallback) } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 3) {
    throw new Error(`--runs must be a whole number of 3 or more; received ${values.runs}`);
  }
  return runs;
}

/**
 * Bundles TypeScript source, minified for Node 20 as the functions are, into `outdir/name.cjs`
 * and loads it.
 *
 * @param {string} outdir a scratch directory
 * @param {string} name the bundle's file name, without .cjs
 * @param {{ entryPoints?: string[], stdin?: object }} source what to bundle (esbuild's options)
 * @returns {Promise<any>} the bundle's exports
 */
export async function loadBundle(outdir, name, source) {
  const outfile = join(outdir, `${name}.cjs`);
  await esbuild.build({
    ...source,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    outfile,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

/**
 * Runs `fn` `runs` times and returns the median time of one run, in milliseconds.
 *
 * @param {number} runs how many times to run it
 * @param {() => unknown} fn the work to time
 * @returns {number}
 */
export function medianMs(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
