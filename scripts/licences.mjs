/**
 * The licences of the third-party packages inside a bundle, read from esbuild's metafile: the
 * build refuses a bundle holding a copyleft package or a package that names no licence, and
 * writes beside each bundle a LEGAL.txt listing every package it holds (name, version, licence)
 * followed by the licence and NOTICE files those packages ship.
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
  return { version: String(manifest.version ?? 'unknown'), licence, dir };
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
