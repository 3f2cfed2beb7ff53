/**
 * The build's own rules (esbuild.config.mjs and scripts/licences.mjs), run in a fresh Node
 * process because both are ES modules: what may ship in a bundle, and what a bundle keeps.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const LICENCES = pathToFileURL(join(ROOT, 'scripts/licences.mjs')).href;
const CONFIG = pathToFileURL(join(ROOT, 'esbuild.config.mjs')).href;

/** Runs an ES module script from the repository root and returns what it printed. */
async function node(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    timeout: 60_000,
  });
  return stdout.trim();
}

/** A folder holding node_modules/<name> with the given package.json fields and files. */
function fakePackages(root: string, packages: Record<string, Record<string, unknown>>): void {
  for (const [name, manifest] of Object.entries(packages)) {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', ...manifest }),
    );
    writeFileSync(join(dir, 'LICENSE'), `The licence text of ${name}.`);
    writeFileSync(join(dir, 'index.js'), `exports.name = ${JSON.stringify(name)};`);
  }
}

/**
 * Runs the real build on a folder of sources holding only `entry` (a CLI's `cli/bin.ts` or a
 * function's `<name>/handler.ts`), which imports `imported` from the scratch packages; returns
 * what the build said ('built' when it did not refuse) and the output folder.
 */
async function buildImporting(root: string, entry: string, imported: string) {
  const sources = mkdtempSync(join(root, 'sources-'));
  const outdir = join(sources, 'out');
  mkdirSync(join(sources, entry, '..'), { recursive: true });
  writeFileSync(
    join(sources, entry),
    `import { name } from '${imported}';\nexport const handler = () => name;\n`,
  );
  const said = await node(`
    import { build } from '${CONFIG}';
    const options = { outdir: ${JSON.stringify(outdir)}, sources: ${JSON.stringify(sources)} };
    try { await build({ ...options, loadCheck: false }); console.log('built'); }
    catch (error) { console.log(error.message); }
  `);
  return { said, outdir };
}

/** What refuseUnshippable says of a bundle holding these fake packages ('ok' when nothing). */
async function verdict(root: string, names: string[]): Promise<string> {
  const inputs = Object.fromEntries(names.map((n) => [`node_modules/${n}/index.js`, {}]));
  return node(`
    import { bundledPackages, refuseUnshippable } from '${LICENCES}';
    const packages = bundledPackages({ inputs: ${JSON.stringify(inputs)} }, ${JSON.stringify(root)});
    try { refuseUnshippable('drift-guard', packages); console.log('ok'); }
    catch (error) { console.log(error.message); }
  `);
}

describe('the build', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'build-'));
    fakePackages(scratch, {
      permissive: { license: 'MIT' },
      'copyleft-lib': { license: 'GPL-3.0-or-later' },
      'weak-copyleft': { license: 'LGPL-2.1' },
      unlicensed: {},
      'node-18-up': { license: 'MIT', engines: { node: '>= 18.0' } },
      'node-22-only': { license: 'MIT', version: '4.0.0', engines: { node: '>=22.0.0' } },
    });
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lets a bundle of permissive packages ship', async () => {
    expect(await verdict(scratch, ['permissive'])).toBe('ok');
  });

  it('refuses a bundle holding a copyleft package, naming it and its licence', async () => {
    expect(await verdict(scratch, ['permissive', 'copyleft-lib', 'weak-copyleft'])).toBe(
      'The drift-guard bundle contains copyleft packages, which may not ship: ' +
        'copyleft-lib (GPL-3.0-or-later), weak-copyleft (LGPL-2.1).',
    );
  });

  it.each([
    ['the CLI bundle', 'cli/bin.ts', 'cli', 'cli.mjs'],
    ['a function bundle', 'probe/handler.ts', 'probe', 'probe/index.mjs'],
  ])(
    'refuses %s holding a copyleft package and leaves none of it behind',
    async (_, entry, name, file) => {
      const { said, outdir } = await buildImporting(scratch, entry, 'copyleft-lib');

      expect(said).toBe(
        `The ${name} bundle contains copyleft packages, which may not ship: ` +
          'copyleft-lib (GPL-3.0-or-later).',
      );
      for (const suffix of ['', '.map', '.LEGAL.txt']) {
        expect(existsSync(join(outdir, `${file}${suffix}`))).toBe(false);
      }
    },
  );

  it('builds a CLI bundle of permissive packages, naming them in its LEGAL.txt', async () => {
    const { said, outdir } = await buildImporting(scratch, 'cli/bin.ts', 'permissive');

    expect(said).toBe('built');
    expect(readFileSync(join(outdir, 'cli.mjs.LEGAL.txt'), 'utf8')).toContain(
      '\npermissive 1.0.0 MIT\n',
    );
  });

  it('refuses a bundle holding a package that declares no licence', async () => {
    expect(await verdict(scratch, ['unlicensed'])).toBe(
      'The drift-guard bundle contains packages that declare no licence, which may not ship: ' +
        'unlicensed (UNKNOWN).',
    );
  });

  it.each([
    ['>=20.0.0', true],
    ['>= 14.6', true],
    ['^18 || ^20.1', true],
    ['>=18 <21', true],
    ['20.x', true],
    ['>=22', false],
    ['^18', false],
    ['>=16 <20', false],
  ])('reads engines.node %j as %s for Node 20', async (range, expected) => {
    const verdict = await node(`
      import { runsOnNode20 } from '${LICENCES}';
      console.log(runsOnNode20(${JSON.stringify(range)}));
    `);

    expect(verdict).toBe(String(expected));
  });

  it('refuses a bundle holding a package that leaves out Node 20, naming its range', async () => {
    const inputs = ['node-18-up', 'node-22-only'].map((n) => [`node_modules/${n}/index.js`, {}]);

    const message = await node(`
      import { bundledPackages, refuseBeyondNode20 } from '${LICENCES}';
      const packages = bundledPackages({ inputs: ${JSON.stringify(Object.fromEntries(inputs))} }, ${JSON.stringify(scratch)});
      try { refuseBeyondNode20('drift-guard', packages); console.log('ok'); }
      catch (error) { console.log(error.message); }
    `);

    expect(message).toBe(
      'The drift-guard bundle contains packages that do not declare support for Node 20: ' +
        'node-22-only 4.0.0 (engines.node >=22.0.0). Pin a release that does in the lock file.',
    );
  });

  it('writes the package list and each licence text beside the bundle', async () => {
    const outfile = join(scratch, 'index.mjs');
    const inputs = { 'node_modules/permissive/index.js': {}, 'node_modules/@a/b/x.js': {} };
    fakePackages(scratch, { '@a/b': { license: 'Apache-2.0', version: '2.3.4' } });

    await node(`
      import { bundledPackages, writeLegalFile } from '${LICENCES}';
      const root = ${JSON.stringify(scratch)};
      writeLegalFile(${JSON.stringify(outfile)}, bundledPackages({ inputs: ${JSON.stringify(inputs)} }, root), root);
    `);

    const legal = readFileSync(`${outfile}.LEGAL.txt`, 'utf8');
    expect(legal).toContain('\n@a/b 2.3.4 Apache-2.0\npermissive 1.0.0 MIT\n');
    expect(legal).toContain('Shipped by: @a/b/LICENSE\n');
    expect(legal).toContain('The licence text of permissive.');
  });

  it('keeps class names through minification, so an error names its class', async () => {
    const entry = join(scratch, 'entry.ts');
    const outfile = join(scratch, 'named', 'index.mjs');
    writeFileSync(
      entry,
      [
        'class InputError extends Error {',
        '  constructor(message: string) { super(message); this.name = new.target.name; }',
        '}',
        'export const handler = () => new InputError("bad").name;',
      ].join('\n'),
    );

    const name = await node(`
      import * as esbuild from 'esbuild';
      import { sharedOptions } from '${CONFIG}';
      await esbuild.build({ ...sharedOptions(), entryPoints: [${JSON.stringify(entry)}], outfile: ${JSON.stringify(outfile)} });
      const bundle = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      console.log(bundle.handler());
    `);

    expect(name).toBe('InputError');
  });
});
