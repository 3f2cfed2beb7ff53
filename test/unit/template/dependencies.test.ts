import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function declaredPackages(): string[] {
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ];
}

/** The project's own source files: functions, tests, scripts and the build configuration. */
function sourceFiles(): string[] {
  const folders = ['functions', 'test', 'scripts'].flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|mjs|cjs)$/.test(file) && !file.includes('fixtures'))
      .map((file) => join(folder, file)),
  );
  return [...folders, 'esbuild.config.mjs', 'jest.config.cjs'];
}

/** The packages a file imports by name (`import`, `export ... from`, `require`, `import()`). */
function importedPackages(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const statements = /^\s*import\s+'([^']+)'|^[^'\n]*\bfrom\s+'([^']+)';?$/gm;
  const calls = /\b(?:require|import)\(\s*'([^']+)'\s*\)/g;
  const specifiers = [...text.matchAll(statements), ...text.matchAll(calls)].map(
    (match) => match[1] ?? match[2],
  );
  return specifiers
    .filter((specifier) => !/^(\.|node:)|\$\{/.test(specifier))
    .map((specifier) => /^(@[^/]+\/[^/]+|[^/]+)/.exec(specifier)?.[1] ?? specifier);
}

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

describe('package.json', () => {
  it('declares every package the code imports, or its types package for a type-only import', () => {
    const declared = declaredPackages();
    const missing = sourceFiles().flatMap((file) =>
      importedPackages(file)
        .filter((name) => !declared.includes(name) && !declared.includes(`@types/${name}`))
        .map((name) => `${file}: ${name}`),
    );

    expect(missing).toEqual([]);
  });

  it('finds the imports it checks, such as @smithy/core in the IAM adapter', () => {
    expect(sourceFiles()).toContain(join('functions', 'engine', 'aws', 'iam.ts'));
    expect(importedPackages('functions/engine/aws/iam.ts')).toEqual(
      expect.arrayContaining(['@aws-sdk/client-iam', '@smithy/core']),
    );
    expect(importedPackages('test/helpers/setup.ts')).toContain('aws-sdk-client-mock-jest');
  });
});

describe('the README dependency tables', () => {
  it('say why each dependency of package.json is there', () => {
    const declared = declaredPackages();

    const named = namedInReadme();

    expect(declared.filter((name) => !named.includes(name))).toEqual([]);
  });

  it('read a shortened SDK client name as its full package name', () => {
    expect(namedInReadme()).toEqual(
      expect.arrayContaining(['@aws-sdk/client-iam', '@aws-sdk/client-cloudtrail', 'esbuild']),
    );
  });
});
