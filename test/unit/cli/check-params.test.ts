/**
 * `check --params` refuses what it would otherwise drop or overwrite in silence: a key such as
 * `__proto__`, and a parameter given twice (in a list or a map); offline and live alike, never quoting a value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../functions/cli/check';
import type { CliIo } from '../../../functions/cli/io';
import { clearSecrets } from '../../../functions/engine/log';
import { cleanExport, EXTERNAL_ID, PARAMETERS, ROOT, serve } from '../drift-guard/stack-world';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-params-'));
  writeFileSync(join(dir, 'export.json'), JSON.stringify(cleanExport()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  clearSecrets();
  serve(cleanExport());
});

function offline(params: string): string[] {
  return [
    '--template',
    'template/connector.yaml',
    '--params',
    params,
    '--snapshot',
    join(dir, 'export.json'),
    '--roles',
    'examples/list-roles.json',
    '--resources',
    'examples/stack-resources.json',
  ];
}

function live(params: string): string[] {
  return ['--stack', 'acme-connector', '--params', params];
}

async function check(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { AWS_REGION: 'eu-west-1' },
    cwd: ROOT,
    isTty: false,
  };
  const code = await run(args, io);
  return { code, err: err.join(''), out: out.join('') };
}

function paramsFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const asMap = () => Object.fromEntries(PARAMETERS.map((p) => [p.ParameterKey, p.ParameterValue]));

describe.each([
  ['offline', offline],
  ['live', live],
])('check --params, %s', (_mode, args) => {
  it('accepts the example parameters', async () => {
    const { code } = await check(args('examples/connector-parameters.json'));

    expect(code).toBe(0);
  });

  it('refuses a __proto__ key in a map as a parameter the template does not declare', async () => {
    const text = JSON.stringify(asMap()).replace(/^\{/, '{"__proto__": "x",');
    const path = paramsFile('proto-map.json', text);

    const { code, err } = await check(args(path));

    expect(code).toBe(2);
    expect(err).toContain('expected only parameters the template declares, received __proto__;');
    expect(err).not.toContain(EXTERNAL_ID);
  });

  it('refuses a __proto__ ParameterKey in a list the same way', async () => {
    const list = [...PARAMETERS, { ParameterKey: '__proto__', ParameterValue: 'x' }];
    const path = paramsFile('proto-list.json', JSON.stringify(list));

    const { code, err } = await check(args(path));

    expect(code).toBe(2);
    expect(err).toContain('received __proto__;');
  });

  it('refuses a ParameterKey given twice, naming both entries and never the values', async () => {
    const again = { ParameterKey: 'TenantExternalId', ParameterValue: `${EXTERNAL_ID}-2` };
    const path = paramsFile('twice.json', JSON.stringify([...PARAMETERS, again]));

    const { code, err } = await check(args(path));

    expect(code).toBe(2);
    expect(err).toBe(
      `--params ${path}[${PARAMETERS.length}] (TenantExternalId): expected each ParameterKey ` +
        `once, received it again after --params ${path}[1]; remove one of the two entries.\n`,
    );
  });

  it('refuses a key a map gives twice, naming it and its lines and never the values', async () => {
    const lines = Object.entries(asMap()).map(
      ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
    );
    lines.push(`  "TenantExternalId": "${EXTERNAL_ID}-2"`);
    const path = paramsFile('twice-map.json', `{\n${lines.join(',\n')}\n}\n`);
    const first = 2 + Object.keys(asMap()).indexOf('TenantExternalId');

    const { code, err } = await check(args(path));

    expect(code).toBe(2);
    expect(err).toBe(
      `--params ${path}: expected each parameter once, received TenantExternalId (lines ` +
        `${first}, ${lines.length + 1}) more than once; the file does not say which value is ` +
        'meant. Fix: keep one of each.\n',
    );
  });
});

describe('check --external-id-sha256', () => {
  it('refuses a value that is not a SHA-256 digest without quoting it, as it may be the secret', async () => {
    const { code, err } = await check([
      ...live('examples/connector-parameters.json'),
      '--external-id-sha256',
      EXTERNAL_ID,
    ]);

    expect(code).toBe(2);
    expect(err).toBe(
      "--external-id-sha256: expected the 64 hex digits of the external ID's SHA-256 (the " +
        `drift guard's EXTERNAL_ID_SHA256), received ${EXTERNAL_ID.length} characters that are ` +
        'not that.\n',
    );
  });
});
