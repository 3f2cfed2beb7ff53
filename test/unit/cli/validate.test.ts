import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../../functions/cli/io';
import { run } from '../../../functions/cli/validate';
import { clearSecrets } from '../../../functions/engine/log';
import { awsError, parameters } from '../engine/validate/builders';

const REPO = resolve(__dirname, '../../..');
const iamMock = mockClient(IAMClient);
let dir: string;

beforeEach(() => {
  iamMock.reset();
  dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  clearSecrets();
});

function io(cwd = REPO, terminal: Partial<Pick<CliIo, 'env' | 'isTty'>> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { AWS_REGION: 'eu-west-1' },
    cwd,
    isTty: false,
    ...terminal,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

/** Writes parameters as CloudFormation's list (or as given) and returns the file's path. */
function paramsFile(partial: Record<string, unknown> = {}, shape: 'list' | 'map' = 'list'): string {
  const values = parameters(partial);
  const body =
    shape === 'list'
      ? Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        }))
      : values;
  const path = join(dir, 'params.json');
  writeFileSync(path, JSON.stringify(body));
  return path;
}

async function validate(args: string[], cwd?: string) {
  const captured = io(cwd);
  const code = await run(args, captured.io);
  return { code, out: captured.out(), err: captured.err() };
}

describe('connector-guard validate', () => {
  it.each([
    ['colours', 'on a terminal', {}, true],
    ['colours', 'on a terminal with an empty NO_COLOR', { NO_COLOR: '' }, true],
    ['does not colour', 'on a terminal with NO_COLOR set', { NO_COLOR: '1' }, false],
  ])('%s its text %s', async (_, _where, env, coloured) => {
    const captured = io(REPO, { isTty: true, env: { AWS_REGION: 'eu-west-1', ...env } });

    const code = await run(['--params', paramsFile({ TenantAccountId: '1' })], captured.io);

    expect(code).toBe(1);
    expect(captured.out()).toMatch(/Invalid: 1 error/);
    expect(captured.out().includes('\u001b[')).toBe(coloured);
  });

  it('does not colour its text when the output is not a terminal', async () => {
    const result = await validate(['--params', paramsFile({ TenantAccountId: '1' })]);

    expect(result.out).toMatch(/^ERROR TenantAccountId/m);
    expect(result.out).not.toContain('\u001b[');
  });

  it('exits 0 and says so when the parameters are valid', async () => {
    const result = await validate(['--params', paramsFile()]);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Validated against template\/connector\.yaml \(offline rules only/);
    expect(result.out).toMatch(/^Valid\.$/m);
  });

  it('says what --live would add when it runs offline', async () => {
    const result = await validate(['--params', paramsFile()]);

    expect(result.out).toMatch(
      /\(offline rules only; --live also asks IAM about the global policies, the boundary and the names the stack creates\)\./,
    );
  });

  it('exits 1 and lists every problem with its parameter, rule and fix', async () => {
    const result = await validate([
      '--params',
      paramsFile({ TenantAccountId: '1', DriftCheckSchedule: 'rate(2 hour)' }),
    ]);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /ERROR TenantAccountId \[account-id-format\]\n {2}TenantAccountId must be/,
    );
    expect(result.out).toMatch(
      /ERROR DriftCheckSchedule \[schedule-format\]\n {2}.*rate\(2 hours\)/,
    );
    expect(result.out).toMatch(/Invalid: 2 errors\. Fix the errors and run again\./);
  });

  it('prints the JSON shape with stable kebab-case rule names', async () => {
    const result = await validate([
      '--params',
      paramsFile({ NotificationEmail: '', AlertMinimumSeverity: 'none' }),
      '--format',
      'json',
    ]);

    const report = JSON.parse(result.out);
    expect(result.code).toBe(1);
    expect(Object.keys(report)).toEqual(['valid', 'errors', 'warnings', 'notChecked']);
    expect(report.valid).toBe(false);
    expect(report.errors).toEqual([
      { parameter: 'AlertMinimumSeverity', rule: 'severity-value', message: expect.any(String) },
    ]);
    expect(report.warnings).toEqual([
      { parameter: null, rule: 'no-notification-target', message: expect.any(String) },
    ]);
    for (const p of [...report.errors, ...report.warnings]) {
      expect(p.rule).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });

  it('accepts the three values a customer has, saying packaging sets the rest', async () => {
    const path = join(dir, 'customer.json');
    const { TenantAccountId, TenantExternalId, NotificationEmail } = parameters();
    writeFileSync(path, JSON.stringify({ TenantAccountId, TenantExternalId, NotificationEmail }));

    const text = await validate(['--params', path]);
    const json = await validate(['--params', path, '--format', 'json']);

    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /^CodeBucketPrefix and CodeKeyPrefix were not checked: packaging sets them\. To check /m,
    );
    expect(text.out).toMatch(/--template with the packaged template .*dist\/template\.yaml/);
    expect(text.out).toMatch(/^Valid\.$/m);
    expect(JSON.parse(json.out)).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      notChecked: ['CodeBucketPrefix', 'CodeKeyPrefix'].map((parameter) => ({
        parameter,
        reason: expect.stringMatching(/^packaging sets it; .*--template dist\/template\.yaml/),
      })),
    });
  });

  it('lists nothing as not checked in JSON when the file gives the code location', async () => {
    const result = await validate(['--params', paramsFile(), '--format', 'json']);

    expect(JSON.parse(result.out).notChecked).toEqual([]);
  });

  it("passes the parameters file of the README's validate example", async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Install validator\n'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const path = join(dir, 'parameters.json');
    writeFileSync(path, example);

    const result = await validate(['--params', path]);

    expect(section).toMatch(/node dist\/cli\.mjs validate --params parameters\.json/);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Valid\.$/m);
  });

  it('reads a plain map of parameters as well as the CloudFormation list', async () => {
    const result = await validate(['--params', paramsFile({}, 'map'), '--format', 'json']);

    expect(JSON.parse(result.out)).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      notChecked: [],
    });
  });

  it('applies the "not this account" rule only with --account', async () => {
    const file = paramsFile({ TenantAccountId: '111122223333' });

    const without = await validate(['--params', file]);
    const withAccount = await validate(['--params', file, '--account', '111122223333']);

    expect(without.code).toBe(0);
    expect(withAccount.code).toBe(1);
    expect(withAccount.out).toMatch(/\[account-id-is-this-account\]/);
  });

  it('checks against the template given with --template', async () => {
    const template = join(dir, 'other.yaml');
    const text = readFileSync(join(REPO, 'template/connector.yaml'), 'utf8').replace(
      'MaxValue: 720',
      'MaxValue: 48',
    );
    writeFileSync(template, text);

    const result = await validate([
      '--params',
      paramsFile({ ReminderIntervalHours: '72' }),
      '--template',
      template,
    ]);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\[template-constraint\]\n {2}ReminderIntervalHours .* at most 48/);
  });

  it('falls back to its built-in template where there is no template folder', async () => {
    const result = await validate(['--params', paramsFile()], dir);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/the template built into this CLI/);
  });

  it('adds the IAM checks with --live', async () => {
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
    iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
    const arn = 'arn:aws:iam::111122223333:policy/Missing';

    const offline = await validate(['--params', paramsFile({ GlobalManagedPolicies: arn })]);
    const live = await validate(['--params', paramsFile({ GlobalManagedPolicies: arn }), '--live']);

    expect(offline.code).toBe(0);
    expect(live.code).toBe(1);
    expect(live.out).toMatch(/offline rules and live IAM checks/);
    expect(live.out).toMatch(/ERROR GlobalManagedPolicies \[policy-not-found\]/);
  });

  it('refuses an admin global policy by name, and by its document with --live', async () => {
    const broad = 'arn:aws:iam::111122223333:policy/Broad';
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
    iamMock
      .on(GetPolicyCommand)
      .resolves({ Policy: { Arn: broad, IsAttachable: true, DefaultVersionId: 'v1' } });
    iamMock.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: {
        Document: JSON.stringify({
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: '*', Resource: '*' },
        }),
      },
    });

    const aws = await validate([
      '--params',
      paramsFile({ GlobalManagedPolicies: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    ]);
    const offline = await validate(['--params', paramsFile({ GlobalManagedPolicies: broad })]);
    const live = await validate([
      '--params',
      paramsFile({ GlobalManagedPolicies: broad }),
      '--live',
    ]);

    expect(aws.code).toBe(1);
    expect(aws.out).toMatch(
      /ERROR GlobalManagedPolicies \[global-policy-admin\]\n {2}.*assume, .*\(connector-tenant, /,
    );
    expect(offline.code).toBe(0);
    expect(live.code).toBe(1);
    expect(live.out).toMatch(/ERROR GlobalManagedPolicies \[global-policy-admin\]/);
  });

  it.each([
    [
      ['--params', '/nonexistent/params.json'],
      /--params \/nonexistent\/params\.json: expected a readable file, received no such file\./,
    ],
    [['--params', 'BADJSON'], /expected JSON, received text that does not parse/],
    [
      ['--params', 'LIST', '--format', 'yaml'],
      /--format: expected one of text, json, received "yaml"\./,
    ],
    [
      ['--params', 'LIST', '--account', '12'],
      /--account: expected a 12-digit account ID, received "12"\./,
    ],
    [
      ['--params', 'LIST', '--template', '/nonexistent.yaml'],
      /--template \/nonexistent\.yaml: expected a readable file/,
    ],
    [
      ['--params', 'LIST', '--account', '\u001b[31m1'],
      /--account: expected a 12-digit account ID, received "\\u001b\[31m1"\./,
    ],
    [
      ['--params', 'LIST', '--region', 'eu west 1'],
      /--region: expected a region name .*\(such as eu-west-1 .*\), received "eu west 1"\./,
    ],
    [
      ['--params', 'LIST', '--region', 'eu-wset-1'],
      /--region: expected .* a compass direction .*, received "eu-wset-1"\./,
    ],
    [['--params', 'LIST', '--region', 'eu-west'], /--region: .*, received "eu-west"\./],
    [
      ['--params', 'LIST', '--stack-name', '1-connector'],
      /--stack-name: expected a CloudFormation stack name .*, received "1-connector"\./,
    ],
    [[], /--params FILE is required\./],
    [['--params', 'LIST', '--colour'], /Unknown option '--colour'/],
    [['--params', 'NOTALIST'], /expected \{"ParameterKey", "ParameterValue"\}/],
  ])('exits 2 when the input cannot be read: %j', async (args, why) => {
    const list = paramsFile();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const notAList = join(dir, 'odd.json');
    writeFileSync(notAList, JSON.stringify([1, 2]));
    const resolved = args.map((a) =>
      a === 'LIST' ? list : a === 'BADJSON' ? bad : a === 'NOTALIST' ? notAList : a,
    );

    const result = await validate(resolved);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(why);
  });

  it.each([
    [
      'an entry with a misspelt key',
      (id: string) =>
        JSON.stringify([
          { ParameterKey: 'TenantAccountId', ParameterValue: '444455556666' },
          { Parameterkey: 'TenantExternalId', ParameterValue: id },
        ]),
      /entry 2: expected \{"ParameterKey", .*, received an object with the keys "Parameterkey"/,
    ],
    [
      'a value without quotes',
      (id: string) => `{"TenantExternalId": x${id}}`,
      /expected JSON, .* \(it is not valid JSON: names and text need double quotes\)\./,
    ],
    [
      'a missing comma',
      (id: string) => `{\n  "TenantExternalId": "${id}"\n  "TenantAccountId": "1"\n}`,
      /\(Expected ',' or '\}' after property value at line 3, column 3\)\./,
    ],
  ])('exits 2 on %s, saying where without quoting any of the file', async (_, body, why) => {
    const canary = '3c9e1a7f5b2d8e4a6c0f9b1d3e5a7c2f';
    const path = join(dir, 'broken.json');
    writeFileSync(path, body(canary));

    const result = await validate(['--params', path]);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(why);
    for (let i = 0; i + 5 <= canary.length; i += 1) {
      expect(result.err).not.toContain(canary.slice(i, i + 5));
    }
  });

  it.each([
    [
      'entries',
      (id: string) =>
        JSON.stringify([
          { ParameterKey: 'TenantAccountId', ParameterValue: '444455556666' },
          { ParameterKey: 'TenantExternalId', ParameterValue: id },
          { ParameterKey: 'TenantAccountId', ParameterValue: '777788889999' },
          { ParameterKey: 'TenantExternalId', ParameterValue: `${id}-2` },
        ]),
      new RegExp(
        ': expected each parameter once, received TenantAccountId \\(entries 1 and 3\\) and ' +
          'TenantExternalId \\(entries 2 and 4\\) more than once; .* Fix: keep one of each\\.',
      ),
    ],
    [
      'map keys',
      (id: string) =>
        `{\n "TenantExternalId": "${id}",\n "TenantAccountId": "1",\n "TenantExternalId": "x"\n}`,
      /: expected each parameter once, received TenantExternalId \(lines 2 and 4\) more than once/,
    ],
    [
      'keys holding the external ID',
      (id: string) =>
        JSON.stringify({
          Parameters: [
            { ParameterKey: 'TenantExternalId', ParameterValue: id },
            { ParameterKey: id, ParameterValue: 'a' },
            { ParameterKey: id, ParameterValue: 'b' },
          ],
        }),
      /received \(name withheld\) \(entries 2 and 3\) more than once/,
    ],
  ])('exits 2 on a parameter given twice as %s, naming it and where', async (_, body, why) => {
    const canary = '3c9e1a7f5b2d8e4a6c0f9b1d3e5a7c2f';
    const path = join(dir, 'twice.json');
    writeFileSync(path, body(canary));

    const result = await validate(['--params', path]);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(why);
    expect(result.err).not.toMatch(/444455556666|777788889999/);
    for (let i = 0; i + 5 <= canary.length; i += 1) {
      expect(result.err).not.toContain(canary.slice(i, i + 5));
    }
  });

  it.each([
    ['list', 'list' as const],
    ['map', 'map' as const],
  ])(
    'reports a number where the external ID belongs as not a string, in a %s',
    async (_, shape) => {
      const path = paramsFile(
        { TenantExternalId: 1234567890123, ReminderIntervalHours: 24 },
        shape,
      );

      const result = await validate(['--params', path, '--format', 'json']);

      const report = JSON.parse(result.out);
      expect(result.code).toBe(1);
      expect(report.errors).toEqual([
        {
          parameter: 'TenantExternalId',
          rule: 'not-a-string',
          message: expect.stringMatching(
            /^TenantExternalId must be a string, .*; received a number\./,
          ),
        },
        {
          parameter: 'ReminderIntervalHours',
          rule: 'not-a-string',
          message: expect.stringMatching(/; received the number 24\./),
        },
      ]);
      expect(result.out).not.toMatch(/12345678|characters/);
    },
  );

  it.each([
    ['null', null],
    ['none', undefined],
  ])('exits 2 on an entry whose ParameterValue is %s, naming the entry', async (word, value) => {
    const path = join(dir, 'empty.json');
    writeFileSync(
      path,
      JSON.stringify([{ ParameterKey: 'TenantAccountId', ParameterValue: value }]),
    );

    const result = await validate(['--params', path]);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(`entry 1 \\(TenantAccountId\\): expected a ParameterValue, received ${word}`),
    );
  });

  it('reads a parameters file that starts with a byte-order mark', async () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, `\uFEFF${JSON.stringify(parameters())}`);

    const result = await validate(['--params', path]);

    expect(result.code).toBe(0);
  });

  it.each([
    'ap-southeast-7',
    'us-gov-east-1',
    'cn-northwest-1',
    'eusc-de-east-1',
    'us-isof-south-1',
  ])('accepts the region %s', async (region) => {
    const result = await validate(['--params', paramsFile(), '--region', region]);

    expect(result.err).toBe('');
    expect(result.out).toMatch(/^Validated against /);
  });

  it.each([
    [['--params', 'LIST', '--colour'], /^Unknown option '--colour'/],
    [['--params'], /^Option '--params <value>' argument missing/],
    [['--params', 'LIST', '--format', 'yaml'], /^--format: expected one of text, json/],
    [['--params', 'LIST', '--region', 'eu-wset-1'], /^--region: expected a region name/],
    [[], /^--params FILE is required\./],
  ])('puts the error first, then the synopsis alone, for %j', async (args, why) => {
    const resolved = args.map((a) => (a === 'LIST' ? paramsFile() : a));

    const result = await validate(resolved);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(why);
    expect(result.err).toMatch(
      /\n\nUsage:\n {2}connector-guard validate --params FILE .*\n.*\[--format text\|json\]\nMore: connector-guard validate --help\n$/,
    );
    expect(result.err).not.toContain('--template FILE    the connector template');
    expect(result.out).toBe('');
  });

  it('exits 2 naming AWS_REGION, without the usage, when the region it gives is not one', async () => {
    const captured = io();
    captured.io.env = { AWS_REGION: 'Europe' };

    const code = await run(['--params', paramsFile()], captured.io);

    expect(code).toBe(2);
    expect(captured.err()).toMatch(
      /^AWS_REGION: expected a region name .*, received "Europe"\.\n$/,
    );
  });

  it('prints its usage with --help and exits 0', async () => {
    const result = await validate(['--help']);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Usage:\n {2}connector-guard validate --params FILE/);
  });

  it.each(['short', 'Tenant', 'rule', 'external', 'TenantExternalId', 'external-id-too-short'])(
    'prints the same for the short external ID %j as for any other of its length',
    async (id) => {
      const run = (externalId: string, format: string) =>
        validate([
          '--params',
          paramsFile({ TenantExternalId: externalId, AlertMinimumSeverity: `x-${id}` }),
          '--format',
          format,
        ]);
      const filler = 'q'.repeat(id.length);

      const text = await run(id, 'text');
      const json = await run(id, 'json');

      expect(text).toEqual(await run(filler, 'text'));
      expect(json).toEqual(await run(filler, 'json'));
      expect(text.out).toMatch(/ERROR TenantExternalId \[external-id-too-short\]\n/);
      expect(text.out).toMatch(/^ {2}TenantExternalId must be at least 32 characters/m);
      expect(text.out).toContain(`received "x-${id}"`);
      expect(text.out + json.out).not.toContain('****');
    },
  );

  it.each(['text', 'json'])(
    'never prints an external ID written as a parameter name, in %s',
    async (format) => {
      const canary = 'CANARY-0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a';
      const path = paramsFile({ TenantExternalId: canary, [canary]: 'x', [canary.slice(3)]: 'y' });

      const result = await validate(['--params', path, '--format', format]);

      expect(result.code).toBe(1);
      expect(result.out).toMatch(/\(name withheld\)/);
      expect(result.out + result.err).not.toContain(canary.slice(7, 15));
    },
  );

  it('never prints the external ID, in either format', async () => {
    const canary = 'CANARY-4e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b';

    const text = await validate([
      '--params',
      paramsFile({ TenantExternalId: canary, TenantAccountId: 'x' }),
    ]);
    const json = await validate([
      '--params',
      paramsFile({ TenantExternalId: `${canary}!` }),
      '--format',
      'json',
    ]);

    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    expect(text.out + text.err + json.out + json.err).not.toContain('CANARY');
  });
});
