import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dig, loadTemplate, parseCfnYaml, subVariable, templateText } from './support/template';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const FUNCTIONS = ['drift-guard', 'install-validator'];

// Each case that packages runs the script in a fresh Node process, which takes seconds on a
// busy machine; this bounds a hung run, it measures nothing.
jest.setTimeout(60_000);

interface ZipEntry {
  name: string;
  dosTime: number;
  dosDate: number;
}

/** The entries of a zip's central directory. */
function zipEntries(zip: Buffer): ZipEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
    });
    at += 46 + skip;
  }
  return entries;
}

async function packageInto(outdir: string, ...extra: string[]) {
  return run(
    process.execPath,
    [
      'scripts/package.mjs',
      '--bucket-prefix',
      'acme-code',
      '--key-prefix',
      'cg/1.0.0/',
      '--outdir',
      outdir,
      ...extra,
    ],
    { cwd: ROOT, timeout: 120_000 },
  );
}

describe('npm run package', () => {
  let scratch: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'package-'));
    first = join(scratch, 'first');
    // Deeper than the first, so that no output path can reach the bytes unnoticed.
    second = join(scratch, 'second', 'deeper');
    await packageInto(first);
    await packageInto(second, '--regions', 'eu-west-1');
  }, 240_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists the digest Lambda reports as CodeSha256 for each zip in the manifest', () => {
    const manifest = JSON.parse(readFileSync(join(first, 'package', 'manifest.json'), 'utf8'));

    for (const name of FUNCTIONS) {
      const { file, codeSha256 } = manifest.functions[name];
      const zip = readFileSync(join(first, 'package', file));
      expect(codeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    }
  });

  it('names each zip after its content digest', () => {
    const files = readdirSync(join(first, 'package')).filter((f) => f.endsWith('.zip'));

    expect(files.map((f) => f.replace(/-[0-9a-f]{64}\.zip$/, '')).sort()).toEqual(FUNCTIONS);
    for (const file of files) {
      const digest = createHash('sha256')
        .update(readFileSync(join(first, 'package', file)))
        .digest('hex');
      expect(file).toContain(digest);
    }
  });

  it('writes the same bytes from the same sources, whatever the output folder', () => {
    const firstFiles = readdirSync(join(first, 'package')).sort();
    const secondFiles = readdirSync(join(second, 'package')).sort();

    expect(secondFiles).toEqual(firstFiles);
    for (const file of firstFiles) {
      expect(
        readFileSync(join(second, 'package', file)).equals(
          readFileSync(join(first, 'package', file)),
        ),
      ).toBe(true);
    }
    expect(readFileSync(join(second, 'template.yaml'), 'utf8')).toBe(
      readFileSync(join(first, 'template.yaml'), 'utf8'),
    );
  });

  it('puts the bundle, its source map and licences in each zip, with one fixed timestamp', () => {
    for (const file of readdirSync(join(first, 'package')).filter((f) => f.endsWith('.zip'))) {
      const entries = zipEntries(readFileSync(join(first, 'package', file)));

      expect(entries.map((e) => e.name)).toEqual([
        'index.mjs',
        'index.mjs.map',
        'index.mjs.LEGAL.txt',
      ]);
      expect(new Set(entries.map((e) => `${e.dosDate}:${e.dosTime}`)).size).toBe(1);
    }
  });

  it('lists every package a bundle holds with its version and licence, then the licence texts', () => {
    const legal = readFileSync(join(first, 'drift-guard', 'index.mjs.LEGAL.txt'), 'utf8');
    const iam = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/@aws-sdk/client-iam/package.json'), 'utf8'),
    );

    expect(legal).toContain(`\n@aws-sdk/client-iam ${iam.version} Apache-2.0\n`);
    expect(legal).toMatch(/\nyaml \d+\.\d+\.\d+ ISC\n/);
    expect(legal).toMatch(/Shipped by: [^\n]*@aws-sdk\/client-iam\/LICENSE/);
    expect(legal).toContain('Apache License');
  });

  it('points each function of the packaged template at its zip and fills in the code defaults', () => {
    const manifest = JSON.parse(readFileSync(join(first, 'package', 'manifest.json'), 'utf8'));
    const packaged = parseCfnYaml(readFileSync(join(first, 'template.yaml'), 'utf8'));

    expect(packaged.Parameters.CodeBucketPrefix.Default).toBe('acme-code');
    expect(packaged.Parameters.CodeKeyPrefix.Default).toBe('cg/1.0.0/');
    const keys = {
      'install-validator': dig(
        packaged.Resources.InstallValidatorFunction,
        'Properties',
        'Code',
        'S3Key',
      ),
      'drift-guard': dig(packaged.Resources.DriftGuardFunction, 'Properties', 'Code', 'S3Key'),
    };
    for (const [name, key] of Object.entries(keys)) {
      expect(key).toEqual({
        'Fn::Sub': `${subVariable('CodeKeyPrefix')}${manifest.functions[name].file}`,
      });
      expect(manifest.functions[name].key).toBe(`cg/1.0.0/${manifest.functions[name].file}`);
    }
  });

  it('fits the 51,200 bytes CloudFormation accepts in a request, leaving the comments out', () => {
    const packaged = readFileSync(join(first, 'template.yaml'));

    expect(packaged.length).toBeLessThanOrEqual(51_200);
    expect(packaged.toString('utf8')).not.toMatch(/^\s*#/m);
    expect(templateText()).toMatch(/^\s*# /m);
  });

  it('changes nothing else in the template', () => {
    const source = loadTemplate();
    const packaged = parseCfnYaml(readFileSync(join(first, 'template.yaml'), 'utf8'));

    for (const template of [source, packaged]) {
      delete template.Parameters.CodeBucketPrefix.Default;
      delete template.Parameters.CodeKeyPrefix.Default;
      for (const id of ['InstallValidatorFunction', 'DriftGuardFunction']) {
        delete (dig(template.Resources[id], 'Properties', 'Code') as Record<string, unknown>).S3Key;
      }
    }
    expect(packaged).toEqual(source);
  });

  it('prints the upload command for each region asked for', async () => {
    const { stdout } = await packageInto(
      second,
      '--skip-build',
      '--regions',
      'eu-west-1,us-east-2',
    );

    for (const region of ['eu-west-1', 'us-east-2']) {
      expect(stdout).toMatch(
        new RegExp(
          `aws s3 cp \\S+install-validator-[0-9a-f]{64}\\.zip s3://acme-code-${region}/cg/1\\.0\\.0/install-validator-[0-9a-f]{64}\\.zip --region ${region}`,
        ),
      );
    }
  });

  it('prints a deploy command in the first region asked for, and in REGION without one', async () => {
    const withRegions = await packageInto(
      second,
      '--skip-build',
      '--regions',
      'eu-west-1,us-east-2',
    );
    const without = await packageInto(second, '--skip-build');

    const deploy =
      /^ {2}aws cloudformation deploy --region (\S+) .*--template-file \S+template\.yaml --capabilities CAPABILITY_NAMED_IAM /m;
    expect(withRegions.stdout).toMatch(deploy);
    expect(deploy.exec(withRegions.stdout)?.[1]).toBe('eu-west-1');
    expect(deploy.exec(without.stdout)?.[1]).toBe('REGION');
    expect(without.stdout).toContain(' s3://acme-code-REGION/cg/1.0.0/');
  });

  it('ends a key prefix given without / with one, and says so', async () => {
    const { stdout, stderr } = await packageInto(second, '--skip-build', '--key-prefix', 'cg/2.0');

    const packaged = parseCfnYaml(readFileSync(join(second, 'template.yaml'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(second, 'package', 'manifest.json'), 'utf8'));
    expect(stderr).toContain('note: --key-prefix "cg/2.0" ends without /; using "cg/2.0/".');
    expect(packaged.Parameters.CodeKeyPrefix.Default).toBe('cg/2.0/');
    expect(manifest.functions['drift-guard'].key).toMatch(
      /^cg\/2\.0\/drift-guard-[0-9a-f]{64}\.zip$/,
    );
    expect(stdout).toMatch(/ s3:\/\/acme-code-REGION\/cg\/2\.0\/drift-guard-[0-9a-f]{64}\.zip /);
  });

  it('keeps an empty key prefix empty, putting the zips at the top of the bucket', async () => {
    await packageInto(second, '--skip-build', '--key-prefix', '');

    const manifest = JSON.parse(readFileSync(join(second, 'package', 'manifest.json'), 'utf8'));
    expect(manifest.functions['drift-guard'].key).toMatch(/^drift-guard-[0-9a-f]{64}\.zip$/);
  });

  it.each([
    ['/cg/1.0.0/', 'a / at the start'],
    ['cg//1.0.0/', 'an empty folder'],
  ])('refuses the key prefix %j (%s), which the template refuses too', async (prefix) => {
    const failure = packageInto(second, '--skip-build', '--key-prefix', prefix);

    await expect(failure).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        `--key-prefix must be empty or folders of letters, digits and ! - _ . * ' ( ) each ` +
          `ending in /, such as releases/1.0.0/ (no / at the start, no //) (it fills in ` +
          `CodeKeyPrefix); received ${JSON.stringify(prefix)}.`,
      ),
    });
  });

  it.each([
    ['eu-wset-1', 'a misspelt direction'],
    ['euwest1', 'no dashes'],
    ['eu-west', 'no number'],
  ])('refuses the region %j (%s), naming the flag and the value', async (region) => {
    const failure = packageInto(second, '--skip-build', '--regions', `us-east-1,${region}`);

    await expect(failure).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--regions must list AWS regions`),
    });
    await expect(failure).rejects.toMatchObject({
      stderr: expect.stringContaining(`received ${JSON.stringify(region)}.`),
    });
  });

  it('accepts the region names of every partition', async () => {
    const regions = ['ap-southeast-7', 'us-gov-west-1', 'eusc-de-east-1', 'us-isob-east-1'];
    const { stdout } = await packageInto(second, '--skip-build', '--regions', regions.join(','));

    for (const region of regions) expect(stdout).toContain(`--region ${region}`);
  });

  it('names the manifest it wrote and the notification parameter the deploy needs', async () => {
    const { stdout } = await packageInto(second, '--skip-build');

    expect(stdout).toMatch(/^wrote \S*package\/manifest\.json /m);
    expect(stdout).toMatch(/aws cloudformation deploy .* NotificationEmail=\.\.\.$/m);
  });

  it('refuses a bucket prefix S3 would not accept, naming the flag', async () => {
    const failure = run(
      process.execPath,
      ['scripts/package.mjs', '--bucket-prefix', 'Acme_Code', '--skip-build'],
      {
        cwd: ROOT,
      },
    );

    await expect(failure).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--bucket-prefix must be 1 to 48 lowercase letters'),
    });
  });

  it('accepts a one-letter bucket prefix, as the template parameter does', async () => {
    await packageInto(second, '--skip-build', '--bucket-prefix', 'x');

    const packaged = parseCfnYaml(readFileSync(join(second, 'template.yaml'), 'utf8'));
    expect(packaged.Parameters.CodeBucketPrefix.Default).toBe('x');
  });
});
