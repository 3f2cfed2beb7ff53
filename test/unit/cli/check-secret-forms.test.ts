import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../../functions/cli/check';
import type { CliIo } from '../../../functions/cli/io';
import { clearSecrets } from '../../../functions/engine/log';

const ROOT = resolve(__dirname, '../../..');
/** A canary external ID holding every punctuation mark an external ID may hold. */
const CANARY = 'canary+Q7wE9rT2/yU4iO6pA8sD0fG3hJ5=kL@x.z,w:v';

/** The ways a copy of the canary may stand in live IAM, each an inline policy name. */
const FORMS: [string, string][] = [
  ['upper-cased', CANARY.toUpperCase()],
  ['lower-cased', CANARY.toLowerCase()],
  ['URL-encoded', encodeURIComponent(CANARY)],
  ['in base64', Buffer.from(CANARY).toString('base64')],
  ['in base64url', Buffer.from(CANARY).toString('base64url')],
  ['upper-cased inside a longer name', `x${CANARY.toUpperCase()}.json`],
  ['in base64 inside a longer text', Buffer.from(`policy ${CANARY} copy`).toString('base64')],
];

type Export = { RoleDetailList: { RoleName: string; RolePolicyList: unknown[] }[] };

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cg-check-forms-'));
  clearSecrets();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The example inputs with the canary as external ID and `names` as new inline policies. */
function inputs(names: string[]): string[] {
  const params = JSON.parse(readFileSync(join(ROOT, 'examples/connector-parameters.json'), 'utf8'));
  for (const p of params) if (p.ParameterKey === 'TenantExternalId') p.ParameterValue = CANARY;
  const snapshot = JSON.parse(
    readFileSync(join(ROOT, 'examples/account-authorization-details.json'), 'utf8'),
  ) as Export;
  const scanner = snapshot.RoleDetailList.find((r) => r.RoleName === 'acme-connector-scanner');
  for (const name of names) {
    scanner?.RolePolicyList.push({
      PolicyName: name,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      },
    });
  }
  writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
  writeFileSync(join(dir, 'export.json'), JSON.stringify(snapshot));
  return [
    '--template',
    'template/connector.yaml',
    '--params',
    join(dir, 'params.json'),
    '--snapshot',
    join(dir, 'export.json'),
    '--roles',
    'examples/list-roles.json',
    '--resources',
    'examples/stack-resources.json',
  ];
}

async function check(args: string[]): Promise<{ code: number; output: string }> {
  const chunks: string[] = [];
  const io: CliIo = {
    stdout: (t) => chunks.push(t),
    stderr: (t) => chunks.push(t),
    env: {},
    cwd: ROOT,
    isTty: false,
  };
  const code = await run(args, io);
  return { code, output: chunks.join('') };
}

describe('check with the clear external ID in --params', () => {
  it.each(FORMS)('masks a copy %s in text, json and markdown', async (_form, name) => {
    for (const format of ['text', 'json', 'markdown']) {
      clearSecrets();

      const { code, output } = await check([...inputs([name]), '--format', format]);

      expect(code).toBe(1);
      expect(output).toContain('acme-connector-scanner');
      expect(output).not.toContain(name);
      expect(output.toLowerCase()).not.toContain(CANARY.toLowerCase());
      expect(output).not.toContain(Buffer.from(CANARY).toString('base64').slice(4, -4));
    }
  });

  it('names a whole copy in other capitals by its parameter, in the summary and the command', async () => {
    const { output } = await check([...inputs([CANARY.toUpperCase()]), '--format', 'json']);

    const added = JSON.parse(output).findings.filter(
      (f: { kind: string }) => f.kind === 'inline-policy-added',
    );
    expect(added.map((f: { summary: string }) => f.summary).join('\n')).toContain(
      'inline policy <secret:TenantExternalId> added',
    );
    expect(added.flatMap((f: { remediation: string[] }) => f.remediation).join('\n')).toContain(
      'read -rs TENANT_EXTERNAL_ID',
    );
  });
});

describe('check with the external ID shown as **** in --params', () => {
  function masked(extra: string[] = []): string[] {
    const args = inputs([]);
    const params = JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8'));
    for (const p of params) if (p.ParameterKey === 'TenantExternalId') p.ParameterValue = '****';
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    return [...args, ...extra];
  }

  it('says on stderr that the value cannot be recognised outside its condition key', async () => {
    const { output } = await check(masked());

    expect(output).toContain(
      'Note: --params gives TenantExternalId as ****, so its value is compared as unknown',
    );
    expect(output).toContain('or --external-id-sha256 HEX, to mask it everywhere.');
  });

  it('says nothing of it when the digest is given', async () => {
    const digest = '0'.repeat(64);

    const { output } = await check(masked(['--external-id-sha256', digest]));

    expect(output).not.toContain('as ****');
  });
});
