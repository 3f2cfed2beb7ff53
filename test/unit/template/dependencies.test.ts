import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** The first cell of every row of the README's dependency tables, split into package names. */
function namedInReadme(): string[] {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Dependencies'));
  const names: string[] = [];
  for (const [, cell] of section.matchAll(/^\| ([^|]+) \|/gm)) {
    const written = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const scope = written[0]?.match(/^(@[^/]+\/[a-z]+-)/)?.[1];
    for (const name of written)
      names.push(name.startsWith('-') && scope ? `${scope}${name.slice(1)}` : name);
  }
  return names;
}

describe('the README dependency tables', () => {
  it('say why each dependency of package.json is there', () => {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
    const declared = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
    ];

    const named = namedInReadme();

    expect(declared.filter((name) => !named.includes(name))).toEqual([]);
  });

  it('read a shortened SDK client name as its full package name', () => {
    expect(namedInReadme()).toEqual(
      expect.arrayContaining(['@aws-sdk/client-iam', '@aws-sdk/client-cloudtrail', 'esbuild']),
    );
  });
});
