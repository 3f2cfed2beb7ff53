/**
 * The command lines of the build, packaging and benchmark scripts: help on stdout with exit 0, a
 * wrong command named on stderr with the synopsis and exit 2, a failed run with exit 1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

// Every case runs a script in a fresh Node process; this bounds a hung run, it measures nothing.
jest.setTimeout(60_000);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script from the repository root, as `npm run` would, and returns how it ended. */
function script(file: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(config|lifecycle)_/.test(name)),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...clean, ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : Number(error.code);
        done({ code, stdout, stderr });
      },
    );
  });
}

const SCRIPTS = [
  ['package', 'scripts/package.mjs', ['--bucket-prefix', '--key-prefix', '--regions']],
  ['bench', 'scripts/bench.mjs', ['NAME']],
  ['bundles bench', 'scripts/bench/bundles.mjs', ['--runs']],
  ['build', 'esbuild.config.mjs', ['--outdir', '--analyze']],
] as const;

describe('the scripts run by npm', () => {
  it.each(SCRIPTS)(
    '%s prints its usage on stdout for --help and exits 0',
    async (_, file, named) => {
      for (const flag of ['--help', '-h']) {
        const { code, stdout, stderr } = await script(file, [flag]);

        expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
        expect(stdout).toMatch(/^Usage: /);
        for (const word of named) expect(stdout).toContain(word);
        expect(stdout).toContain('Exit codes: 0');
      }
    },
  );

  it.each(SCRIPTS)('%s names an unknown option and exits 2', async (name, file) => {
    const { code, stdout, stderr } = await script(file, ['--bogus']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^${name}: Unknown option '--bogus'\\.\\n\\nUsage: `));
    expect(stderr).toMatch(/\nMore: \S.* --help\n$/);
  });

  it('package names a missing bucket prefix as required, and exits 2', async () => {
    const { code, stderr } = await script('scripts/package.mjs', ['--skip-build']);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^package: --bucket-prefix is required: .*; received nothing\.\n/);
  });

  it('package says npm took its options when they were given without --', async () => {
    // `npm run package --bucket-prefix demo`: npm keeps the flag and passes `demo` alone.
    const npm = { npm_lifecycle_event: 'package', npm_config_bucket_prefix: 'true' };

    const { code, stderr } = await script('scripts/package.mjs', ['demo'], npm);

    expect(code).toBe(2);
    expect(stderr).toContain("Unexpected argument 'demo'");
    expect(stderr).toContain(
      "npm read --bucket-prefix as its own setting, not this script's: put -- before the " +
        "script's options, as in `npm run package -- --bucket-prefix ...`.",
    );
  });

  it('package gives no npm hint when run without npm', async () => {
    const { code, stderr } = await script('scripts/package.mjs', ['demo']);

    expect(code).toBe(2);
    expect(stderr).not.toContain('npm read');
  });

  it('package exits 1 when there is nothing built to package', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'package-empty-'));
    try {
      const args = ['--bucket-prefix', 'acme-code', '--skip-build', '--outdir', empty];

      const { code, stderr } = await script('scripts/package.mjs', args);

      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^package failed: .*index\.mjs is missing; build without --skip-build/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('bench lists every benchmark in its usage', async () => {
    const names = readdirSync(join(ROOT, 'scripts/bench'))
      .filter((file) => file.endsWith('.mjs'))
      .map((file) => file.replace(/\.mjs$/, ''));

    const { stdout } = await script('scripts/bench.mjs', ['--help']);

    expect(stdout).toContain(`Benchmarks: ${names.sort().join(', ')}\n`);
  });

  it('bench names an unknown benchmark and the known ones, and exits 2 before building', async () => {
    const { code, stdout, stderr } = await script('scripts/bench.mjs', ['bundels']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^bench: No benchmark named bundels; the benchmarks are bundles, /);
  });

  it('the bundles bench refuses a run count that is not a whole number of 1 or more', async () => {
    for (const runs of ['0', '2.5', 'many']) {
      const { code, stderr } = await script('scripts/bench/bundles.mjs', ['--runs', runs]);

      expect(code).toBe(2);
      expect(stderr).toContain(
        `--runs must be a whole number of 1 or more; received ${JSON.stringify(runs)}.`,
      );
    }
  });
});
