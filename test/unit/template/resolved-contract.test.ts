import { actionsNotAllowed, isAdminEquivalent } from '../../../functions/engine/policy';
import { createdIamNames } from '../../../functions/engine/template';
import { isSecret } from '../../../functions/engine/values';
import { BACKUP_SAFE_ROLES, DESTRUCTIVE_ACTIONS } from './support/contract';
import {
  ACCOUNT_ID,
  documentsOf,
  merged,
  promised,
  roleById,
  sampleParameters,
} from './support/resolve';
import { dig } from './support/template';

const CANARY_EXTERNAL_ID = 'canary-external-id-5e1f0c9d8b7a6f5e4d3c';

describe('the security contract, with the parameters resolved by the template engine', () => {
  describe('every role carries the permissions boundary and the global policies when given', () => {
    it('holds for every role the stack creates', () => {
      const parameters = sampleParameters('guarded');
      const globals = parameters.GlobalManagedPolicies.split(',');

      const state = promised(parameters);

      expect(state.roles).toHaveLength(10);
      for (const role of state.roles) {
        expect({ role: role.logicalId, boundary: role.permissionsBoundary }).toEqual({
          role: role.logicalId,
          boundary: parameters.GlobalPermissionsBoundary,
        });
        expect(role.managedPolicyArns.map((a) => a.arn)).toEqual(expect.arrayContaining(globals));
      }
    });

    it('adds neither when they are not given', () => {
      const state = promised(sampleParameters('minimal'));

      for (const role of state.roles) {
        expect(role.permissionsBoundary).toBeNull();
        const arns = role.managedPolicyArns.map((a) => a.arn);
        expect(arns.every((arn) => String(arn).includes(':policy/connector-'))).toBe(true);
      }
    });
  });

  describe('the Support role', () => {
    it('does not exist without a date', () => {
      const state = promised(sampleParameters('minimal'));

      expect(state.roles.map((r) => r.logicalId)).not.toContain('SupportRole');
    });

    it('trusts the vendor account with the external ID until the end of its date (UTC)', () => {
      const parameters = sampleParameters('guarded');
      parameters.SupportRoleExpirationDate = '2027-02-28';

      const trust = roleById(promised(parameters), 'SupportRole').trustPolicy;

      const statement = dig(trust, 'Statement', 0);
      expect(dig(statement, 'Principal')).toEqual({ AWS: 'arn:aws:iam::210987654321:root' });
      expect(dig(statement, 'Condition', 'DateLessThanEquals')).toEqual({
        'aws:CurrentTime': '2027-02-28T23:59:59Z',
      });
      const externalId = dig(statement, 'Condition', 'StringEquals', 'sts:ExternalId');
      expect(isSecret(externalId) && externalId.matches(parameters.TenantExternalId)).toBe(true);
    });
  });

  describe('the Tenant trust', () => {
    it('is the tenant account, with the external ID kept as a secret, never in clear', () => {
      const parameters = { ...sampleParameters('guarded'), TenantExternalId: CANARY_EXTERNAL_ID };

      const state = promised(parameters);

      const statement = dig(roleById(state, 'TenantRole').trustPolicy, 'Statement', 0);
      const externalId = dig(statement, 'Condition', 'StringEquals', 'sts:ExternalId');
      expect(dig(statement, 'Principal')).toEqual({ AWS: 'arn:aws:iam::210987654321:root' });
      expect(isSecret(externalId) && externalId.matches(CANARY_EXTERNAL_ID)).toBe(true);
      expect(JSON.stringify(state)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('names the partition of the region it is deployed in', () => {
      const state = promised(sampleParameters('minimal'), { region: 'cn-north-1' });

      const statement = dig(roleById(state, 'TenantRole').trustPolicy, 'Statement', 0);
      expect(dig(statement, 'Principal')).toEqual({ AWS: 'arn:aws-cn:iam::210987654321:root' });
    });
  });

  describe('the grants, judged by the policy core', () => {
    it('gives no role an administrator-equivalent grant', () => {
      const state = promised(sampleParameters('guarded'));

      const admins = state.roles
        .filter((role) => documentsOf(state, role).some((d) => isAdminEquivalent(d)))
        .map((role) => role.logicalId);

      expect(admins).toEqual([]);
    });

    it('notices an administrator-equivalent grant when one is added', () => {
      const state = promised(sampleParameters('minimal'));
      const api = roleById(state, 'ConnectorApiRole');
      const widened = merged([
        ...documentsOf(state, api),
        { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      ]);

      expect(isAdminEquivalent(widened)).toBe(true);
    });

    it.each(BACKUP_SAFE_ROLES)(
      'denies %s every action that destroys or expires backup data, on any resource',
      (roleId) => {
        const state = promised(sampleParameters('guarded'));
        const role = merged(documentsOf(state, roleById(state, roleId)));
        const requests = DESTRUCTIVE_ACTIONS.flatMap((action) => [
          { action },
          { action, resource: `arn:aws:s3:::connector-backup-${ACCOUNT_ID}-eu-west-1` },
        ]);

        const blocked = actionsNotAllowed(role, requests);

        expect(blocked).toHaveLength(requests.length);
        expect(blocked.filter((b) => b.reason !== 'explicit-deny')).toEqual([]);
      },
    );

    it('still lets the Installer create backup buckets and vaults', () => {
      const state = promised(sampleParameters('minimal'));
      const installer = merged(documentsOf(state, roleById(state, 'InstallerRole')));

      const blocked = actionsNotAllowed(installer, [
        { action: 's3:CreateBucket', resource: `arn:aws:s3:::connector-backup-${ACCOUNT_ID}-x` },
        {
          action: 'backup:CreateBackupVault',
          resource: `arn:aws:backup:eu-west-1:${ACCOUNT_ID}:backup-vault:connector-vault`,
        },
      ]);

      expect(blocked).toEqual([]);
    });

    it('lets the drift guard publish only to the existing topic it is given', () => {
      const parameters = sampleParameters('existing-topic');

      const state = promised(parameters);

      const guard = merged(documentsOf(state, roleById(state, 'DriftGuardRole')));
      const topic = parameters.ExistingNotificationTopicArn;
      expect(actionsNotAllowed(guard, [{ action: 'sns:Publish', resource: topic }])).toEqual([]);
      expect(
        actionsNotAllowed(guard, [
          { action: 'sns:Publish', resource: 'arn:aws:sns:eu-central-1:444455556666:other' },
        ]),
      ).toHaveLength(1);
    });
  });

  describe('names', () => {
    it('puts the prefix and suffix around every IAM name, within IAM limits', () => {
      const parameters = {
        ...sampleParameters('guarded'),
        IamResourceNamesPrefix: 'p'.repeat(20),
        IamResourceNamesSuffix: 's'.repeat(20),
      };

      const names = createdIamNames(promised(parameters));

      expect(names.length).toBeGreaterThan(20);
      for (const { name, limit } of names) {
        expect(String(name)).toMatch(/^p{20}connector-[a-z-]+s{20}$/);
        expect(String(name).length).toBeLessThanOrEqual(limit);
      }
    });
  });
});
