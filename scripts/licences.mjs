/**
 * What may ship in a bundle, read from esbuild's metafile and the bundled packages' manifests:
 * the build refuses a bundle holding a copyleft package, a package that names no licence, or a
 * package whose `engines.node` leaves out Node 20 (the functions' bundles must run there too),
 * and writes beside each bundle a LEGAL.txt listing every package it holds (name, version,
 * licence) followed by the licence and NOTICE files those packages ship.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COPYLEFT = /\b(A|L)?GPL\b|\bGPL-|\bAGPL|\bLGPL|\bSSPL\b|\bEUPL\b|\bMPL\b|\bCDDL\b|\bEPL\b/i;
const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i;

function packageOf(inputPath) {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) return undefined;
  const scoped = parts[at + 1]?.startsWith('@');
  const name = scoped ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const dir = parts.slice(0, at + 1 + (scoped ? 2 : 1)).join('/');
  return { name, dir };
}

function packageInfo(root, dir) {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const declared = manifest.license ?? manifest.licenses;
  const licence =
    declared === undefined
      ? 'UNKNOWN'
      : typeof declared === 'string'
        ? declared
        : JSON.stringify(declared);
  const node = manifest.engines?.node;
  return { version: String(manifest.version ?? 'unknown'), licence, node, dir };
}

/**
 * The third-party packages a bundle holds, by name, with version, licence and folder (relative to
 * `root`, the folder esbuild ran in), sorted by name.
 */
export function bundledPackages(metafile, root) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const found = packageOf(input);
    if (found && !packages.has(found.name)) packages.set(found.name, packageInfo(root, found.dir));
  }
  return new Map([...packages].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Throws when a bundle holds a copyleft package or one whose licence is not declared. */
export function refuseUnshippable(bundleName, packages) {
  const listed = (entries) => entries.map(([pkg, p]) => `${pkg} (${p.licence})`).join(', ');
  const copyleft = [...packages].filter(([, p]) => COPYLEFT.test(p.licence));
  if (copyleft.length > 0) {
    throw new Error(
      `The ${bundleName} bundle contains copyleft packages, which may not ship: ${listed(copyleft)}.`,
    );
  }
  const unknown = [...packages].filter(([, p]) => p.licence === 'UNKNOWN');
  if (unknown.length > 0) {
    throw new Error(
      `The ${bundleName} bundle contains packages that declare no licence, which may not ship: ${listed(unknown)}.`,
    );
  }
}

const NODE_20 = [20, 99, 99];

function compare(a, b) {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Whether one comparator of a semver range (`>=18.0.0`, `^20`, `<21`, `20.x`) admits v. */
function admits(comparator, v) {
  const match = /^(>=|<=|>|<|\^|~|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(comparator);
  if (match === null) return undefined;
  const [, op = '=', ...parts] = match;
  const wild = parts.map((p) => p === undefined || p === 'x' || p === '*');
  const bound = parts.map((p, i) => (wild[i] ? 0 : Number(p)));
  const order = compare(v, bound);
  if (op === '>=') return order >= 0;
  if (op === '>') return order > 0;
  if (op === '<=') return order <= 0 || (wild[1] && v[0] === bound[0]);
  if (op === '<') return order < 0;
  if (op === '^') return v[0] === bound[0] && order >= 0;
  if (op === '~') return v[0] === bound[0] && (wild[1] || v[1] === bound[1]) && order >= 0;
  return wild.every((w, i) => w || v[i] === bound[i]);
}

/** Whether a Node 20 release satisfies an `engines.node` range; undefined when unreadable. */
export function runsOnNode20(range) {
  if (range === undefined || range.trim() === '' || range.trim() === '*') return true;
  const verdicts = range.split('||').map((alternative) => {
    const comparators = alternative
      .trim()
      .replace(/([<>=^~])\s+/g, '$1')
      .split(/\s+/);
    const each = comparators.map((c) => admits(c, NODE_20));
    if (each.includes(undefined)) return undefined;
    return each.every(Boolean);
  });
  if (verdicts.includes(true)) return true;
  return verdicts.includes(undefined) ? undefined : false;
}

/** Throws when a bundle holds a package whose engines.node leaves out Node 20, or is unreadable. */
export function refuseBeyondNode20(bundleName, packages) {
  const offenders = [...packages].filter(([, p]) => runsOnNode20(p.node) !== true);
  if (offenders.length === 0) return;
  const listed = offenders.map(([pkg, p]) => `${pkg} ${p.version} (engines.node ${p.node})`);
  throw new Error(
    `The ${bundleName} bundle contains packages that do not declare support for Node 20: ${listed.join(', ')}. Pin a release that does in the lock file.`,
  );
}

function licenceTexts(root, packages) {
  const byText = new Map();
  for (const [name, { dir }] of packages) {
    const folder = join(root, dir);
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => LICENCE_FILE.test(f)) : [];
    for (const file of files.sort()) {
      const text = readFileSync(join(folder, file), 'utf8').trim();
      const digest = createHash('sha256').update(text).digest('hex');
      const entry = byText.get(digest) ?? { text, owners: [] };
      entry.owners.push(`${name}/${file}`);
      byText.set(digest, entry);
    }
  }
  return [...byText.values()];
}

/**
 * Writes `<outfile>.LEGAL.txt`: the packages the bundle holds, then each distinct licence or
 * NOTICE text with the packages that ship it, then the legal comments esbuild kept from the
 * sources (already in that file when esbuild wrote it).
 */
export function writeLegalFile(outfile, packages, root) {
  const legalFile = `${outfile}.LEGAL.txt`;
  const comments = existsSync(legalFile) ? readFileSync(legalFile, 'utf8').trim() : '';
  const lines = [
    `Third-party packages in ${outfile.split(/[\\/]/).pop()}: name, version, licence.`,
    '',
    ...[...packages].map(([name, p]) => `${name} ${p.version} ${p.licence}`),
  ];
  for (const { text, owners } of licenceTexts(root, packages)) {
    lines.push('', '='.repeat(79), `Shipped by: ${owners.join(', ')}`, '-'.repeat(79), text);
  }
  if (comments !== '') lines.push('', '='.repeat(79), comments);
  writeFileSync(legalFile, `${lines.join('\n')}\n`);
}
