import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetAccountAuthorizationDetailsCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
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
  '--roles',
  'examples/list-roles.json',
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

/** The arguments without `--roles FILE`. */
function withoutRoles(args: string[]): string[] {
  const at = args.indexOf('--roles');
  return [...args.slice(0, at), ...args.slice(at + 2)];
}

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
    expect(
      report.findings
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

  it('reads example data that is what examples/build-export.mjs writes from the current template', () => {
    execFileSync(process.execPath, ['examples/build-export.mjs', '--out', dir], { cwd: ROOT });

    for (const file of [
      'account-authorization-details.json',
      'list-roles.json',
      'stack-resources.json',
    ]) {
      const fresh = readFileSync(join(dir, file), 'utf8');
      const committed = readFileSync(join(ROOT, 'examples', file), 'utf8');
      // When this fails, the template or the example parameters changed: run
      // `node examples/build-export.mjs` and commit what it writes.
      expect({ file, same: fresh === committed }).toEqual({ file, same: true });
    }
  }, 30_000);

  it('finds the same four changes without the stack resources, leaving unchecked only what needs them, with the flag that supplies it', async () => {
    const at = EXAMPLE_ARGS.indexOf('--resources');
    const args = [
      ...EXAMPLE_ARGS.slice(0, at),
      ...EXAMPLE_ARGS.slice(at + 2),
      '--stack-name',
      'acme-connector',
      '--format',
      'json',
    ];
    const { io: cli, out } = io();

    expect(await run(args, cli)).toBe(1);

    const findings: { kind: string; summary: string; resource: { logicalId: string } }[] =
      JSON.parse(out()).findings;
    expect(
      findings.filter((f) => f.kind !== 'check-incomplete').map((f) => f.resource.logicalId),
    ).toEqual(['ConnectorApiRole', 'InstallerRole', 'TenantRole', 'ScannerTaskRole']);
    for (const f of findings.filter((f) => f.kind === 'check-incomplete')) {
      expect(f.summary).toMatch(/not verifiable: depends on (AWS::StackId|Ref DriftGuardFunction)/);
      expect(f.summary).toContain(
        "; give --resources ('aws cloudformation describe-stack-resources' output) to check it",
      );
    }
  });

  it('exits 0 with "in line" when the export matches the template', async () => {
    const { io: cli, out } = io();

    const code = await run(withSnapshot(cleanExport()), cli);

    expect(out()).toContain('In line with the template: no drift.');
    expect(code).toBe(0);
  });

  it('exits 3 without --roles, naming each role whose session duration the export lacks', async () => {
    const data = cleanExport();
    for (const role of data.RoleDetailList) delete role.MaxSessionDuration;
    const args = withoutRoles(withSnapshot(data));
    const { io: cli, out } = io();

    const code = await run(args, cli);

    expect(code).toBe(3);
    expect(out()).toContain('no drift; 10 checks incomplete\n');
    expect(out()).toContain('MEDIUM   check-incomplete  TenantRole (acme-connector-tenant)');
    expect(out()).toContain(
      "maximum session duration of role acme-connector-tenant (the account export (get-account-authorization-details) does not hold it; give 'aws iam list-roles' output with --roles to check it)",
    );
    expect(out()).toContain('Checked 11 resources, 10 of them in part (see check-incomplete).');
  });

  it('exits 0 when the export matches and --roles gives the session durations', async () => {
    const data = cleanExport();
    for (const role of data.RoleDetailList) delete role.MaxSessionDuration;

    expect(await run(withSnapshot(data), io().io)).toBe(0);
  });

  it('finds a raised session duration that --roles shows', async () => {
    const roles = JSON.parse(readFileSync(join(ROOT, 'examples/list-roles.json'), 'utf8'));
    roles.Roles[1].MaxSessionDuration = 43200;
    writeFileSync(join(dir, 'roles.json'), JSON.stringify(roles));
    const args = withSnapshot(cleanExport()).map((a) =>
      a === 'examples/list-roles.json' ? join(dir, 'roles.json') : a,
    );
    const { io: cli, out } = io();

    expect(await run(args, cli)).toBe(1);
    expect(out()).toContain('maximum session duration raised from 3600 to 43200 seconds');
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
    const args = withoutRoles(withSnapshot(data));
    const { io: cli } = io();

    expect(await run([...args, '--fail-on', 'critical'], cli)).toBe(3);
    expect(await run([...args, '--fail-on', 'HIGH'], io().io)).toBe(1);
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

  it('colours text only on a terminal, and not when NO_COLOR is set', async () => {
    const tty = io({ isTty: true });
    const pipe = io();
    const noColor = io({ isTty: true, env: { NO_COLOR: '1' } });
    const emptyNoColor = io({ isTty: true, env: { NO_COLOR: '' } });

    for (const cli of [tty, pipe, noColor, emptyNoColor]) await run(EXAMPLE_ARGS, cli.io);

    expect(tty.out()).toContain('\u001b[1;31mCRITICAL');
    expect(pipe.out()).not.toContain('\u001b[');
    expect(noColor.out()).not.toContain('\u001b[');
    expect(emptyNoColor.out()).toContain('\u001b[1;31mCRITICAL');
  });
});

describe('check live', () => {
  const cfn = mockClient(CloudFormationClient);
  const iam = mockClient(IAMClient);
  const template = `
Resources:
  Worker:
    Type: AWS::IAM::Role
    Properties:
      RoleName: acme-worker
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }]
`;
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };

  beforeEach(() => {
    cfn.reset();
    iam.reset();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme/1',
          StackName: 'acme',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
        },
      ],
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: template });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'acme-worker',
        RoleId: 'AROAEXAMPLE',
        Arn: 'arn:aws:iam::123456789012:role/acme-worker',
        Path: '/',
        CreateDate: new Date('2026-01-01T00:00:00Z'),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
        MaxSessionDuration: 3600,
      },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  });

  afterAll(() => {
    cfn.restore();
    iam.restore();
  });

  it('says on stderr when the account-wide read it was asked for fell back to per-role reads', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const { io: cli, out, err } = io({ env: { AWS_REGION: 'eu-west-1' } });

    const code = await run(['--stack', 'acme', '--read-mode', 'account'], cli);

    expect(code).toBe(0);
    expect(out()).toContain('In line with the template: no drift.');
    expect(err()).toBe(
      'Note: the account-wide read (iam:GetAccountAuthorizationDetails) failed, so IAM is read ' +
        'role by role instead: more calls, the same comparison (AccessDenied: not authorized)\n',
    );
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
      [
        ...[
          '--template',
          'template/connector.yaml',
          '--params',
          'examples/connector-parameters.json',
        ],
        ...['--snapshot', 'examples/list-roles.json', '--stack-name', 'a', '--region', 'eu-west-1'],
      ],
      '--snapshot examples/list-roles.json: expected get-account-authorization-details output with RoleDetailList and Policies, received an object with keys Roles.',
    ],
    [
      [...EXAMPLE_ARGS.slice(0, 10), '--region', 'us-east-1'],
      'region (--region): received "us-east-1", but the stack ID in the stack resources',
    ],
  ])('%j', async (args, message) => {
    const { io: cli, err, out } = io();

    const code = await run(args, cli);

    expect(code).toBe(2);
    expect(err()).toContain(message);
    expect(out()).toBe('');
  });

  it('names every input file it cannot read, in the order of the flags, every time', async () => {
    const args = ['--template', 'nope.yaml', '--params', 'x.json', '--snapshot', 'y.json'];
    const runs = [io(), io(), io()];

    for (const cli of runs) expect(await run(args, cli.io)).toBe(2);

    expect(runs[0]?.err()).toBe(
      '3 input files cannot be used:\n' +
        '  --template nope.yaml: expected a readable file, received no such file.\n' +
        '  --params x.json: expected a readable file, received no such file.\n' +
        '  --snapshot y.json: expected a readable file, received no such file.\n',
    );
    expect(new Set(runs.map((r) => r.err())).size).toBe(1);
  });

  it('names every input file whose content is wrong, in the order of the flags', async () => {
    writeFileSync(join(dir, 'garbage.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'badroles.json'), '{"Roles": [{"RoleName": 1}]}');
    const args = [
      ...EXAMPLE_ARGS.slice(0, 4),
      ...['--snapshot', join(dir, 'garbage.json'), '--roles', join(dir, 'badroles.json')],
      ...['--resources', 'examples/list-roles.json', '--stack-name', 'a', '--region', 'eu-west-1'],
    ];
    const { io: cli, err } = io();

    expect(await run(args, cli)).toBe(2);
    expect(err()).toBe(
      '3 input files cannot be used:\n' +
        `  --snapshot ${join(dir, 'garbage.json')}: expected get-account-authorization-details ` +
        'output with RoleDetailList and Policies, received an object with keys hello.\n' +
        `  --roles ${join(dir, 'badroles.json')}.Roles[0]: expected a role with RoleName and ` +
        'MaxSessionDuration, received an object with the keys RoleName.\n' +
        '  --resources examples/list-roles.json: expected describe-stack-resources output ' +
        '({"StackResources": [...]}) or list-stack-resources output, received an object with ' +
        'the keys Roles.\n',
    );
  });

  it('names both swapped files, --roles and --resources', async () => {
    const args = EXAMPLE_ARGS.map((a) =>
      a === 'examples/list-roles.json'
        ? 'examples/stack-resources.json'
        : a === 'examples/stack-resources.json'
          ? 'examples/list-roles.json'
          : a,
    );
    const { io: cli, err } = io();

    expect(await run(args, cli)).toBe(2);
    expect(err()).toMatch(/^2 input files cannot be used:\n {2}--roles examples\/stack-resources/);
    expect(err()).toContain('\n  --resources examples/list-roles.json: expected');
  });

  it('names a list in an export that is not one by its path, without a page index', async () => {
    writeFileSync(join(dir, 'badexport.json'), '{"RoleDetailList": {}, "Policies": []}');
    const args = EXAMPLE_ARGS.map((a) =>
      a === 'examples/account-authorization-details.json' ? join(dir, 'badexport.json') : a,
    );
    const { io: cli, err } = io();

    expect(await run(args, cli)).toBe(2);
    expect(err()).toBe(
      `--snapshot ${join(dir, 'badexport.json')}.RoleDetailList: expected a list, received ` +
        'object.\n',
    );
  });

  it('names where a parameters file stops being JSON without quoting what it holds', async () => {
    const path = join(dir, 'params.json');
    writeFileSync(path, `{\n  "TenantExternalId": "${EXTERNAL_ID}",\n}\n`);
    const args = EXAMPLE_ARGS.map((a) => (a === 'examples/connector-parameters.json' ? path : a));
    const { io: cli, err } = io();

    expect(await run(args, cli)).toBe(2);
    expect(err()).toMatch(
      /^--params .*params\.json: expected JSON, received text that does not parse \(/,
    );
    expect(err()).toContain('at line 3, column 1');
    expect(err()).not.toContain(EXTERNAL_ID.slice(0, 8));
  });

  it('suggests the parameter a misspelt one likely means', async () => {
    const params = JSON.parse(
      readFileSync(join(ROOT, 'examples/connector-parameters.json'), 'utf8'),
    ) as { ParameterKey: string }[];
    for (const p of params)
      if (p.ParameterKey === 'TenantExternalId') p.ParameterKey = 'TenantExternalID';
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    const args = EXAMPLE_ARGS.map((a) =>
      a === 'examples/connector-parameters.json' ? join(dir, 'params.json') : a,
    );
    const { io: cli, err } = io();

    expect(await run(args, cli)).toBe(2);
    expect(err()).toContain('received TenantExternalID (did you mean TenantExternalId?)');
    expect(err()).not.toContain(EXTERNAL_ID);
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

  it.each([
    ['--bogus', "Unknown option '--bogus'"],
    ['--stack', "Option '--stack <value>' argument missing"],
  ])('answers a wrong flag (%s) with the error and the synopsis alone', async (flag, error) => {
    const { io: cli, err } = io();

    const code = await run([flag], cli);

    expect(code).toBe(2);
    expect(err().startsWith(error)).toBe(true);
    expect(err()).toContain('connector-guard check --template FILE --params FILE --snapshot FILE');
    expect(err()).toContain('More: connector-guard check --help');
    expect(err()).not.toContain('Options:');
  });

  it('prints its usage for --help and exits 0', async () => {
    const { io: cli, out } = io();

    expect(await run(['--help'], cli)).toBe(0);
    expect(out()).toContain('Exit codes: 0 in line with the template; 1 drift');
  });
});
