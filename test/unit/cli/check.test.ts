import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../../functions/cli/check';
import type { CliIo } from '../../../functions/cli/io';
import { clearSecrets } from '../../../functions/engine/log';

const ROOT = resolve(__dirname, '../../..');
const EXAMPLE_ARGS = [
  '--template',
  'template/connector.yaml',
  '--params',
  'examples/connector-parameters.json',
  '--snapshot',
  'examples/account-authorization-details.json',
  '--resources',
  'examples/stack-resources.json',
  '--account',
  '123456789012',
  '--region',
  'eu-west-1',
];
const EXTERNAL_ID = JSON.parse(
  readFileSync(join(ROOT, 'examples/connector-parameters.json'), 'utf8'),
).find((p: { ParameterKey: string }) => p.ParameterKey === 'TenantExternalId')
  .ParameterValue as string;

function io(partial: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd: ROOT,
    isTty: false,
    ...partial,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

interface RoleEntry {
  RoleName: string;
  MaxSessionDuration?: number;
  AttachedManagedPolicies: { PolicyName: string }[];
  RolePolicyList: { PolicyName: string; PolicyDocument?: unknown }[];
  PermissionsBoundary?: unknown;
  AssumeRolePolicyDocument: { Statement: { Principal?: { AWS?: unknown } }[] };
}
type Export = { RoleDetailList: RoleEntry[]; Policies: unknown[] };

/** The example export with the four planted changes undone and session durations added. */
function cleanExport(): Export {
  const data = JSON.parse(
    readFileSync(join(ROOT, 'examples/account-authorization-details.json'), 'utf8'),
  ) as Export;
  const boundary = 'arn:aws:iam::123456789012:policy/acme-permissions-boundary';
  for (const role of data.RoleDetailList) {
    role.MaxSessionDuration = 3600;
    if (!role.RoleName.startsWith('acme-connector-')) continue;
    role.AttachedManagedPolicies = role.AttachedManagedPolicies.filter(
      (a) => a.PolicyName !== 'AdministratorAccess',
    );
    role.RolePolicyList = role.RolePolicyList.filter(
      (p) => p.PolicyName !== 'debug-read-everything',
    );
    role.PermissionsBoundary ??= {
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: boundary,
    };
    for (const s of role.AssumeRolePolicyDocument.Statement) {
      if (s.Principal !== undefined && Array.isArray(s.Principal.AWS))
        s.Principal.AWS = s.Principal.AWS[0];
    }
  }
  return data;
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cg-check-'));
  clearSecrets();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function withSnapshot(data: unknown): string[] {
  const path = join(dir, 'snapshot.json');
  writeFileSync(path, JSON.stringify(data));
  return EXAMPLE_ARGS.map((a) => (a === 'examples/account-authorization-details.json' ? path : a));
}

describe('check offline', () => {
  it('finds exactly the four changes planted in the example export, and exits 1', async () => {
    const { io: cli, out } = io();

    const code = await run([...EXAMPLE_ARGS, '--format', 'json'], cli);

    expect(code).toBe(1);
    const report = JSON.parse(out());
    const drift = report.findings.filter((f: { kind: string }) => f.kind !== 'check-incomplete');
    expect(
      drift
        .map(
          (f: { kind: string; resource: { logicalId: string } }) =>
            `${f.kind} ${f.resource.logicalId}`,
        )
        .sort(),
    ).toEqual([
      'inline-policy-added ScannerTaskRole',
      'managed-policy-attached ConnectorApiRole',
      'permissions-boundary-changed InstallerRole',
      'trust-policy-changed TenantRole',
    ]);
    expect(Object.keys(report)).toEqual([
      'stack',
      'account',
      'region',
      'checkedAt',
      'findings',
      'coverage',
    ]);
    expect(report.stack).toBe('acme-connector');
  });

  it('exits 0 with "in line" when the export matches the template', async () => {
    const { io: cli, out } = io();

    const code = await run(withSnapshot(cleanExport()), cli);

    expect(out()).toContain('In line with the template: no drift.');
    expect(code).toBe(0);
  });

  it('exits 3 when nothing drifted but the export lacks session durations', async () => {
    const data = cleanExport();
    for (const role of data.RoleDetailList) delete role.MaxSessionDuration;
    const { io: cli } = io();

    expect(await run(withSnapshot(data), cli)).toBe(3);
  });

  it('exits 3 rather than 1 when the drift is below --fail-on', async () => {
    const data = cleanExport();
    const scanner = data.RoleDetailList.find((r) => r.RoleName === 'acme-connector-scanner');
    scanner?.RolePolicyList.push({
      PolicyName: 'x',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      },
    });
    for (const role of data.RoleDetailList) delete role.MaxSessionDuration;
    const { io: cli } = io();

    expect(await run([...withSnapshot(data), '--fail-on', 'critical'], cli)).toBe(3);
    expect(await run([...withSnapshot(data), '--fail-on', 'HIGH'], io().io)).toBe(1);
  });

  it('never prints the external ID from the parameters, in any format', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const { io: cli, out, err } = io();

      await run([...EXAMPLE_ARGS, '--format', format], cli);

      expect(out().length).toBeGreaterThan(100);
      expect(out() + err()).not.toContain(EXTERNAL_ID);
    }
  });

  it('prints remediation commands that parse as shell and ask for the external ID', async () => {
    const { io: cli, out } = io();

    await run([...EXAMPLE_ARGS, '--format', 'json'], cli);

    const commands: string[] = JSON.parse(out()).findings.flatMap(
      (f: { remediation: string[] }) => f.remediation,
    );
    expect(commands).toContain('unset TENANT_EXTERNAL_ID');
    for (const command of commands) {
      expect(() => execFileSync('bash', ['-n', '-c', command], { stdio: 'pipe' })).not.toThrow();
    }
    expect(commands.join('\n')).not.toContain(EXTERNAL_ID);
  });

  it('colours text only on a terminal', async () => {
    const tty = io({ isTty: true });
    const pipe = io();

    await run(EXAMPLE_ARGS, tty.io);
    await run(EXAMPLE_ARGS, pipe.io);

    expect(tty.out()).toContain('\u001b[1;31mCRITICAL');
    expect(pipe.out()).not.toContain('\u001b[');
  });
});

describe('check input errors exit 2 with a message naming the problem', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--template', 'template/connector.yaml'], 'Missing --params, --snapshot'],
    [
      [...EXAMPLE_ARGS, '--format', 'xml'],
      '--format: expected one of text, json, markdown, received "xml"',
    ],
    [
      [...EXAMPLE_ARGS, '--fail-on', 'URGENT'],
      '--fail-on: expected one of LOW, MEDIUM, HIGH, CRITICAL, received "URGENT"',
    ],
    [
      ['--template', 'nope.yaml', '--params', 'x.json', '--snapshot', 'y.json'],
      '--template nope.yaml: expected a readable file, received no such file',
    ],
    [
      ['--stack', 'acme', '--template', 'template/connector.yaml'],
      '--stack checks a deployed stack live and cannot be combined with --template',
    ],
    [['--stack', 'acme'], "--region: a live check needs the stack's region"],
    [EXAMPLE_ARGS.slice(0, 6), "stack name (--stack-name): expected the stack's name"],
    [
      [...EXAMPLE_ARGS.slice(0, 6), '--stack-name', 'acme-connector'],
      "region (--region): expected the stack's region",
    ],
    [
      [...EXAMPLE_ARGS.slice(0, 8), '--region', 'us-east-1'],
      'region (--region): received "us-east-1", but the stack ID in the stack resources',
    ],
  ])('%j', async (args, message) => {
    const { io: cli, err, out } = io();

    const code = await run(args, cli);

    expect(code).toBe(2);
    expect(err()).toContain(message);
    expect(out()).toBe('');
  });

  it('names the file that is not JSON', async () => {
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    const { io: cli, err } = io();

    const code = await run(
      withSnapshot(null).map((a) => (a.endsWith('snapshot.json') ? join(dir, 'bad.json') : a)),
      cli,
    );

    expect(code).toBe(2);
    expect(err()).toContain(`--snapshot ${join(dir, 'bad.json')}: expected JSON`);
  });

  it('prints its usage for --help and exits 0', async () => {
    const { io: cli, out } = io();

    expect(await run(['--help'], cli)).toBe(0);
    expect(out()).toContain('Exit codes: 0 in line with the template; 1 drift');
  });
});
