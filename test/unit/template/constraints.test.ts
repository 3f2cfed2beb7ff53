import { promised, sampleParameters } from './support/resolve';
import { loadTemplate } from './support/template';

/** The parameter's AllowedPattern, as CloudFormation applies it: to the whole value. */
function pattern(name: string): RegExp {
  return new RegExp(String(loadTemplate().Parameters[name].AllowedPattern));
}

describe('the parameter constraints CloudFormation applies before anything is created', () => {
  it('accepts every default and the sample parameter files', () => {
    for (const sample of ['minimal', 'guarded', 'existing-topic']) {
      expect(() => promised(sampleParameters(sample))).not.toThrow();
    }
  });

  it.each([
    ['TenantAccountId', '12345678901', 'eleven digits'],
    ['TenantAccountId', '1234567890123', 'thirteen digits'],
    ['TenantExternalId', 'short-secret', 'shorter than 32 characters'],
    ['TenantExternalId', `${'a'.repeat(40)} spaced`, 'a space'],
    ['IamResourceNamesPrefix', 'p'.repeat(21), 'longer than 20 characters'],
    ['IamResourceNamesSuffix', '/path', 'a slash'],
    ['GlobalPermissionsBoundary', 'corp-boundary', 'a policy name instead of an ARN'],
    ['GlobalManagedPolicies', 'arn:aws:iam::123456789012:role/x', 'a role ARN'],
    ['SupportRoleExpirationDate', '15/01/2027', 'a date not written YYYY-MM-DD'],
    ['SupportRoleExpirationDate', '2027-13-01', 'a thirteenth month'],
    ['SupportRoleExpirationDate', '2027-02-32', 'a 32nd day'],
    ['NotificationEmail', 'security.example.com', 'an address without @'],
    [
      'ExistingNotificationTopicArn',
      'arn:aws:sns:eu-west-1:123456789012:alerts.fifo',
      'a FIFO topic',
    ],
    ['DriftCheckSchedule', 'every hour', 'neither rate() nor cron()'],
    ['AlertMinimumSeverity', 'medium', 'a severity not in capitals'],
    ['ReminderIntervalHours', '0', 'zero hours'],
    ['CodeBucketPrefix', 'Vendor_Code', 'capitals and an underscore'],
    ['CodeBucketPrefix', 'v'.repeat(49), 'more than 48 characters, leaving no room for the region'],
    ['CodeBucketPrefix', 'vendor..code', 'two dots in a row, which no bucket name may hold'],
    ['CodeBucketPrefix', 'vendor-', 'a hyphen at the end'],
    ['CodeBucketPrefix', 'xn--vendor', 'the start S3 keeps for punycode names'],
    ['CodeBucketPrefix', 'sthree-code', 'a start S3 refuses'],
    ['CodeBucketPrefix', 'amzn-s3-demo-code', 'a start S3 keeps for examples'],
    ['CodeBucketPrefix', '192.168.5.4', 'an IP address'],
    ['CodeKeyPrefix', 'connector-guard/1.0.0', 'no / at the end, which runs into the file name'],
    ['CodeKeyPrefix', '/connector-guard/', 'a / at the start'],
    ['CodeKeyPrefix', 'connector-guard//1.0.0/', 'an empty folder'],
    ['CodeKeyPrefix', 'releases/1.0 beta/', 'a space'],
  ])('refuses %s %j (%s), naming the parameter', (name, value) => {
    const parameters = { ...sampleParameters('minimal'), [name]: value };

    expect(() => promised(parameters)).toThrow(new RegExp(`^Parameters\\.${name}: the value`));
  });

  it('allows the empty value for every optional text parameter', () => {
    const optional = [
      'IamResourceNamesPrefix',
      'IamResourceNamesSuffix',
      'GlobalPermissionsBoundary',
      'SupportRoleExpirationDate',
      'NotificationEmail',
      'ExistingNotificationTopicArn',
      'CodeKeyPrefix',
    ];

    for (const name of optional) expect(pattern(name).test('')).toBe(true);
  });

  it.each([
    ['a comma at the end', 'arn:aws:iam::aws:policy/ReadOnlyAccess,'],
    ['two commas in a row', 'arn:aws:iam::aws:policy/A,,arn:aws:iam::aws:policy/B'],
    ['a comma at the start', ',arn:aws:iam::aws:policy/ReadOnlyAccess'],
  ])(
    'refuses global managed policies with an empty entry (%s) before anything exists',
    (_, list) => {
      const parameters = { ...sampleParameters('minimal'), GlobalManagedPolicies: list };

      expect(() => promised(parameters)).toThrow(
        /^Rules\.NoEmptyGlobalManagedPolicy\.Assertions\[0\]: .*empty entry/,
      );
    },
  );

  it('refuses a notification email together with an existing topic', () => {
    const parameters = {
      ...sampleParameters('existing-topic'),
      NotificationEmail: 'security@example.com',
    };

    expect(() => promised(parameters)).toThrow(
      /^Rules\.OneNotificationTarget\.Assertions\[0\]: .*not\s+both/,
    );
  });

  it('accepts a one-character code bucket prefix, whose bucket name x-<region> is valid', () => {
    expect(() => promised({ ...sampleParameters('minimal'), CodeBucketPrefix: 'x' })).not.toThrow();
  });

  it.each([
    ['CodeBucketPrefix', '192.168.5'],
    ['CodeBucketPrefix', 'vendor.xn--code'],
    ['CodeKeyPrefix', 'connector-guard/1.0.0_(rc.1)!/'],
    ['CodeKeyPrefix', 'a/'],
  ])('accepts %s %j, which S3 accepts', (name, value) => {
    expect(() => promised({ ...sampleParameters('minimal'), [name]: value })).not.toThrow();
  });

  it('accepts managed policy ARNs of every partition, AWS managed or the account own', () => {
    const arns = [
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws-cn:iam::123456789012:policy/corp/compliance',
      'arn:aws-us-gov:iam::123456789012:policy/boundary',
    ];

    for (const arn of arns) {
      expect(pattern('GlobalPermissionsBoundary').test(arn)).toBe(true);
      expect(pattern('GlobalManagedPolicies').test(arn)).toBe(true);
    }
  });
});
