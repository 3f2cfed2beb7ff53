import {
  adminGrantViolations,
  BACKUP_SAFE_ROLES,
  componentTrustViolations,
  destroysNothingViolations,
  guardUntouchableViolations,
  installerTrustViolations,
  objectWriteViolations,
  passRoleViolations,
  permissionsOf,
  readOnlyIamViolations,
  type Statement,
  supportTrustViolations,
  tenantTrustViolations,
  trustOf,
} from './support/contract';
import { type CfnTemplate, dig, loadTemplate, subVariable } from './support/template';

function inlineStatements(template: CfnTemplate, roleId: string): Statement[] {
  return dig(
    template.Resources[roleId],
    'Properties',
    'Policies',
    0,
    'PolicyDocument',
    'Statement',
  ) as Statement[];
}

describe('the security contract a customer can rely on', () => {
  let template: CfnTemplate;

  beforeEach(() => {
    template = loadTemplate();
  });

  describe('the Tenant role is trusted by the tenant account only, and only with the external ID', () => {
    it('holds', () => {
      expect(tenantTrustViolations(template)).toEqual([]);
    });

    it('is broken by a copy without the external-ID condition', () => {
      delete trustOf(template.Resources.TenantRole)[0].Condition;

      expect(tenantTrustViolations(template)).toEqual([
        'TenantRole trust is not exactly the tenant account with the external ID',
      ]);
    });

    it('is broken by a copy that also trusts another account', () => {
      trustOf(template.Resources.TenantRole)[0].Principal = {
        AWS: ['arn:aws:iam::111122223333:root'],
      };

      expect(tenantTrustViolations(template)).toHaveLength(1);
    });
  });

  describe('only the Tenant role may assume the Installer role', () => {
    it('holds', () => {
      expect(installerTrustViolations(template)).toEqual([]);
    });

    it('is broken by a copy whose Installer also trusts the vendor account', () => {
      trustOf(template.Resources.InstallerRole)[0].Principal = { AWS: '*' };

      expect(installerTrustViolations(template)).toEqual([
        'InstallerRole trust is not exactly the Tenant role',
      ]);
    });

    it('is broken by a copy in which another role may assume roles', () => {
      inlineStatements(template, 'ConnectorApiRole').push({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: '*',
      });

      expect(installerTrustViolations(template)).toEqual([
        expect.stringMatching(
          /^ConnectorApiRole statement \d+ lets ConnectorApiRole assume roles$/,
        ),
      ]);
    });
  });

  describe('the Installer role cannot destroy or expire backup data', () => {
    it('holds: every destructive action is denied on every resource, without condition', () => {
      expect(destroysNothingViolations(template, 'InstallerRole')).toEqual([]);
    });

    it('holds for every component role too, so no role the Installer can pass destroys data', () => {
      const violations = BACKUP_SAFE_ROLES.flatMap((id) => destroysNothingViolations(template, id));

      expect(violations).toEqual([]);
    });

    it('holds whether or not global managed policies are given', () => {
      const arns = dig(
        template.Resources.InstallerRole,
        'Properties',
        'ManagedPolicyArns',
        'Fn::If',
      );

      expect(JSON.stringify((arns as unknown[])[1])).toContain(
        '"Ref":"BackupDataProtectionPolicy"',
      );
      expect((arns as unknown[])[2]).toEqual([{ Ref: 'BackupDataProtectionPolicy' }]);
    });

    it('is broken by a copy without the snapshot deny', () => {
      const protection = dig(
        template.Resources.BackupDataProtectionPolicy,
        'Properties',
        'PolicyDocument',
        'Statement',
      ) as Statement[];
      const index = protection.findIndex((s) => s.Sid === 'NeverDeleteSnapshots');
      protection.splice(index, 1);

      expect(destroysNothingViolations(template, 'InstallerRole')).toEqual([
        'InstallerRole is not denied ec2:DeleteSnapshot on every resource without condition',
        'InstallerRole is not denied rds:DeleteDBSnapshot on every resource without condition',
        'InstallerRole is not denied rds:DeleteDBClusterSnapshot on every resource without condition',
        'InstallerRole is not denied rds:DeleteDBInstanceAutomatedBackup on every resource without condition',
        'InstallerRole is not denied rds:DeleteDBClusterAutomatedBackup on every resource without condition',
        'InstallerRole is not denied dynamodb:DeleteBackup on every resource without condition',
      ]);
    });

    it('is broken by a copy whose deny has a condition', () => {
      const protection = dig(
        template.Resources.BackupDataProtectionPolicy,
        'Properties',
        'PolicyDocument',
        'Statement',
      ) as Statement[];
      protection[0].Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'false' } };

      expect(destroysNothingViolations(template, 'InstallerRole')).toContain(
        'InstallerRole is not denied s3:DeleteBucket on every resource without condition',
      );
    });
  });

  describe('no role may write objects to S3, so none can overwrite a backup object', () => {
    it('holds', () => {
      expect(objectWriteViolations(template)).toEqual([]);
    });

    it('is broken by a copy whose scanner may also put objects in the backup buckets', () => {
      inlineStatements(template, 'ScannerTaskRole').push({
        Sid: 'WriteScanResults',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:Put*'],
        Resource: 'arn:aws:s3:::connector-backup-123456789012-data/*',
      });

      expect(objectWriteViolations(template)).toEqual([
        'ScannerTaskRole statement WriteScanResults allows s3:PutObject',
      ]);
    });
  });

  describe('no component role trusts an account', () => {
    it('holds: each trusts one AWS service, guarded by aws:SourceAccount', () => {
      expect(componentTrustViolations(template)).toEqual([]);
    });

    it('is broken by a copy whose scanner role trusts an account', () => {
      trustOf(template.Resources.ScannerTaskRole)[0].Principal = {
        AWS: 'arn:aws:iam::111122223333:root',
      };

      expect(componentTrustViolations(template)).toEqual([
        'ScannerTaskRole statement 0 trusts something other than one AWS service',
        'ScannerTaskRole statement 0 does not name exactly one AWS service principal',
      ]);
    });

    it('is broken by a copy without the confused-deputy guard', () => {
      delete trustOf(template.Resources.BackupListerRole)[0].Condition;

      expect(componentTrustViolations(template)).toEqual([
        'BackupListerRole statement 0 has no aws:SourceAccount guard for this account',
      ]);
    });
  });

  describe('no role is allowed * on *, iam:*, or iam:PassRole on *', () => {
    it('holds', () => {
      expect(adminGrantViolations(template)).toEqual([]);
    });

    it.each([
      [{ Effect: 'Allow', Action: '*', Resource: '*' }, 'allows every action'],
      [{ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::*:role/x' }, 'allows iam:*'],
      [
        { Effect: 'Allow', Action: 'iam:Pass*', Resource: '*' },
        'allows iam:PassRole on every role',
      ],
      [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }, 'allows NotAction'],
    ])('is broken by a copy that grants %j', (statement, problem) => {
      inlineStatements(template, 'EbsBackupWorkerRole').push(statement as Statement);

      const violations = adminGrantViolations(template);

      expect(violations).toContainEqual(
        expect.stringMatching(new RegExp(`^EbsBackupWorkerRole statement \\d+ ${problem}`)),
      );
      expect(violations.every((v) => v.startsWith('EbsBackupWorkerRole statement 4 '))).toBe(true);
    });
  });

  describe('the drift-guard and validator roles only read IAM', () => {
    it('holds', () => {
      expect(readOnlyIamViolations(template, 'DriftGuardRole')).toEqual([]);
      expect(readOnlyIamViolations(template, 'InstallValidatorRole')).toEqual([]);
    });

    it('is broken by a copy that lets the drift guard put a role policy', () => {
      inlineStatements(template, 'DriftGuardRole').push({
        Sid: 'Repair',
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:PutRolePolicy'],
        Resource: '*',
      });

      expect(readOnlyIamViolations(template, 'DriftGuardRole')).toEqual([
        'DriftGuardRole statement Repair allows iam:PutRolePolicy, which is not a read',
      ]);
    });
  });

  describe('the Support role exists only with a date, and its trust and its sessions end at the end of that day (UTC)', () => {
    it('holds', () => {
      expect(supportTrustViolations(template)).toEqual([]);
    });

    it('is broken by a copy that ends the trust at the start of the day', () => {
      const statement = trustOf(template.Resources.SupportRole)[0];
      (statement.Condition as Record<string, unknown>).DateLessThanEquals = {
        'aws:CurrentTime': { 'Fn::Sub': `${subVariable('SupportRoleExpirationDate')}T00:00:00Z` },
      };

      expect(supportTrustViolations(template)).toEqual([
        'SupportRole statement VendorSupportUntilExpiry does not end at the end of the expiration date (UTC)',
      ]);
    });

    it('is broken by a copy whose sessions keep their permissions after the date', () => {
      const statements = inlineStatements(template, 'SupportRole');
      statements.splice(
        statements.findIndex((s) => s.Sid === 'NothingAfterExpiry'),
        1,
      );

      expect(supportTrustViolations(template)).toEqual([
        'SupportRole sessions keep their permissions after the end of the date (UTC)',
      ]);
    });

    it('is broken by a copy that creates the role without a date', () => {
      delete template.Resources.SupportRole.Condition;

      expect(supportTrustViolations(template)).toContain(
        'SupportRole is not conditional on a date',
      );
    });
  });

  describe('the vendor cannot change or invoke the guard that watches it', () => {
    it('holds: the Tenant and the Installer are denied every Lambda action on both guard functions', () => {
      expect(guardUntouchableViolations(template)).toEqual([]);
    });

    it('is broken by a copy in which the Installer may update the drift guard', () => {
      const statements = dig(
        template.Resources.InstallerRole,
        'Properties',
        'Policies',
        0,
        'PolicyDocument',
        'Statement',
      ) as Statement[];
      statements.splice(
        statements.findIndex((s) => s.Sid === 'NeverTouchTheGuard'),
        1,
      );

      // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Fn::Sub text, not a JS template
      expect(guardUntouchableViolations(template)).toEqual([
        'InstallerRole is not denied every Lambda action on {"Fn::GetAtt":["InstallValidatorFunction","Arn"]}',
        'InstallerRole is not denied every Lambda action on {"Fn::Sub":"${InstallValidatorFunction.Arn}:*"}',
        'InstallerRole is not denied every Lambda action on {"Fn::GetAtt":["DriftGuardFunction","Arn"]}',
        'InstallerRole is not denied every Lambda action on {"Fn::Sub":"${DriftGuardFunction.Arn}:*"}',
      ]);
      // biome-ignore-end lint/suspicious/noTemplateCurlyInString: Fn::Sub text, not a JS template
    });
  });

  describe('what each guard role may do', () => {
    it('lets the scheduler role invoke the drift-guard function and nothing else', () => {
      expect(permissionsOf(template, 'DriftGuardSchedulerRole')).toEqual([
        {
          Sid: 'InvokeTheDriftGuard',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': ['DriftGuardFunction', 'Arn'] },
        },
      ]);
    });

    it('lets only the drift-guard role publish to the findings topic', () => {
      const statements = dig(
        template.Resources.FindingsTopicPolicy,
        'Properties',
        'PolicyDocument',
        'Statement',
      ) as Statement[];
      const publishers = statements.filter(
        (s) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('sns:Publish'),
      );
      const denyOthers = statements.find((s) => s.Sid === 'NoOneElsePublishes');

      expect(publishers.map((s) => s.Principal)).toEqual([
        { AWS: { 'Fn::GetAtt': ['DriftGuardRole', 'Arn'] } },
      ]);
      expect(denyOthers).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['DriftGuardRole', 'Arn'] } },
        },
      });
    });

    it('gives the backup lister no EBS or EC2 access at all', () => {
      const actions = permissionsOf(template, 'BackupListerRole').flatMap((s) =>
        s.Effect === 'Allow' ? [s.Action ?? []].flat() : [],
      );

      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /^(ec2|ebs):/i.test(a))).toEqual([]);
    });

    it('passes each component role only to the AWS service that role trusts', () => {
      expect(passRoleViolations(template)).toEqual([]);
    });

    it('is broken by a copy that lets the Installer pass a Lambda role to ECS tasks', () => {
      const statements = dig(
        template.Resources.InstallerRole,
        'Properties',
        'Policies',
        0,
        'PolicyDocument',
        'Statement',
      ) as Statement[];
      const toLambda = statements.find((s) => s.Sid === 'PassTheFunctionRolesToLambda');
      (toLambda?.Condition?.StringEquals as Record<string, unknown>)['iam:PassedToService'] = [
        'lambda.amazonaws.com',
        'ecs-tasks.amazonaws.com',
      ];

      expect(passRoleViolations(template)).toEqual([
        'InstallerRole statement PassTheFunctionRolesToLambda passes BackupListerRole to ecs-tasks.amazonaws.com, which it does not trust',
        'InstallerRole statement PassTheFunctionRolesToLambda passes ConnectorApiRole to ecs-tasks.amazonaws.com, which it does not trust',
      ]);
    });

    it('is broken by a copy that lets a role pass any role', () => {
      inlineStatements(template, 'ConnectorApiRole').push({
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::123456789012:role/*',
      });

      expect(passRoleViolations(template)).toEqual([
        'ConnectorApiRole statement 5 passes "arn:aws:iam::123456789012:role/*", not a component role',
        'ConnectorApiRole statement 5 passes roles without naming the service',
      ]);
    });
  });
});
