import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { judgeAdmin } from '../../../../functions/engine/drift/admin';
import { clearSecrets, registerSecret } from '../../../../functions/engine/log';
import { parseTemplate } from '../../../../functions/engine/template';
import { validateInstall } from '../../../../functions/engine/validate';
import templateText from '../../../../template/connector.yaml';
import {
  awsError,
  connectorTemplate,
  EXTERNAL_ID,
  mockedIam,
  options,
  parameters,
  THIS_ACCOUNT,
} from './builders';

const iamMock = mockClient(IAMClient);

// Judged as the engine judges; the mock only counts the judgements.
jest.mock('../../../../functions/engine/drift/admin', () => {
  const actual = jest.requireActual('../../../../functions/engine/drift/admin');
  return { ...actual, judgeAdmin: jest.fn(actual.judgeAdmin) };
});

beforeEach(() => {
  iamMock.reset();
});

afterEach(() => {
  clearSecrets();
});

async function check(partial: Record<string, unknown>, extra = {}) {
  return (await validateInstall(parameters(partial), options(extra))).report;
}

const rulesOf = (problems: { parameter: string | null; rule: string }[]) =>
  problems.map((p) => `${p.parameter}:${p.rule}`);

describe('validateInstall offline', () => {
  it('finds nothing wrong with a valid set of parameters', async () => {
    const report = await check({});

    expect(report).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it.each([
    ['TenantAccountId', '12345678901', 'account-id-format'],
    ['TenantAccountId', ' 444455556666', 'account-id-format'],
    ['TenantAccountId', THIS_ACCOUNT, 'account-id-is-this-account'],
    ['TenantAccountId', '', 'required'],
    ['TenantExternalId', 'short-but-valid-characters', 'external-id-too-short'],
    [
      'TenantExternalId',
      'has spaces in it so IAM refuses it as an external ID',
      'external-id-format',
    ],
    ['TenantExternalId', 'z'.repeat(40), 'external-id-weak'],
    ['TenantExternalId', '', 'required'],
    ['IamResourceNamesPrefix', 'acme corp-', 'name-characters'],
    ['IamResourceNamesSuffix', '-prod/1', 'name-characters'],
    ['IamResourceNamesPrefix', 'a'.repeat(21), 'template-constraint'],
    ['GlobalManagedPolicies', 'arn:aws:iam::aws:policy/ReadOnlyAccess,', 'policy-arn-format'],
    ['GlobalManagedPolicies', 'ReadOnlyAccess', 'policy-arn-format'],
    ['GlobalManagedPolicies', 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess', 'policy-arn-partition'],
    [
      'GlobalManagedPolicies',
      'arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/ReadOnlyAccess',
      'policy-duplicate',
    ],
    ['GlobalPermissionsBoundary', 'arn:aws:iam::111122223333:role/Boundary', 'policy-arn-format'],
    ['GlobalPermissionsBoundary', 'arn:aws-us-gov:iam::aws:policy/X', 'policy-arn-partition'],
    ['SupportRoleExpirationDate', '2026-02-30', 'date-format'],
    ['SupportRoleExpirationDate', '2026-12-5', 'date-format'],
    ['SupportRoleExpirationDate', '2026-12-03', 'date-in-past'],
    ['SupportRoleExpirationDate', '2027-03-05', 'date-too-far'],
    ['NotificationEmail', 'security@example', 'email-format'],
    ['NotificationEmail', 'a@b.com, c@d.com', 'email-format'],
    ['NotificationEmail', 'sec..urity@example.com', 'email-format'],
    ['DriftCheckSchedule', 'rate(1 hours)', 'schedule-format'],
    ['DriftCheckSchedule', 'cron(0 8 * * MON *)', 'schedule-format'],
    ['AlertMinimumSeverity', 'medium', 'severity-value'],
    ['AlertMinimumSeverity', 'INFO', 'severity-value'],
    ['ReminderIntervalHours', '24.0', 'integer-format'],
    ['ReminderIntervalHours', '024', 'integer-format'],
    ['ReminderIntervalHours', '0x18', 'integer-format'],
    ['ReminderIntervalHours', '0', 'integer-range'],
    ['ReminderIntervalHours', '00', 'integer-format'],
    ['ReminderIntervalHours', '721', 'integer-range'],
    ['CodeBucketPrefix', 'Vendor_Code', 'bucket-name'],
    ['CodeBucketPrefix', 'vendor..code', 'bucket-name'],
    ['CodeBucketPrefix', 'xn--vendor', 'bucket-name'],
    ['CodeBucketPrefix', `v${'e'.repeat(48)}`, 'template-constraint'],
    ['CodeBucketPrefix', '', 'required'],
    ['CodeKeyPrefix', 'releases/1.0 beta/', 'key-prefix-format'],
    ['CodeKeyPrefix', '/releases/', 'key-prefix-format'],
    ['CodeKeyPrefix', 'releases/1.0.0', 'key-prefix-format'],
  ])('reports %s = %j as %s', async (parameter, value, rule) => {
    const report = await check({ [parameter]: value });

    expect(rulesOf(report.errors)).toEqual([`${parameter}:${rule}`]);
    expect(report.valid).toBe(false);
  });

  it.each([
    ['SupportRoleExpirationDate', '2026-12-04'],
    ['SupportRoleExpirationDate', '2027-03-04'],
    ['SupportRoleExpirationDate', '2026-12-31'],
    ['IamResourceNamesPrefix', 'acme+ops=1,x.y@z_-'],
    [
      'GlobalManagedPolicies',
      'arn:aws:iam::aws:policy/ReadOnlyAccess,arn:aws:iam::111122223333:policy/org/Compliance',
    ],
    ['GlobalPermissionsBoundary', 'arn:aws:iam::111122223333:policy/boundaries/ConnectorBoundary'],
    ['DriftCheckSchedule', 'cron(0 8 ? * MON-FRI *)'],
    ['ReminderIntervalHours', '720'],
    ['CodeKeyPrefix', ''],
  ])('accepts %s = %j', async (parameter, value) => {
    const report = await check({ [parameter]: value });

    expect(report.errors).toEqual([]);
  });

  it.each(['2026-12-04T10:00:00Z', '2031-02-27T23:59:59Z'])(
    'suggests a date the rules accept when the date is malformed, today being %s',
    async (when) => {
      const now = new Date(when);

      const malformed = await check({ SupportRoleExpirationDate: '31/03/2026' }, { now });
      const example = /write it like (\d{4}-\d{2}-\d{2})/.exec(malformed.errors[0].message)?.[1];
      const retried = await check({ SupportRoleExpirationDate: example }, { now });

      expect(rulesOf(malformed.errors)).toEqual(['SupportRoleExpirationDate:date-format']);
      expect(example).toBeDefined();
      expect(retried).toEqual({ valid: true, errors: [], warnings: [] });
      expect(example && example > when.slice(0, 10)).toBe(true);
    },
  );

  it.each([
    ['0', 'received 0'],
    ['721', 'received 721'],
  ])('reports %s reminder hours as outside the 1 to 720 allowed', async (hours, received) => {
    const report = await check({ ReminderIntervalHours: hours });

    expect(report.errors[0].message).toMatch(/^ReminderIntervalHours must be from 1 to 720 /);
    expect(report.errors[0].message).toContain(received);
  });

  it('reports every problem at once, in parameter order', async () => {
    const report = await check({
      TenantAccountId: 'vendor',
      TenantExternalId: 'x',
      DriftCheckSchedule: 'hourly',
      AlertMinimumSeverity: 'low',
      CodeKeyPrefix: '/x',
    });

    expect(rulesOf(report.errors)).toEqual([
      'TenantAccountId:account-id-format',
      'TenantExternalId:external-id-format',
      'DriftCheckSchedule:schedule-format',
      'AlertMinimumSeverity:severity-value',
      'CodeKeyPrefix:key-prefix-format',
    ]);
  });

  it('names each problem with its parameter, its rule and a fix', async () => {
    const report = await check({ ReminderIntervalHours: 'daily' });

    const [problem] = report.errors;
    expect(problem.parameter).toBe('ReminderIntervalHours');
    expect(problem.message).toMatch(
      /^ReminderIntervalHours must be .*; received "daily"\. Fix: .+/,
    );
  });

  it.each([
    ['arn:aws:iam::aws:policy/ReadOnlyAccess,,', /empty entries at positions 2 and 3:/],
    [',arn:aws:iam::aws:policy/ReadOnlyAccess,,', /empty entries at positions 1, 3 and 4:/],
    ['arn:aws:iam::aws:policy/ReadOnlyAccess,', /an empty entry at position 2:/],
  ])(
    'reports the commas too many in %j as one error naming every empty entry',
    async (list, why) => {
      const report = await check({ GlobalManagedPolicies: list });

      expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:policy-arn-format']);
      expect(report.errors[0].message).toMatch(why);
      expect(report.errors[0].message).toMatch(/Fix: remove the extra commas?\.$/);
    },
  );

  it('says how to end a code key prefix that lacks its final /', async () => {
    const report = await check({ CodeKeyPrefix: 'releases/1.0.0' });

    expect(report.errors[0].message).toMatch(
      /^CodeKeyPrefix must end in \/, .*; received "releases\/1\.0\.0"\. Fix: write "releases\/1\.0\.0\/"\.$/,
    );
  });

  it('reports a property it does not know by name, suggesting the closest parameter', async () => {
    const report = await check({ TenantAcountId: '444455556666', Colour: 'blue' });

    expect(rulesOf(report.errors)).toEqual([
      'TenantAcountId:unknown-parameter',
      'Colour:unknown-parameter',
    ]);
    expect(report.errors[0].message).toMatch(/did you mean TenantAccountId\?/);
    expect(report.errors[1].message).toMatch(/the parameters are TenantAccountId, /);
  });

  it('refuses the external ID copied into parameters shown in clear, quoting none of it', async () => {
    const report = await check({
      NotificationEmail: EXTERNAL_ID,
      CodeKeyPrefix: `x${EXTERNAL_ID}${'/'.repeat(80)}`,
    });

    expect(rulesOf(report.errors)).toEqual([
      'NotificationEmail:secret-in-parameter',
      'CodeKeyPrefix:secret-in-parameter',
    ]);
    expect(report.errors[0].message).toMatch(/holds the value of TenantExternalId/);
    const text = JSON.stringify(report);
    for (let i = 0; i + 8 <= EXTERNAL_ID.length; i += 1) {
      expect(text).not.toContain(EXTERNAL_ID.slice(i, i + 8));
    }
  });

  it.each([
    ['IamResourceNamesPrefix', EXTERNAL_ID.slice(0, 20)],
    ['IamResourceNamesSuffix', `-${EXTERNAL_ID.slice(30, 38).toUpperCase()}`],
    ['NotificationEmail', `sec-${EXTERNAL_ID.slice(-8)}@example.com`],
  ])('refuses %s holding part of the external ID, quoting neither', async (name, value) => {
    const report = await check({ [name]: value });

    expect(rulesOf(report.errors)).toEqual([`${name}:secret-in-parameter`]);
    expect(report.errors[0].message).toMatch(
      /holds part of the value of TenantExternalId \(8 or more characters in a row\)/,
    );
    const text = JSON.stringify(report).toLowerCase();
    for (let i = 0; i + 8 <= EXTERNAL_ID.length; i += 1) {
      expect(text).not.toContain(EXTERNAL_ID.slice(i, i + 8));
    }
    expect(text).not.toContain(value.toLowerCase());
  });

  it('accepts a parameter sharing only 7 characters in a row with the external ID', async () => {
    const shared = await check({ IamResourceNamesPrefix: `${EXTERNAL_ID.slice(0, 7)}-` });
    const longer = await check({ IamResourceNamesPrefix: `${EXTERNAL_ID.slice(0, 8)}-` });

    expect(shared.errors).toEqual([]);
    expect(rulesOf(longer.errors)).toEqual(['IamResourceNamesPrefix:secret-in-parameter']);
  });

  it('shows an unknown property name with controls and overrides escaped', async () => {
    const report = await check({ '\u001b]0;pwn\u0007\u202eX': 'v' });

    const [problem] = report.errors;
    expect(problem.parameter).toBe('"\\u001b]0;pwn\\u0007\\u202eX"');
    expect(problem.message).toMatch(/^"\\u001b\]0;pwn\\u0007\\u202eX" is not a parameter/);
    expect(JSON.stringify(report)).not.toMatch(/\u202e/);
  });

  it.each([
    ['is the external ID', EXTERNAL_ID],
    ['holds the external ID', `Tenant${EXTERNAL_ID}`],
    ['holds part of the external ID', `x-${EXTERNAL_ID.slice(10, 30).toUpperCase()}`],
  ])('withholds an unknown property name that %s', async (_, name) => {
    const extras = Object.fromEntries(Array.from({ length: 22 }, (_, i) => [`Extra${i}`, 'x']));

    const report = await check({ Colour: 'blue', [name]: 'v', ...extras });

    expect(report.errors[1].parameter).toBe('(name withheld)');
    expect(report.errors[1].message).toMatch(
      /^Unknown property 2 of 24 is not a parameter .*; its name is not shown, because it holds/,
    );
    const text = JSON.stringify(report).toLowerCase();
    for (let i = 0; i + 8 <= EXTERNAL_ID.length; i += 1) {
      expect(text).not.toContain(EXTERNAL_ID.slice(i, i + 8));
    }
  });

  it('withholds a name holding part of the external ID among those it counts', async () => {
    const extras = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`Extra${i}`, 'x']));

    const report = await check({ ...extras, [EXTERNAL_ID]: 'v', Other: 'x' });

    expect(report.errors[20].message).toMatch(/^2 more properties .*\(\(name withheld\), Other\)/);
    expect(JSON.stringify(report)).not.toContain(EXTERNAL_ID.slice(0, 8));
  });

  it('masks a registered secret inside an unknown property name', async () => {
    const old = 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78';
    registerSecret(old);

    const report = await check({ [`Old${old}`]: 'v' });

    expect(report.errors[0].parameter).toBe('"Old****"');
    expect(report.errors[0].message).toMatch(/^"Old\*\*\*\*" is not a parameter/);
  });

  it('cuts a huge unknown property name wherever it is shown', async () => {
    const report = await check({ ['K'.repeat(500_000)]: 'v' });

    const [problem] = report.errors;
    expect(problem.parameter).toMatch(/^"K{77}\.\.\." \(500000 characters\)$/);
    expect(problem.message.length).toBeLessThan(600);
  });

  it('reports the first 20 unknown properties one by one and counts the rest', async () => {
    const extras = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`Extra${i}`, 'x']));

    const report = await check(extras);

    expect(report.errors).toHaveLength(21);
    expect(report.errors[19].parameter).toBe('Extra19');
    expect(report.errors[20]).toMatchObject({ parameter: null, rule: 'unknown-parameter' });
    expect(report.errors[20].message).toMatch(/^980 more properties .*\(Extra20, Extra21, /);
  });

  it.each([
    [
      'GlobalManagedPolicies',
      Array.from({ length: 50_000 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`),
    ],
    ['NotificationEmail', `a@${'b'.repeat(300_000)}.com`],
    ['TenantExternalId', `${EXTERNAL_ID}${'c'.repeat(5_000)}`],
    ['CodeKeyPrefix', 'é'.repeat(2_049)],
  ])(
    'refuses %s longer than CloudFormation passes, checking it no further',
    async (name, value) => {
      const report = await check({ [name]: Array.isArray(value) ? value.join(',') : value });

      expect(rulesOf(report.errors)).toEqual([`${name}:value-too-long`]);
      expect(report.errors[0].message).toMatch(/at most 4096 bytes.*; received \d+ bytes/);
      expect(report.errors[0].message).not.toContain(String(value).slice(0, 8));
    },
  );

  it('accepts a value of exactly 4096 bytes as far as its size goes', async () => {
    const report = await check({ CodeKeyPrefix: 'k'.repeat(4_096) });

    expect(rulesOf(report.errors)).toEqual(['CodeKeyPrefix:key-prefix-format']);
  });

  it('ignores the properties CloudFormation itself reads', async () => {
    const report = await check({
      ServiceToken: 'arn:aws:lambda:eu-west-1:1:function:f',
      ServiceTimeout: '90',
    });

    expect(report.valid).toBe(true);
  });

  it('refuses values that are not strings instead of coercing them', async () => {
    const report = await check({
      ReminderIntervalHours: 24,
      AlertMinimumSeverity: true,
      TenantExternalId: { a: 1 },
    });

    expect(rulesOf(report.errors)).toEqual([
      'TenantExternalId:not-a-string',
      'AlertMinimumSeverity:not-a-string',
      'ReminderIntervalHours:not-a-string',
    ]);
  });

  it('takes a list of policy ARNs as the template might pass it', async () => {
    const report = await check({
      GlobalManagedPolicies: [
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ],
    });

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:policy-duplicate']);
  });

  it("uses the template's defaults for parameters that are absent", async () => {
    const report = await check({
      DriftCheckSchedule: undefined,
      AlertMinimumSeverity: undefined,
      ReminderIntervalHours: undefined,
      CodeKeyPrefix: undefined,
    });

    expect(report.valid).toBe(true);
  });

  it('leaves an absent code location to packaging in a check against the source template', async () => {
    const input = parameters({ CodeBucketPrefix: undefined, CodeKeyPrefix: undefined });

    const checked = await validateInstall(input, options({ operation: 'check' }));
    const created = await validateInstall(input, options({ operation: 'create' }));

    expect(checked.report).toEqual({ valid: true, errors: [], warnings: [] });
    expect(checked.leftToPackaging).toEqual(['CodeBucketPrefix', 'CodeKeyPrefix']);
    expect(rulesOf(created.report.errors)).toEqual(['CodeBucketPrefix:required']);
    expect(created.leftToPackaging).toEqual([]);
  });

  it('checks a code location given in a check, and the one a packaged template holds', async () => {
    const packaged = parseTemplate(
      templateText.replace(
        /( {2}CodeBucketPrefix:\n {4}Type: String\n)/,
        '$1    Default: Vendor_Code\n',
      ),
      'dist/template.yaml',
    );
    const given = parameters({ CodeBucketPrefix: 'Vendor_Code', CodeKeyPrefix: undefined });
    const absent = parameters({ CodeBucketPrefix: undefined, CodeKeyPrefix: undefined });

    const fromInput = await validateInstall(given, options({ operation: 'check' }));
    const fromTemplate = await validateInstall(
      absent,
      options({ operation: 'check', template: packaged }),
    );

    expect(rulesOf(fromInput.report.errors)).toEqual(['CodeBucketPrefix:bucket-name']);
    expect(fromInput.leftToPackaging).toEqual(['CodeKeyPrefix']);
    expect(rulesOf(fromTemplate.report.errors)).toEqual(['CodeBucketPrefix:bucket-name']);
    expect(fromTemplate.leftToPackaging).toEqual([]);
  });

  it('refuses a notification email together with an existing topic', async () => {
    const report = await check({
      ExistingNotificationTopicArn: `arn:aws:sns:eu-west-1:${THIS_ACCOUNT}:findings`,
    });

    expect(rulesOf(report.errors)).toEqual(['NotificationEmail:notification-conflict']);
  });

  it.each([
    ['arn:aws:sns:eu-west-1:999988887777:findings.fifo', 'topic-fifo'],
    ['arn:aws-cn:sns:cn-north-1:999988887777:findings', 'topic-arn-partition'],
    ['arn:aws:sqs:eu-west-1:999988887777:findings', 'topic-arn-format'],
    ['arn:aws:sns:eu-west-1:99998888777:findings', 'topic-arn-format'],
    ['arn:aws:sns:eu-west-1:999988887777:find ings', 'topic-arn-format'],
  ])('refuses the topic %s as %s', async (arn, rule) => {
    const report = await check({ NotificationEmail: '', ExistingNotificationTopicArn: arn });

    expect(rulesOf(report.errors)).toEqual([`ExistingNotificationTopicArn:${rule}`]);
  });

  it('warns about a topic in another region or account, which IAM here cannot vouch for', async () => {
    const sameAccount = await check({
      NotificationEmail: '',
      ExistingNotificationTopicArn: `arn:aws:sns:us-east-1:${THIS_ACCOUNT}:findings`,
    });
    const central = await check({
      NotificationEmail: '',
      ExistingNotificationTopicArn: 'arn:aws:sns:eu-west-1:999988887777:findings',
    });

    expect(rulesOf(sameAccount.warnings)).toEqual([
      'ExistingNotificationTopicArn:topic-other-region',
    ]);
    expect(sameAccount.warnings[0].message).toMatch(
      /is in us-east-1, but the stack is in eu-west-1/,
    );
    expect(rulesOf(central.warnings)).toEqual(['ExistingNotificationTopicArn:topic-other-account']);
    expect(central.warnings[0].message).toMatch(/sns:Publish to this stack's drift-guard role/);
    expect(sameAccount.valid && central.valid).toBe(true);
  });

  it('warns when reminders are due more often than the checks that send them', async () => {
    const report = await check({ DriftCheckSchedule: 'rate(2 days)', ReminderIntervalHours: '24' });
    const even = await check({ DriftCheckSchedule: 'rate(1 day)', ReminderIntervalHours: '24' });

    expect(rulesOf(report.warnings)).toEqual([
      'ReminderIntervalHours:reminder-shorter-than-schedule',
    ]);
    expect(report.warnings[0].message).toMatch(/only every 48 hours/);
    expect(even.warnings).toEqual([]);
  });

  it('warns when findings would reach nobody', async () => {
    const report = await check({ NotificationEmail: '' });

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual(['null:no-notification-target']);
  });

  it('judges ARNs against the partition of the region', async () => {
    const report = await check(
      { GlobalManagedPolicies: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { region: 'cn-north-1' },
    );

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:policy-arn-partition']);
  });

  it('leaves the account rule out when the account is not known', async () => {
    const report = await check({ TenantAccountId: THIS_ACCOUNT }, { accountId: undefined });

    expect(report.valid).toBe(true);
  });

  it('names the exact code bucket when the region is known', async () => {
    const inEu = await check({ CodeBucketPrefix: 'vendor-.code' }, { region: 'eu-west-1' });
    const anywhere = await check({ CodeBucketPrefix: 'vendor-.code' }, { region: undefined });

    expect(inEu.errors[0].message).toMatch(/the bucket "vendor-\.code-eu-west-1"/);
    expect(anywhere.errors[0].message).toMatch(/the bucket <prefix>-<region>/);
  });

  it('accepts the longest prefix the template allows in the longest region name', async () => {
    const report = await check(
      { CodeBucketPrefix: `v${'e'.repeat(47)}` },
      { region: 'ap-southeast-1' },
    );

    expect(report.valid).toBe(true);
  });

  it('counts the managed policies each role would get, template ones included', async () => {
    const arns = (n: number) =>
      Array.from({ length: n }, (_, i) => `arn:aws:iam::111122223333:policy/p${i}`).join(',');

    const near = await check({ GlobalManagedPolicies: arns(10) });
    const over = await check({ GlobalManagedPolicies: arns(20) });

    expect(rulesOf(near.warnings)).toEqual(['GlobalManagedPolicies:managed-policy-quota']);
    expect(rulesOf(over.errors)).toEqual(['GlobalManagedPolicies:too-many-managed-policies']);
  });
});

describe('validateInstall with an administrator policy among the global policies', () => {
  it.each([
    ['AdministratorAccess', /AWS's policy granting every action on every resource\./],
    ['PowerUserAccess', /every action outside IAM and Organizations/],
    ['IAMFullAccess', /every IAM action, with which a role can give itself any permission/],
  ])('refuses AWS %s, naming the vendor-assumable roles first', async (name, grants) => {
    const arn = `arn:aws:iam::aws:policy/${name}`;

    const report = await check({
      IamResourceNamesPrefix: 'acme-',
      SupportRoleExpirationDate: '2026-12-20',
      GlobalManagedPolicies: `arn:aws:iam::aws:policy/ReadOnlyAccess,${arn}`,
    });

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
    const [problem] = report.errors;
    expect(problem.message).toMatch(new RegExp(`^GlobalManagedPolicies names "${arn}", `));
    expect(problem.message).toMatch(grants);
    expect(problem.message).toMatch(
      new RegExp(
        'attaches it to the roles the vendor can assume, directly or through another ' +
          '\\(acme-connector-tenant, acme-connector-installer, acme-connector-support\\), ' +
          'and the 7 roles acme-connector-validator, ',
      ),
    );
    expect(problem.message).toMatch(/the drift guard would take it as promised/);
  });

  it.each([
    'arn:aws:iam::111122223333:policy/AdministratorAccess',
    'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
  ])('leaves %s to the live checks offline', async (arn) => {
    const report = await check({ GlobalManagedPolicies: arn });

    expect(report).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('keeps an administrator policy an update leaves unchanged as a warning', async () => {
    const admin = parameters({ GlobalManagedPolicies: 'arn:aws:iam::aws:policy/IAMFullAccess' });
    const before = parameters({});

    const kept = (await validateInstall(admin, options({ operation: 'update', previous: admin })))
      .report;
    const added = (await validateInstall(admin, options({ operation: 'update', previous: before })))
      .report;

    expect(kept.valid).toBe(true);
    expect(rulesOf(kept.warnings)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
    expect(rulesOf(added.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
  });
});

describe('validateInstall template constraints', () => {
  /** The text with `from` replaced by `to`, taken as they are (no `$` patterns). */
  function swap(text: string, from: string, to: string): string {
    expect(text).toContain(from);
    return text.split(from).join(to);
  }

  /** The connector template with its own words for NotificationEmail and the global list. */
  function customised(description: string | null): ReturnType<typeof parseTemplate> {
    const said = description === null ? '' : `ConstraintDescription: ${description}`;
    let text = swap(
      templateText,
      "AllowedPattern: '^([^\\s@]+@[^\\s@]+\\.[^\\s@]+)?$'",
      "AllowedPattern: '^([a-z]+@example[.]com)?$'",
    );
    text = swap(text, 'ConstraintDescription: must be empty or an email address.', said);
    return parseTemplate(
      swap(
        text,
        "AllowedPattern: '^(arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[\\w+=,.@/-]{1,1000})?$'\n" +
          '    ConstraintDescription: each entry must be an IAM managed policy ARN.',
        "AllowedPattern: '^(arn:aws:iam::aws:policy/[A-Za-z]+)?$'\n" +
          '    ConstraintDescription: each entry must be an AWS managed policy ARN.',
      ),
      'custom.yaml',
    );
  }

  it('states a broken length once, in the words of the template, with the length received', async () => {
    const prefix = 'a'.repeat(21);

    const report = await check({ IamResourceNamesPrefix: prefix });

    expect(report.errors[0].message).toBe(
      "IamResourceNamesPrefix breaks the template's own constraint: it must be at most 20 " +
        `characters of letters, digits and + = , . @ - _; received "${prefix}" (21 ` +
        'characters). Fix: give a value the template accepts.',
    );
  });

  it("gives a broken pattern in the template's words, without the pattern itself", async () => {
    const template = customised("must be an address at example.com (lowercase, no '+').");

    const report = await check({ NotificationEmail: 'Security@example.org' }, { template });

    expect(rulesOf(report.errors)).toEqual(['NotificationEmail:template-constraint']);
    expect(report.errors[0].message).toBe(
      "NotificationEmail breaks the template's own constraint: it must be an address at " +
        'example.com (lowercase, no \'+\'); received "Security@example.org". Fix: give a value ' +
        'the template accepts.',
    );
  });

  it('quotes the pattern when the template gives no description of it', async () => {
    const report = await check(
      { NotificationEmail: 'Security@example.org' },
      { template: customised(null) },
    );

    expect(report.errors[0].message).toMatch(
      /: it must match the pattern \^\(\[a-z\]\+@example\[\.\]com\)\?\$; received /,
    );
  });

  it('names the entry of a list that breaks the constraint', async () => {
    const mine = 'arn:aws:iam::111122223333:policy/Mine';

    const report = await check(
      { GlobalManagedPolicies: `arn:aws:iam::aws:policy/ReadOnlyAccess,${mine}` },
      { template: customised(null) },
    );

    expect(report.errors[0].message).toBe(
      "GlobalManagedPolicies entry 2 breaks the template's own constraint: each entry must be " +
        `an AWS managed policy ARN; received "${mine}". Fix: give a value the template accepts.`,
    );
  });
});

describe('validateInstall name lengths from the template', () => {
  const template = parseTemplate(
    `
Parameters:
  IamResourceNamesPrefix: { Type: String, Default: '' }
  IamResourceNamesSuffix: { Type: String, Default: '' }
Resources:
  LongRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${IamResourceNamesPrefix}role-with-a-name-of-exactly-44-characters-xy\${IamResourceNamesSuffix}'
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] }
      Policies:
        - PolicyName: !Sub '\${IamResourceNamesPrefix}\${AWS::StackName}-inline-policy-name\${IamResourceNamesSuffix}'
          PolicyDocument: { Version: '2012-10-17', Statement: [] }
`,
    'names.yaml',
  );

  it('accepts a prefix and suffix that bring the longest role name to exactly 64', async () => {
    const report = await check(
      { IamResourceNamesPrefix: 'p'.repeat(10), IamResourceNamesSuffix: 's'.repeat(10) },
      { template },
    );

    expect(report.errors.filter((e) => e.rule.endsWith('too-long'))).toEqual([]);
  });

  it('reports the longest role name, its length and by how much to shorten', async () => {
    const report = await check(
      { IamResourceNamesPrefix: 'p'.repeat(12), IamResourceNamesSuffix: 's'.repeat(10) },
      { template },
    );

    const tooLong = report.errors.filter((e) => e.rule === 'role-name-too-long');
    expect(tooLong).toHaveLength(1);
    expect(tooLong[0].message).toMatch(/has 66 characters, over IAM's limit of 64/);
    expect(tooLong[0].message).toMatch(/by 2 characters together/);
  });

  it('counts the stack name where the template uses it', async () => {
    const report = await check({}, { template, stackName: 's'.repeat(110) });

    expect(report.errors.map((e) => e.rule)).toContain('policy-name-too-long');
  });
});

describe('validateInstall on Update', () => {
  it('keeps an unchanged value that is now invalid as a warning, so a rollback can complete', async () => {
    const before = parameters({ SupportRoleExpirationDate: '2026-11-01' });

    const report = (
      await validateInstall(before, options({ operation: 'update', previous: before }))
    ).report;

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual(['SupportRoleExpirationDate:date-in-past']);
    expect(report.warnings[0].message).toMatch(/unchanged by this update/);
  });

  it('fails on a value that changed and is invalid', async () => {
    const before = parameters({ SupportRoleExpirationDate: '2026-12-20' });
    const after = parameters({ SupportRoleExpirationDate: '2026-11-01' });

    const report = (
      await validateInstall(after, options({ operation: 'update', previous: before }))
    ).report;

    expect(rulesOf(report.errors)).toEqual(['SupportRoleExpirationDate:date-in-past']);
  });

  it('accepts the rollback of an update, old and new swapped', async () => {
    const accepted = parameters({ AlertMinimumSeverity: 'medium' });
    const rejected = parameters({ AlertMinimumSeverity: 'LOUD' });

    const rollback = (
      await validateInstall(accepted, options({ operation: 'update', previous: rejected }))
    ).report;

    expect(rulesOf(rollback.errors)).toEqual(['AlertMinimumSeverity:severity-value']);
    const same = (
      await validateInstall(accepted, options({ operation: 'update', previous: accepted }))
    ).report;
    expect(same.valid).toBe(true);
  });

  it('fails a problem that spans parameters when one of them changed', async () => {
    const before = parameters({});
    const after = parameters({
      ExistingNotificationTopicArn: 'arn:aws:sns:eu-west-1:999988887777:t',
    });

    const report = (
      await validateInstall(after, options({ operation: 'update', previous: before }))
    ).report;

    expect(rulesOf(report.errors)).toEqual(['NotificationEmail:notification-conflict']);
  });
});

describe('validateInstall live', () => {
  const policy = 'arn:aws:iam::111122223333:policy/org/Compliance';
  const boundary = 'arn:aws:iam::111122223333:policy/ConnectorBoundary';

  function live(partial: Record<string, unknown>, extra = {}) {
    return check(partial, { iam: mockedIam(), ...extra });
  }

  beforeEach(() => {
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
    iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
  });

  const documentOf = (statement: Record<string, unknown>) => ({
    PolicyVersion: {
      Document: encodeURIComponent(
        JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      ),
    },
  });

  function globalPolicy(statement: Record<string, unknown>) {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: policy })
      .resolves({ Policy: { Arn: policy, IsAttachable: true, DefaultVersionId: 'v3' } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: policy, VersionId: 'v3' })
      .resolves(documentOf(statement));
  }

  it.each([
    { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
    { Effect: 'Allow', Action: ['s3:Get*', 'iam:Get*', 'iam:List*'], Resource: '*' },
  ])('accepts a global policy that grants no administrator access: %j', async (statement) => {
    globalPolicy(statement);

    const report = await live({ GlobalManagedPolicies: policy });

    expect(report).toEqual({ valid: true, errors: [], warnings: [] });
    expect(iamMock).toHaveReceivedCommandWith(GetPolicyCommand, { PolicyArn: policy });
    expect(iamMock).toHaveReceivedCommandWith(GetPolicyVersionCommand, { PolicyArn: policy });
  });

  it.each([
    [{ Effect: 'Allow', Action: '*', Resource: '*' }, 'every action on every resource'],
    [
      { Effect: 'Allow', Action: ['iam:Get*', 'iam:AttachRolePolicy'], Resource: '*' },
      'iam:AttachRolePolicy on any role of this account, with which a role can give itself any',
    ],
    [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${THIS_ACCOUNT}:role/*`,
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
      'iam:PassRole on any role of this account, with which',
    ],
    [
      {
        Effect: 'Allow',
        Action: 'iam:PutRolePolicy',
        Resource: `arn:aws:iam::${THIS_ACCOUNT}:role/connector-tenant`,
      },
      'iam:PutRolePolicy on itself, with which a role can give itself any permission',
    ],
    [
      { Effect: 'Allow', NotAction: ['iam:*', 'sts:*', 'organizations:*'], Resource: '*' },
      'every action but those its NotAction lists, on every resource',
    ],
  ])(
    'refuses a global policy whose default version is administrator access: %j',
    async (statement, grants) => {
      globalPolicy(statement);

      const report = await live({ GlobalManagedPolicies: policy });

      expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
      expect(report.errors[0].message).toContain(`which by its default version grants ${grants}`);
      expect(report.errors[0].message).toMatch(
        /the roles the vendor can assume, .*connector-tenant/,
      );
    },
  );

  it('warns when a global policy document is not a policy', async () => {
    globalPolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    iamMock.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: { Document: encodeURIComponent(JSON.stringify({ Version: '2012-10-17' })) },
    });

    const report = await live({ GlobalManagedPolicies: policy });

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual(['GlobalManagedPolicies:live-check-unavailable']);
    expect(report.warnings[0].message).toMatch(/grants administrator access: its document could/);
  });

  it.each([
    [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': [] } },
      },
    ],
    ['all'],
  ])(
    'refuses a global policy whose unread statement %j may grant administrator access',
    async (statement) => {
      globalPolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
      iamMock.on(GetPolicyVersionCommand).resolves({
        PolicyVersion: {
          Document: encodeURIComponent(
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, statement],
            }),
          ),
        },
      });

      const report = await live({ GlobalManagedPolicies: policy });

      expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
      expect(report.errors[0].message).toContain('Statement[1] as allowing its actions');
      expect(report.warnings).toEqual([]);
    },
  );

  it('refuses a global policy whose Deny names only fixed probe names', async () => {
    const iam = `arn:aws:iam::${THIS_ACCOUNT}`;
    const probes = ['role', 'user', 'group', 'policy'].map(
      (t) => `${iam}:${t}/connector-guard-any`,
    );
    globalPolicy({ Effect: 'Allow', Action: '*', Resource: '*' });
    iamMock.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              { Effect: 'Deny', Action: '*', Resource: [...probes, `${iam}:role/connector-*`] },
            ],
          }),
        ),
      },
    });

    const report = await live({ GlobalManagedPolicies: policy });

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
  });

  it('accepts a global policy passing exactly one role named like an old probe', async () => {
    globalPolicy({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${THIS_ACCOUNT}:role/connector-guard-any`,
    });

    const report = await live({ GlobalManagedPolicies: policy });

    expect(report.errors).toEqual([]);
  });

  it('refuses a global policy whose judgement runs out of steps, saying so', async () => {
    const roles = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${THIS_ACCOUNT}:role/x${i}*`);
    const actions = (s: number) =>
      Array.from({ length: 80 }, (_, i) => `iam:${'?'.repeat(s)}*${'?'.repeat(i % 8)}*`);
    globalPolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    iamMock.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [0, 1, 2, 3].map((s) => ({
              Effect: 'Allow',
              Action: actions(s),
              Resource: roles,
            })),
          }),
        ),
      },
    });

    const report = await live({ GlobalManagedPolicies: policy });

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:global-policy-admin']);
    expect(report.errors[0].message).toMatch(/judging it takes more than 300,000 steps, its limit/);
  });

  it('judges no global policy once its signal is aborted while the document is read', async () => {
    const controller = new AbortController();
    jest.mocked(judgeAdmin).mockClear();
    globalPolicy({ Effect: 'Allow', Action: '*', Resource: '*' });
    iamMock.on(GetPolicyVersionCommand).callsFake(() => {
      controller.abort();
      return documentOf({ Effect: 'Allow', Action: '*', Resource: '*' });
    });

    const validated = live({ GlobalManagedPolicies: policy }, { signal: controller.signal });

    await expect(validated).rejects.toMatchObject({ name: 'AbortError' });
    expect(judgeAdmin).not.toHaveBeenCalled();
  });

  it('warns when a global policy document cannot be judged', async () => {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: policy })
      .resolves({ Policy: { Arn: policy, IsAttachable: true, DefaultVersionId: 'v3' } });
    iamMock.on(GetPolicyVersionCommand).rejects(awsError('AccessDenied'));

    const report = await live({ GlobalManagedPolicies: policy });

    expect(report.valid).toBe(true);
    expect(report.warnings[0]).toMatchObject({
      parameter: 'GlobalManagedPolicies',
      rule: 'live-check-unavailable',
      message: expect.stringMatching(/whether ".*Compliance" grants administrator access: access/),
    });
  });

  it('fails a global policy that does not exist', async () => {
    const report = await live({ GlobalManagedPolicies: policy });

    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:policy-not-found']);
  });

  it('fails a policy IAM marks as not attachable', async () => {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: boundary })
      .resolves({ Policy: { Arn: boundary, IsAttachable: false, DefaultVersionId: 'v1' } });

    const report = await live({ GlobalPermissionsBoundary: boundary });

    expect(rulesOf(report.errors)).toEqual(['GlobalPermissionsBoundary:policy-not-attachable']);
  });

  it('warns instead of failing when access is denied', async () => {
    iamMock.on(GetPolicyCommand).rejects(awsError('AccessDenied', 'denied by an SCP'));

    const report = await live({ GlobalManagedPolicies: policy });

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual([
      'IamResourceNamesPrefix:live-check-unavailable',
      'GlobalManagedPolicies:live-check-unavailable',
    ]);
    expect(report.warnings[1].message).toMatch(
      /Could not check GlobalManagedPolicies: .*access was denied/,
    );
  });

  it('groups look-ups that IAM throttled into one warning naming them and the cause', async () => {
    iamMock.on(GetRoleCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const report = await live({});

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual(['IamResourceNamesPrefix:live-check-unavailable']);
    expect(report.warnings[0].message).toMatch(
      /^Could not check whether roles named "connector-tenant", "connector-installer", .* and 2 more already exist: IAM was still throttling/,
    );
  });

  it('keeps causes apart: one warning per parameter, check and cause', async () => {
    iamMock.on(GetRoleCommand).rejects(awsError('Throttling'));
    iamMock.on(GetRoleCommand, { RoleName: 'connector-api' }).rejects(awsError('AccessDenied'));
    iamMock.on(GetPolicyCommand).rejects(awsError('AccessDenied'));

    const report = await live({
      GlobalManagedPolicies: policy,
      GlobalPermissionsBoundary: boundary,
    });

    expect(report.warnings.map((w) => w.message.split(': ')[0])).toEqual([
      'Could not check whether roles named "connector-tenant", "connector-installer", ' +
        '"connector-ebs-backup", "connector-backup-lister", "connector-scanner", ' +
        '"connector-drift-guard" and 1 more already exist',
      'Could not check whether a role named "connector-api" already exists',
      'Could not check whether the managed policy ' +
        `"arn:aws:iam::${THIS_ACCOUNT}:policy/connector-backup-data-protection" already exists`,
      'Could not check GlobalManagedPolicies',
      'Could not check GlobalPermissionsBoundary',
    ]);
  });

  it.each([
    [
      'is not JSON',
      { Document: '%7Bbad' },
      /IAM returned a policy document that is not valid JSON\./,
    ],
    [
      'is not a policy',
      { Document: encodeURIComponent('{"Statement": 5}') },
      /its document could not be read as a policy \(.+\)\./,
    ],
    [
      'is larger than IAM keeps',
      {
        Document: encodeURIComponent(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: Array.from({ length: 3000 }, (_, i) => ({
              Effect: 'Deny',
              Action: `s3:Get${i}`,
              Resource: '*',
            })),
          }),
        ),
      },
      /its document has \d+ characters, more than IAM keeps for a managed policy/,
    ],
  ])('warns in a plain sentence when the boundary document %s', async (_, version, why) => {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: boundary })
      .resolves({ Policy: { Arn: boundary, IsAttachable: true, DefaultVersionId: 'v1' } });
    iamMock.on(GetPolicyVersionCommand).resolves({ PolicyVersion: version });

    const report = await live({ GlobalPermissionsBoundary: boundary });

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual(['GlobalPermissionsBoundary:live-check-unavailable']);
    expect(report.warnings[0].message).toMatch(why);
    expect(report.warnings[0].message).not.toMatch(/SyntaxError|PolicyError|URIError/);
  });

  it('fails when a role outside the stack already has a name the stack will create', async () => {
    iamMock
      .on(GetRoleCommand, { RoleName: 'acme-connector-tenant' })
      .resolves({ Role: { RoleName: 'acme-connector-tenant' } as never });

    const report = await live({ IamResourceNamesPrefix: 'acme-' });

    expect(rulesOf(report.errors)).toEqual(['IamResourceNamesPrefix:role-name-taken']);
    expect(report.errors[0].message).toMatch(/"acme-connector-tenant" already exists/);
  });

  it("does not take the validator's own role, created before it runs, for a collision", async () => {
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'x' } as never });

    const report = await live({});

    const asked = iamMock.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName);
    expect(asked).not.toContain('connector-validator');
    expect(asked).toContain('connector-tenant');
    expect(report.errors.some((e) => e.message.includes('connector-validator'))).toBe(false);
  });

  it('asks for the account when it cannot name the managed policy the stack creates', async () => {
    const report = await live({}, { accountId: undefined });

    expect(rulesOf(report.warnings)).toEqual(['IamResourceNamesPrefix:live-check-unavailable']);
    expect(report.warnings[0].message).toMatch(
      /^Could not check whether the managed policy the stack creates already exists: .*--account/,
    );
  });

  it('looks up the managed policy names the stack will create', async () => {
    const arn = `arn:aws:iam::${THIS_ACCOUNT}:policy/connector-backup-data-protection`;
    iamMock.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn } });

    const report = await live({});

    expect(rulesOf(report.errors)).toEqual(['IamResourceNamesPrefix:policy-name-taken']);
  });

  it.each([
    ['that changes the prefix', parameters({ IamResourceNamesPrefix: 'new-' })],
    ['that rolls back a prefix change', parameters({ IamResourceNamesPrefix: '' })],
    ['without the properties before', undefined],
  ])('does not look up the names the stack creates on an Update %s', async (_, previous) => {
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'taken' } as never });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: 'taken' } });
    const current = previous?.IamResourceNamesPrefix === '' ? 'new-' : '';

    const report = await live(
      { IamResourceNamesPrefix: current },
      { operation: 'update', previous },
    );

    expect(report).toEqual({ valid: true, errors: [], warnings: [] });
    expect(iamMock.commandCalls(GetRoleCommand)).toHaveLength(0);
    expect(iamMock.commandCalls(GetPolicyCommand)).toHaveLength(0);
  });

  it('gives every IAM look-up its abort signal', async () => {
    const controller = new AbortController();
    iamMock
      .on(GetPolicyCommand, { PolicyArn: boundary })
      .resolves({ Policy: { Arn: boundary, IsAttachable: true, DefaultVersionId: 'v1' } });
    iamMock.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(
          JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
        ),
      },
    });

    await live({ GlobalPermissionsBoundary: boundary }, { signal: controller.signal });

    // The SDK's options are send's second argument, which the mock's types leave out.
    const calls = iamMock.calls().map(({ args }) => ({
      command: args[0].constructor.name,
      signal: (args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined,
    }));
    expect(new Set(calls.map((c) => c.command))).toEqual(
      new Set(['GetRoleCommand', 'GetPolicyCommand', 'GetPolicyVersionCommand']),
    );
    expect(calls.filter((c) => c.signal?.abortSignal !== controller.signal)).toEqual([]);
  });

  it('makes no IAM look-up and gives no report once its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const validated = live({ GlobalManagedPolicies: policy }, { signal: controller.signal });

    await expect(validated).rejects.toMatchObject({ name: 'AbortError' });
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('looks up the names the stack creates in a check before deploying', async () => {
    iamMock
      .on(GetRoleCommand, { RoleName: 'connector-api' })
      .resolves({ Role: { RoleName: 'connector-api' } as never });

    const report = await live({}, { operation: 'check' });

    expect(rulesOf(report.errors)).toEqual(['IamResourceNamesPrefix:role-name-taken']);
  });

  it('makes on Update only the live checks whose values changed', async () => {
    const before = parameters({ GlobalManagedPolicies: policy });

    await check(before, { iam: mockedIam(), operation: 'update', previous: before });

    expect(iamMock.calls()).toHaveLength(0);
  });

  it('looks up on Update only the global policies the update adds', async () => {
    const added = 'arn:aws:iam::111122223333:policy/Added';
    const before = parameters({ GlobalManagedPolicies: policy });
    const after = parameters({ GlobalManagedPolicies: `${policy},${added}` });

    const report = await check(after, { iam: mockedIam(), operation: 'update', previous: before });

    const asked = iamMock.commandCalls(GetPolicyCommand).map((c) => c.args[0].input.PolicyArn);
    expect(asked).toEqual([added]);
    expect(rulesOf(report.errors)).toEqual(['GlobalManagedPolicies:policy-not-found']);
    expect(report.errors[0].message).toMatch(/names "arn:aws:iam::111122223333:policy\/Added"/);
  });

  it('accepts a rollback that drops an added policy though a kept one was deleted since', async () => {
    const added = 'arn:aws:iam::111122223333:policy/Added';
    const forward = parameters({ GlobalManagedPolicies: `${policy},${added}` });
    const rollback = parameters({ GlobalManagedPolicies: policy });

    const report = await check(rollback, {
      iam: mockedIam(),
      operation: 'update',
      previous: forward,
    });

    expect(report.valid).toBe(true);
    expect(iamMock.commandCalls(GetPolicyCommand)).toHaveLength(0);
  });

  it('warns with the actions the boundary denies to the connector roles', async () => {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: boundary })
      .resolves({ Policy: { Arn: boundary, IsAttachable: true, DefaultVersionId: 'v3' } });
    iamMock.on(GetPolicyVersionCommand, { PolicyArn: boundary, VersionId: 'v3' }).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              { Effect: 'Deny', Action: 'ec2:*', Resource: '*' },
            ],
          }),
        ),
      },
    });

    const report = await live({ GlobalPermissionsBoundary: boundary });

    expect(report.valid).toBe(true);
    expect(rulesOf(report.warnings)).toEqual([
      'GlobalPermissionsBoundary:boundary-blocks-connector',
    ]);
    expect(report.warnings[0].message).toMatch(/ec2:DescribeInstances/);
    expect(report.warnings[0].message).not.toMatch(/lambda:InvokeFunction/);
  });
});

describe('the connector template', () => {
  it('declares exactly the parameters the validator knows', async () => {
    const { PARAMETER_NAMES } = await import('../../../../functions/engine/validate');

    const declared = Object.keys(connectorTemplate().template.Parameters ?? {});

    expect([...declared].sort()).toEqual([...PARAMETER_NAMES].sort());
  });

  it('passes every parameter to the install validation under its own name', () => {
    const resource = connectorTemplate().template.Resources.InstallValidation;

    const properties = Object.keys(resource.Properties ?? {}).filter(
      (k) => k !== 'ServiceToken' && k !== 'ServiceTimeout',
    );

    expect(resource.Type).toBe('Custom::InstallValidator');
    expect(properties.sort()).toEqual(
      Object.keys(connectorTemplate().template.Parameters ?? {}).sort(),
    );
  });
});
