import { compareState } from '../../../../functions/engine/drift/compare';
import { Unreadable } from '../../../../functions/engine/drift/live-state';
import type { Finding } from '../../../../functions/engine/drift/types';
import type { PromisedIamState } from '../../../../functions/engine/template/types';
import { SecretValue, UnknownValue } from '../../../../functions/engine/values';
import {
  ACCOUNT,
  allow,
  CANARY_EXTERNAL_ID,
  deny,
  liveState as live,
  livePolicy,
  liveRole,
  type liveState,
  promisedPolicy,
  promisedRole,
  promisedState,
  READ_LOGS,
  secret,
  trustWith,
  VENDOR,
} from './builders';

function compare(promised: PromisedIamState, state: ReturnType<typeof liveState>, extra = {}) {
  return compareState({
    stack: 'acme-connector',
    promised,
    live: state,
    parameters: { TenantAccountId: VENDOR },
    accountId: ACCOUNT,
    ...extra,
  });
}

function only(findings: Finding[], kind?: string): Finding {
  const matching = kind === undefined ? findings : findings.filter((f) => f.kind === kind);
  expect(matching).toHaveLength(1);
  return matching[0] as Finding;
}

describe('compareState', () => {
  it('finds nothing when the live role matches the promise, external ID compared by digest', () => {
    const { findings, coverage } = compare(promisedState(), live());

    expect(findings).toEqual([]);
    expect(coverage.checked).toEqual([
      { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'acme-tenant' },
    ]);
  });

  describe('trust-policy-changed', () => {
    it('is CRITICAL and widened when a principal is added', () => {
      const widened = trustWith(CANARY_EXTERNAL_ID, [
        `arn:aws:iam::${VENDOR}:root`,
        'arn:aws:iam::444455556666:root',
      ]);

      const f = only(compare(promisedState(), live([liveRole({ trustPolicy: widened })])).findings);

      expect(f).toMatchObject({
        kind: 'trust-policy-changed',
        severity: 'CRITICAL',
        direction: 'widened',
      });
      expect(f.remediation[0]).toMatch(/^read -rs TENANT_EXTERNAL_ID {2}# /);
      expect(f.remediation[1]).toMatch(
        /^aws iam update-assume-role-policy --role-name acme-tenant --policy-document '/,
      );
      expect(f.remediation[1]).toContain(`"sts:ExternalId":"'"\${TENANT_EXTERNAL_ID:?not read}"'"`);
      expect(f.remediation[2]).toBe('unset TENANT_EXTERNAL_ID');
    });

    it('is CRITICAL when the external ID is changed, and shows neither value', () => {
      const other = 'attacker-chosen-external-id-000000000000';

      const f = only(
        compare(promisedState(), live([liveRole({ trustPolicy: trustWith(other) })])).findings,
      );

      expect(f).toMatchObject({ kind: 'trust-policy-changed', severity: 'CRITICAL' });
      const text = JSON.stringify(f);
      expect(text).not.toContain(other);
      expect(text).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('is CRITICAL when the external-ID condition is removed', () => {
      const bare = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${VENDOR}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      };

      const f = only(compare(promisedState(), live([liveRole({ trustPolicy: bare })])).findings);

      expect(f).toMatchObject({ severity: 'CRITICAL', direction: 'widened' });
    });

    const serviceTrust = (statement: Record<string, unknown> = {}) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          ...statement,
        },
      ],
    });

    it.each([
      ['anyone', trustWith(CANARY_EXTERNAL_ID, '*'), trustWith(secret())],
      [
        'a new action',
        {
          ...trustWith(CANARY_EXTERNAL_ID),
          Statement: [
            {
              ...trustWith(CANARY_EXTERNAL_ID).Statement[0],
              Action: ['sts:AssumeRole', 'sts:TagSession'],
            },
          ],
        },
        trustWith(secret()),
      ],
      ['no confused-deputy guard', serviceTrust({ Condition: undefined }), serviceTrust()],
      [
        'another confused-deputy guard',
        serviceTrust({ Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } }),
        serviceTrust(),
      ],
    ])('is CRITICAL when the live trust lets in %s', (_, liveTrust, promisedTrust) => {
      const promised = promisedState({ roles: [promisedRole({ trustPolicy: promisedTrust })] });

      const f = only(compare(promised, live([liveRole({ trustPolicy: liveTrust })])).findings);

      expect(f).toMatchObject({ kind: 'trust-policy-changed', severity: 'CRITICAL' });
      expect(JSON.stringify(f)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('is MEDIUM when narrowed', () => {
      const promised = promisedState({
        roles: [
          promisedRole({
            trustPolicy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
          }),
        ],
      });
      const narrowed = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      };

      const f = only(compare(promised, live([liveRole({ trustPolicy: narrowed })])).findings);

      expect(f).toMatchObject({ severity: 'MEDIUM', direction: 'narrowed' });
    });

    it('is CRITICAL when the vendor account is swapped for another, though one was removed', () => {
      const swapped = trustWith(CANARY_EXTERNAL_ID, 'arn:aws:iam::444455556666:root');

      const f = only(compare(promisedState(), live([liveRole({ trustPolicy: swapped })])).findings);

      expect(f).toMatchObject({ severity: 'CRITICAL', direction: 'mixed' });
      expect(f.changes.map((c) => c.direction).sort()).toEqual(['narrowed', 'widened']);
      expect(f.summary).toMatch(
        /^Role TenantRole \(acme-tenant\): trust policy widened and narrowed: /,
      );
    });

    /** Each guard's check, the value the template gives it and one naming someone else. */
    const GUARD_VALUES: Record<string, [string, string, string]> = {
      'aws:SourceAccount': ['StringEquals', ACCOUNT, '999988887777'],
      'aws:SourceArn': [
        'ArnLike',
        `arn:aws:ecs:eu-west-1:${ACCOUNT}:*`,
        'arn:aws:ecs:eu-west-1:999988887777:*',
      ],
      'aws:PrincipalOrgID': ['StringEquals', 'o-aaaaaaaaaa', 'o-bbbbbbbbbb'],
      'aws:SourceOrgID': ['StringEquals', 'o-aaaaaaaaaa', 'o-bbbbbbbbbb'],
      'aws:PrincipalArn': [
        'ArnLike',
        `arn:aws:iam::${VENDOR}:role/connector-*`,
        `arn:aws:iam::${VENDOR}:role/x-*`,
      ],
      'token.actions.githubusercontent.com:sub': [
        'StringLike',
        'repo:acme/connector:*',
        'repo:someone/else:*',
      ],
    };

    describe('when a value is replaced by another', () => {
      const trust = (statement: Record<string, unknown>) => ({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
      });
      const trustChange = (promisedTrust: unknown, liveTrust: unknown) => {
        const promised = promisedState({ roles: [promisedRole({ trustPolicy: promisedTrust })] });
        return only(compare(promised, live([liveRole({ trustPolicy: liveTrust })])).findings);
      };
      const github = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

      const webIdentity = { Federated: github };
      it.each([
        { key: 'aws:SourceAccount', principal: { Service: 'lambda.amazonaws.com' } },
        { key: 'aws:SourceArn', principal: { Service: 'ecs-tasks.amazonaws.com' } },
        { key: 'aws:PrincipalOrgID', principal: { AWS: '*' } },
        { key: 'aws:SourceOrgID', principal: { Service: 'lambda.amazonaws.com' } },
        { key: 'aws:PrincipalArn', principal: { AWS: `arn:aws:iam::${VENDOR}:root` } },
        { key: 'token.actions.githubusercontent.com:sub', principal: webIdentity },
      ])('is CRITICAL when the guard $key names someone else', ({ key, principal }) => {
        const [operator, expected, actual] = GUARD_VALUES[key];
        const guarded = (value: string) =>
          trust({ Principal: principal, Condition: { [operator]: { [key]: value } } });

        const f = trustChange(guarded(expected), guarded(actual));

        expect(f).toMatchObject({ kind: 'trust-policy-changed', severity: 'CRITICAL' });
        expect(f.changes.map((c) => [c.element, c.direction])).toEqual([['Condition', 'mixed']]);
      });

      it('is HIGH when a condition that does not say who may assume the role names another value', () => {
        const tagged = (team: string) =>
          trust({
            Principal: { AWS: `arn:aws:iam::${VENDOR}:root` },
            Condition: { StringEquals: { 'aws:PrincipalTag/team': team } },
          });

        const f = trustChange(tagged('connector'), tagged('other'));

        expect(f).toMatchObject({ severity: 'HIGH', direction: 'mixed' });
      });

      it.each([
        [
          'an AWS role',
          { AWS: `arn:aws:iam::${VENDOR}:role/a` },
          { AWS: `arn:aws:iam::${VENDOR}:role/b` },
        ],
        ['an AWS account ID', { AWS: VENDOR }, { AWS: '444455556666' }],
        ['a service', { Service: 'lambda.amazonaws.com' }, { Service: 'ec2.amazonaws.com' }],
        [
          'a federated provider',
          { Federated: github },
          { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/accounts.google.com` },
        ],
        ['a canonical user', { CanonicalUser: 'a'.repeat(64) }, { CanonicalUser: 'b'.repeat(64) }],
      ])('is CRITICAL when %s principal is replaced by another', (_, before, after) => {
        const f = trustChange(trust({ Principal: before }), trust({ Principal: after }));

        expect(f).toMatchObject({ severity: 'CRITICAL', direction: 'mixed' });
        expect(f.changes.map((c) => c.direction).sort()).toEqual(['narrowed', 'widened']);
      });

      it.each([
        [
          'another value under the same check',
          { StringEquals: { 'sts:ExternalId': 'x'.repeat(40) } },
        ],
        ['a pattern that does not match it', { StringLike: { 'sts:ExternalId': 'other-*' } }],
        ['nothing', undefined],
      ])('is CRITICAL when the external ID is replaced by %s', (_, condition) => {
        const replaced = {
          ...trustWith(CANARY_EXTERNAL_ID),
          Statement: [{ ...trustWith(CANARY_EXTERNAL_ID).Statement[0], Condition: condition }],
        };

        const f = trustChange(trustWith(secret()), replaced);

        expect(f).toMatchObject({ kind: 'trust-policy-changed', severity: 'CRITICAL' });
        expect(JSON.stringify(f)).not.toContain(CANARY_EXTERNAL_ID);
      });
    });

    it('is check-incomplete, not drift, when the external ID digest was not supplied', () => {
      const promised = promisedState({
        roles: [
          promisedRole({ trustPolicy: trustWith(new SecretValue('TenantExternalId', undefined)) }),
        ],
      });

      const f = only(compare(promised, live()).findings);

      expect(f).toMatchObject({ kind: 'check-incomplete', severity: 'MEDIUM' });
      expect(f.summary).toContain('TenantExternalId');
      expect(JSON.stringify(f)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('is check-incomplete naming the source when the promise depends on a custom resource', () => {
      const unknown = new UnknownValue('Custom::Vendor.ExternalId', 'known only after deploy');
      const promised = promisedState({
        roles: [promisedRole({ trustPolicy: trustWith(unknown) })],
      });

      const f = only(compare(promised, live()).findings);

      expect(f.kind).toBe('check-incomplete');
      expect(f.summary).toContain('Custom::Vendor.ExternalId');
    });
  });

  describe('permissions-boundary-changed', () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/org-boundary`;

    it('is CRITICAL when the boundary is removed', () => {
      const promised = promisedState({ roles: [promisedRole({ permissionsBoundary: boundary })] });

      const f = only(compare(promised, live()).findings);

      expect(f).toMatchObject({
        kind: 'permissions-boundary-changed',
        severity: 'CRITICAL',
        expected: boundary,
        actual: null,
      });
      expect(f.remediation).toEqual([
        `aws iam put-role-permissions-boundary --role-name acme-tenant --permissions-boundary ${boundary}`,
      ]);
    });

    it('is LOW when one is added where none was promised', () => {
      const f = only(
        compare(promisedState(), live([liveRole({ permissionsBoundaryArn: boundary })])).findings,
      );

      expect(f).toMatchObject({ severity: 'LOW' });
      expect(f.remediation).toEqual([
        'aws iam delete-role-permissions-boundary --role-name acme-tenant',
      ]);
    });

    it('is CRITICAL when replaced by a wider one, MEDIUM by a narrower one', () => {
      const other = `arn:aws:iam::${ACCOUNT}:policy/other-boundary`;
      const promised = promisedState({ roles: [promisedRole({ permissionsBoundary: boundary })] });
      const role = liveRole({ permissionsBoundaryArn: other });
      const original = livePolicy({
        arn: boundary,
        name: 'org-boundary',
        document: allow(['s3:GetObject', 'logs:*']),
        attachedTo: null,
      });

      const wider = compare(
        promised,
        live(
          [role],
          [
            original,
            livePolicy({
              arn: other,
              name: 'other-boundary',
              document: allow('*'),
              attachedTo: null,
            }),
          ],
        ),
      );
      const narrower = compare(
        promised,
        live(
          [role],
          [
            original,
            livePolicy({
              arn: other,
              name: 'other-boundary',
              document: allow('logs:*'),
              attachedTo: null,
            }),
          ],
        ),
      );

      expect(only(wider.findings)).toMatchObject({ severity: 'CRITICAL', direction: 'widened' });
      expect(only(narrower.findings)).toMatchObject({ severity: 'MEDIUM', direction: 'narrowed' });
    });

    it.each([
      [allow('*'), 'a wider one'],
      [allow('logs:*'), 'a narrower one'],
      [
        allow(['s3:GetObject', 'ec2:DescribeVolumes']),
        'one wider in some ways and narrower in others',
      ],
    ])('says in its summary how the boundary that replaced it compares', (document, words) => {
      const other = `arn:aws:iam::${ACCOUNT}:policy/other-boundary`;
      const promised = promisedState({ roles: [promisedRole({ permissionsBoundary: boundary })] });
      const policies = [
        livePolicy({
          arn: boundary,
          document: allow(['s3:GetObject', 'logs:*']),
          attachedTo: null,
        }),
        livePolicy({ arn: other, name: 'other-boundary', document, attachedTo: null }),
      ];

      const f = only(
        compare(promised, live([liveRole({ permissionsBoundaryArn: other })], policies)).findings,
      );

      expect(f.summary).toBe(
        `Role TenantRole (acme-tenant): permissions boundary ${boundary} replaced by ${other}, ` +
          `${words}.`,
      );
    });

    it('is CRITICAL when replaced by one whose document cannot be read', () => {
      const other = `arn:aws:iam::${ACCOUNT}:policy/other-boundary`;
      const promised = promisedState({ roles: [promisedRole({ permissionsBoundary: boundary })] });

      const f = only(
        compare(
          promised,
          live([liveRole({ permissionsBoundaryArn: other })], [new Unreadable('access denied')], {
            policies: [other],
          }),
        ).findings,
      );

      expect(f).toMatchObject({ severity: 'CRITICAL', direction: 'unknown' });
    });
  });

  describe('inline policies', () => {
    it('inline-policy-added is CRITICAL for an admin-equivalent grant', () => {
      const role = liveRole({
        inlinePolicies: new Map<string, unknown>([
          ['read-logs', READ_LOGS],
          ['break-glass', allow('iam:PassRole')],
        ]),
      });

      const f = only(compare(promisedState(), live([role])).findings);

      expect(f).toMatchObject({
        kind: 'inline-policy-added',
        severity: 'CRITICAL',
        direction: 'widened',
      });
      expect(f.remediation).toEqual([
        'aws iam delete-role-policy --role-name acme-tenant --policy-name break-glass',
      ]);
    });

    it('inline-policy-added is HIGH for another widening, MEDIUM when it only denies', () => {
      const widening = liveRole({
        inlinePolicies: new Map<string, unknown>([
          ['read-logs', READ_LOGS],
          ['extra', allow('s3:GetObject')],
        ]),
      });
      const denying = liveRole({
        inlinePolicies: new Map<string, unknown>([
          ['read-logs', READ_LOGS],
          ['extra', deny('s3:*')],
        ]),
      });

      expect(only(compare(promisedState(), live([widening])).findings)).toMatchObject({
        severity: 'HIGH',
        direction: 'widened',
      });
      expect(only(compare(promisedState(), live([denying])).findings)).toMatchObject({
        severity: 'MEDIUM',
        direction: 'narrowed',
      });
    });

    it('inline-policy-removed is MEDIUM, HIGH when the removed policy held a Deny', () => {
      const withDeny = promisedState({
        roles: [
          promisedRole({
            inlinePolicies: [
              {
                name: 'no-delete',
                document: deny('s3:DeleteObject'),
                definedBy: { logicalId: 'TenantRole', type: 'AWS::IAM::Role' },
              },
            ],
          }),
        ],
      });
      const bare = liveRole({ inlinePolicies: new Map() });

      const allowRemoved = only(compare(promisedState(), live([bare])).findings);
      const denyRemoved = only(compare(withDeny, live([bare])).findings);

      expect(allowRemoved).toMatchObject({
        kind: 'inline-policy-removed',
        severity: 'MEDIUM',
        direction: 'narrowed',
      });
      expect(denyRemoved).toMatchObject({ kind: 'inline-policy-removed', severity: 'HIGH' });
      expect(allowRemoved.remediation[0]).toMatch(
        /^aws iam put-role-policy --role-name acme-tenant --policy-name read-logs --policy-document '\{/,
      );
    });

    it('inline-policy-changed is HIGH widened, CRITICAL when it now grants iam:*, MEDIUM narrowed', () => {
      const wider = allow(
        ['logs:GetLogEvents', 'logs:DeleteLogGroup'],
        READ_LOGS.Statement[0]?.Resource as string,
      );
      const admin = allow('iam:*');
      const narrower = { Version: '2012-10-17', Statement: [] };
      const run = (doc: unknown) =>
        only(
          compare(
            promisedState(),
            live([liveRole({ inlinePolicies: new Map([['read-logs', doc]]) })]),
          ).findings,
        );

      expect(run(wider)).toMatchObject({
        kind: 'inline-policy-changed',
        severity: 'HIGH',
        direction: 'widened',
      });
      expect(run(admin)).toMatchObject({ severity: 'CRITICAL' });
      expect(run(narrower)).toMatchObject({ severity: 'MEDIUM', direction: 'narrowed' });
    });

    it('reads an inline policy that could not be read as check-incomplete', () => {
      const role = liveRole({
        inlinePolicies: new Map([
          ['read-logs', new Unreadable('access denied reading inline policy read-logs')],
        ]),
      });

      const f = only(compare(promisedState(), live([role])).findings);

      expect(f).toMatchObject({ kind: 'check-incomplete' });
      expect(f.summary).toContain('access denied');
    });
  });

  describe('managed policy attachments', () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';

    it.each([['AdministratorAccess'], ['IAMFullAccess'], ['PowerUserAccess']])(
      'managed-policy-attached is CRITICAL for %s, even unread',
      (name) => {
        const arn = `arn:aws:iam::aws:policy/${name}`;
        const role = liveRole({ attachedPolicies: [{ arn, name }] });

        const f = only(compare(promisedState(), live([role])).findings);

        expect(f).toMatchObject({ kind: 'managed-policy-attached', severity: 'CRITICAL' });
        expect(f.remediation).toEqual([
          `aws iam detach-role-policy --role-name acme-tenant --policy-arn ${arn}`,
        ]);
      },
    );

    it('managed-policy-attached is CRITICAL for a customer policy allowing sts:AssumeRole on *', () => {
      const arn = `arn:aws:iam::${ACCOUNT}:policy/hop`;
      const role = liveRole({ attachedPolicies: [{ arn, name: 'hop' }] });

      const f = only(
        compare(
          promisedState(),
          live(
            [role],
            [livePolicy({ arn, name: 'hop', document: allow('sts:AssumeRole'), attachedTo: null })],
          ),
        ).findings,
      );

      expect(f.severity).toBe('CRITICAL');
    });

    it('managed-policy-attached is HIGH for another grant, and when its document is unknown', () => {
      const arn = `arn:aws:iam::${ACCOUNT}:policy/reader`;
      const role = liveRole({ attachedPolicies: [{ arn, name: 'reader' }] });

      const read = only(
        compare(
          promisedState(),
          live(
            [role],
            [
              livePolicy({
                arn,
                name: 'reader',
                document: allow('s3:GetObject'),
                attachedTo: null,
              }),
            ],
          ),
        ).findings,
      );
      const unread = only(compare(promisedState(), live([role])).findings);

      expect(read).toMatchObject({ severity: 'HIGH', direction: 'widened' });
      expect(unread).toMatchObject({ severity: 'HIGH', direction: 'unknown' });
    });

    it('managed-policy-detached is MEDIUM, HIGH when the policy held a Deny', () => {
      const readOnly = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
      const promisedReadOnly = promisedState({
        roles: [
          promisedRole({
            managedPolicyArns: [
              { arn: readOnly, definedBy: { logicalId: 'TenantRole', type: 'AWS::IAM::Role' } },
            ],
          }),
        ],
      });
      const guard = promisedPolicy();
      const withGuard = promisedState({ managedPolicies: [guard] });

      const plain = only(compare(promisedReadOnly, live()).findings);
      const guarded = only(
        compare(
          withGuard,
          live([liveRole()], [livePolicy({ attachedTo: { roles: [], users: [], groups: [] } })]),
        ).findings,
      );

      expect(plain).toMatchObject({ kind: 'managed-policy-detached', severity: 'MEDIUM' });
      expect(plain.remediation).toEqual([
        `aws iam attach-role-policy --role-name acme-tenant --policy-arn ${readOnly}`,
      ]);
      expect(guarded).toMatchObject({ kind: 'managed-policy-detached', severity: 'HIGH' });
    });

    it('managed-policy-detached is HIGH when a customer policy the stack does not own held a Deny', () => {
      const guardrail = `arn:aws:iam::${ACCOUNT}:policy/org-guardrail`;
      const promised = promisedState({
        roles: [
          promisedRole({
            managedPolicyArns: [
              { arn: guardrail, definedBy: { logicalId: 'TenantRole', type: 'AWS::IAM::Role' } },
            ],
          }),
        ],
      });
      const read = livePolicy({
        arn: guardrail,
        name: 'org-guardrail',
        document: deny('kms:ScheduleKeyDeletion'),
        attachedTo: null,
      });

      const f = only(compare(promised, live([liveRole()], [read])).findings);

      expect(f).toMatchObject({
        kind: 'managed-policy-detached',
        severity: 'HIGH',
        direction: 'widened',
      });
      expect(f.summary).toContain('it held a Deny, so the role can now do more');
    });

    it('does not report an attachment the template makes through the policy resource', () => {
      const guard = promisedPolicy();
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });

      expect(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [livePolicy()])).findings,
      ).toEqual([]);
    });

    it('is check-incomplete, not drift, for an attachment the template names by an unknown ARN', () => {
      const unknown = new UnknownValue(
        'Fn::ImportValue shared-policy',
        'the export was not supplied',
      );
      const promised = promisedState({
        roles: [
          promisedRole({
            managedPolicyArns: [
              { arn: unknown, definedBy: { logicalId: 'TenantRole', type: 'AWS::IAM::Role' } },
            ],
          }),
        ],
      });
      const role = liveRole({ attachedPolicies: [{ arn: admin, name: 'AdministratorAccess' }] });

      const f = only(compare(promised, live([role])).findings);

      expect(f.kind).toBe('check-incomplete');
      expect(f.summary).toContain('Fn::ImportValue shared-policy');
    });
  });

  describe("the stack's managed policies", () => {
    it.each([
      [
        'HIGH when mixed',
        allow(['s3:GetObject', 's3:DeleteObject'], 'arn:aws:s3:::b/*'),
        'mixed',
        'HIGH',
      ],
      ['MEDIUM when narrowed', allow('s3:GetObject', 'arn:aws:s3:::b/*'), 'narrowed', 'MEDIUM'],
      [
        'CRITICAL when mixed but now passing any role',
        {
          Version: '2012-10-17',
          Statement: [...allow('iam:PassRole').Statement, ...deny('s3:GetObject').Statement],
        },
        'mixed',
        'CRITICAL',
      ],
    ])('managed-policy-changed is %s', (_, liveDocument, direction, severity) => {
      const guard = promisedPolicy({ document: allow(['s3:GetObject', 's3:PutObject']) });
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const policy = livePolicy({ document: liveDocument });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [policy])).findings,
      );

      expect(f).toMatchObject({ kind: 'managed-policy-changed', severity, direction });
    });

    it('managed-policy-changed is HIGH when widened, with set-default when an old version matches', () => {
      const guard = promisedPolicy();
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const policy = livePolicy({
        defaultVersionId: 'v2',
        document: { Version: '2012-10-17', Statement: [] },
        versions: [
          {
            versionId: 'v1',
            isDefault: false,
            createDate: null,
            document: deny('s3:DeleteBucket'),
          },
          {
            versionId: 'v2',
            isDefault: true,
            createDate: null,
            document: { Version: '2012-10-17', Statement: [] },
          },
        ],
      });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [policy])).findings,
      );

      expect(f).toMatchObject({
        kind: 'managed-policy-changed',
        severity: 'HIGH',
        direction: 'widened',
      });
      expect(f.remediation).toEqual([
        `aws iam set-default-policy-version --policy-arn ${guard.arn} --version-id v1`,
      ]);
    });

    it('managed-policy-changed is CRITICAL when the document now grants *', () => {
      const guard = promisedPolicy({ document: allow('s3:GetObject') });
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });

      const f = only(
        compare(
          promisedState({ managedPolicies: [guard] }),
          live([role], [livePolicy({ document: allow('*') })]),
        ).findings,
      );

      expect(f.severity).toBe('CRITICAL');
      expect(f.remediation.at(-1)).toMatch(
        /^aws iam create-policy-version --policy-arn .* --set-as-default$/,
      );
    });

    it('deletes the oldest other version first when the policy already holds five', () => {
      const guard = promisedPolicy();
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const versions = [1, 2, 3, 4, 5].map((v) => ({
        versionId: `v${v}`,
        isDefault: v === 5,
        createDate: new Date(Date.UTC(2026, 0, v)),
        document: allow(`s3:Get${v}`),
      }));
      const policy = livePolicy({ defaultVersionId: 'v5', document: allow('s3:Get5'), versions });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [policy])).findings,
      );

      expect(f.remediation[0]).toBe(
        `aws iam delete-policy-version --policy-arn ${guard.arn} --version-id v1`,
      );
      expect(f.remediation[1]).toMatch(/^aws iam create-policy-version /);
    });

    it('says what to do on a full policy when its versions could not be listed', () => {
      const guard = promisedPolicy();
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const policy = livePolicy({ document: allow('s3:*'), versions: null });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [policy])).findings,
      );

      expect(f.remediation).toEqual([
        expect.stringMatching(
          /^# The versions of this policy could not be listed\. .*LimitExceeded/,
        ),
        expect.stringMatching(/^aws iam create-policy-version .* --set-as-default$/),
      ]);
    });

    it('reports a deleted stack policy, HIGH when it held a Deny, with the command to create it', () => {
      const guard = promisedPolicy();

      const { findings } = compare(
        promisedState({ managedPolicies: [guard] }),
        live([liveRole()], [null], { policies: [guard.arn as string] }),
      );

      const f = only(findings, 'managed-policy-changed');
      expect(f).toMatchObject({ severity: 'HIGH', actual: null });
      expect(f.remediation[0]).toMatch(
        /^aws iam create-policy --policy-name acme-guardrail --path \/ --policy-document '/,
      );
      expect(only(findings, 'managed-policy-detached').resource.logicalId).toBe('TenantRole');
    });

    it('reports a user the template attaches the policy to but no longer holds it', () => {
      const guard = promisedPolicy({
        attachedTo: { roles: ['acme-tenant'], users: ['ops'], groups: [] },
      });
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [livePolicy()])).findings,
      );

      expect(f).toMatchObject({
        kind: 'managed-policy-detached',
        severity: 'HIGH',
        expected: { entityType: 'user', entityName: 'ops' },
      });
      expect(f.remediation).toEqual([
        `aws iam attach-user-policy --user-name ops --policy-arn ${guard.arn}`,
      ]);
    });

    it('is check-incomplete for an entity that may be one the template names by an unknown value', () => {
      const unknown = new UnknownValue('Custom::Directory.GroupName', 'known only after deploy');
      const guard = promisedPolicy({
        attachedTo: { roles: ['acme-tenant'], users: [], groups: [unknown] },
      });
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const policy = livePolicy({
        attachedTo: { roles: ['acme-tenant'], users: [], groups: ['admins'] },
      });

      const f = only(
        compare(promisedState({ managedPolicies: [guard] }), live([role], [policy])).findings,
      );

      expect(f.kind).toBe('check-incomplete');
      expect(f.summary).toContain('Custom::Directory.GroupName');
    });

    it('policy-attached-elsewhere is HIGH for a user the template does not name, CRITICAL when admin', () => {
      const guard = promisedPolicy({ document: allow('s3:GetObject') });
      const role = liveRole({
        attachedPolicies: [{ arn: guard.arn as string, name: 'acme-guardrail' }],
      });
      const elsewhere = { roles: ['acme-tenant'], users: ['mallory'], groups: [] };

      const plain = only(
        compare(
          promisedState({ managedPolicies: [guard] }),
          live([role], [livePolicy({ document: allow('s3:GetObject'), attachedTo: elsewhere })]),
        ).findings,
      );
      const admin = compare(
        promisedState({ managedPolicies: [guard] }),
        live([role], [livePolicy({ document: allow('*'), attachedTo: elsewhere })]),
      ).findings;

      expect(plain).toMatchObject({
        kind: 'policy-attached-elsewhere',
        severity: 'HIGH',
        actual: { entityType: 'user', entityName: 'mallory' },
      });
      expect(plain.remediation).toEqual([
        `aws iam detach-user-policy --user-name mallory --policy-arn ${guard.arn}`,
      ]);
      expect(only(admin, 'policy-attached-elsewhere').severity).toBe('CRITICAL');
    });
  });

  describe('roles', () => {
    it('role-missing is HIGH with commands that re-create it', () => {
      const f = only(
        compare(promisedState(), live([null], [], { roles: ['acme-tenant'] })).findings,
      );

      expect(f).toMatchObject({ kind: 'role-missing', severity: 'HIGH', direction: null });
      expect(f.remediation[0]).toMatch(/^read -rs TENANT_EXTERNAL_ID /);
      expect(f.remediation[1]).toMatch(
        /^aws iam create-role --role-name acme-tenant --path \/ --assume-role-policy-document '/,
      );
      expect(f.remediation[2]).toMatch(
        /^aws iam put-role-policy --role-name acme-tenant --policy-name read-logs/,
      );
      expect(f.remediation.at(-1)).toBe('unset TENANT_EXTERNAL_ID');
    });

    it('role-missing re-saves the trust policies that named the role, after re-creating it', () => {
      const tenantArn = `arn:aws:iam::${ACCOUNT}:role/acme-tenant`;
      const installer = promisedRole({
        logicalId: 'InstallerRole',
        name: 'acme-installer',
        inlinePolicies: [],
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: tenantArn }, Action: 'sts:AssumeRole' }],
        },
      });
      const promised = promisedState({ roles: [promisedRole(), installer] });
      const roles = [null, liveRole({ name: 'acme-installer', inlinePolicies: new Map() })];
      const state = live(roles, [], { roles: ['acme-tenant', 'acme-installer'] });

      const f = only(compare(promised, state).findings, 'role-missing');

      expect(f.remediation.at(-2)).toBe(
        `aws iam update-assume-role-policy --role-name acme-installer --policy-document '${JSON.stringify(installer.trustPolicy)}'`,
      );
      expect(f.remediation[1]).toMatch(/^aws iam create-role --role-name acme-tenant /);
      expect(f.summary).toContain('the trust policies that named it (InstallerRole)');
    });

    it('role-recreated is HIGH when the role was created after the stack last touched it', () => {
      const promised = promisedState({
        roles: [promisedRole({ lastUpdated: new Date('2026-03-01T00:00:00Z') })],
      });

      const after = compare(
        promised,
        live([liveRole({ createDate: new Date('2026-04-01T00:00:00Z'), roleId: 'AROANEWID' })]),
      ).findings;
      const before = compare(
        promised,
        live([liveRole({ createDate: new Date('2026-02-28T23:59:00Z') })]),
      ).findings;

      expect(only(after)).toMatchObject({
        kind: 'role-recreated',
        severity: 'HIGH',
        actual: { roleId: 'AROANEWID' },
      });
      expect(before).toEqual([]);
    });

    it('reports the trust of a role that named a deleted and re-created role as changed', () => {
      const tenantArn = `arn:aws:iam::${ACCOUNT}:role/acme-tenant`;
      const installerTrust = (principal: string) => ({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
      });
      const promised = promisedState({
        roles: [
          promisedRole({ lastUpdated: new Date('2026-03-01T00:00:00Z') }),
          promisedRole({
            logicalId: 'InstallerRole',
            name: 'acme-installer',
            inlinePolicies: [],
            trustPolicy: installerTrust(tenantArn),
          }),
        ],
      });
      const roles = [
        liveRole({ createDate: new Date('2026-04-01T00:00:00Z'), roleId: 'AROANEWID' }),
        liveRole({
          name: 'acme-installer',
          inlinePolicies: new Map(),
          trustPolicy: installerTrust('AROAOLDTENANTROLEID1'),
        }),
      ];

      const { findings } = compare(promised, live(roles));

      const recreated = only(findings, 'role-recreated');
      expect(recreated.remediation).toEqual([
        expect.stringMatching(/^aws iam update-assume-role-policy --role-name acme-installer /),
      ]);
      expect(only(findings, 'trust-policy-changed').resource.logicalId).toBe('InstallerRole');
    });

    it('role-setting-changed is MEDIUM when the maximum session grows, LOW when it shrinks', () => {
      const longer = only(
        compare(promisedState(), live([liveRole({ maxSessionDuration: 43200 })])).findings,
      );
      const shorter = only(
        compare(promisedState(), live([liveRole({ maxSessionDuration: 900 })])).findings,
      );

      expect(longer).toMatchObject({ kind: 'role-setting-changed', severity: 'MEDIUM' });
      expect(longer.remediation).toEqual([
        'aws iam update-role --role-name acme-tenant --max-session-duration 3600',
      ]);
      expect(shorter).toMatchObject({ kind: 'role-setting-changed', severity: 'LOW' });
    });

    it('role-setting-changed is LOW for a path or a tag', () => {
      const promised = promisedState({ roles: [promisedRole({ tags: { team: 'vendor' } })] });

      const path = only(compare(promisedState(), live([liveRole({ path: '/moved/' })])).findings);
      const tag = only(
        compare(promised, live([liveRole({ tags: { team: 'someone-else', extra: 'x' } })]))
          .findings,
      );

      expect(path).toMatchObject({
        severity: 'LOW',
        expected: { path: '/' },
        actual: { path: '/moved/' },
      });
      expect(tag).toMatchObject({ severity: 'LOW' });
      expect(tag.remediation).toEqual([
        'aws iam untag-role --role-name acme-tenant --tag-keys extra',
        `aws iam tag-role --role-name acme-tenant --tags '[{"Key":"team","Value":"vendor"}]'`,
      ]);
    });

    it('never shows the live value of a tag the template sets from a NoEcho parameter', () => {
      const fromSecret = new UnknownValue(
        'NoEcho parameter TenantExternalId',
        'compared by digest',
      );
      const promised = promisedState({
        roles: [promisedRole({ tags: { team: 'vendor', 'external-id': fromSecret } })],
      });
      const role = liveRole({ tags: { team: 'moved', 'external-id': CANARY_EXTERNAL_ID } });

      const { findings } = compare(promised, live([role]));

      const tags = only(findings, 'role-setting-changed');
      expect(tags.actual).toEqual({
        tags: { team: 'moved', 'external-id': '<secret:TenantExternalId>' },
      });
      expect(only(findings, 'check-incomplete').summary).toContain('external-id');
      expect(JSON.stringify(findings)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('puts a tag the template sets from a NoEcho parameter into create-role as the value typed', () => {
      const fromSecret = new UnknownValue(
        'NoEcho parameter TenantExternalId',
        'compared by digest',
      );
      const promised = promisedState({
        roles: [promisedRole({ tags: { 'external-id': fromSecret } })],
      });

      const f = only(compare(promised, live([null], [], { roles: ['acme-tenant'] })).findings);

      expect(f.remediation[1]).toContain(
        `--tags '[{"Key":"external-id","Value":"'"\${TENANT_EXTERNAL_ID:?not read}"'"}]'`,
      );
    });

    it("takes the stack's own tags as promised, and ignores aws: tags", () => {
      const role = liveRole({
        tags: { 'cost-center': '42', 'aws:cloudformation:stack-name': 'x' },
      });

      expect(
        compare(promisedState(), live([role]), { stackTags: { 'cost-center': '42' } }).findings,
      ).toEqual([]);
    });

    it('accepts a role without a stack-level tag, but not one with another value', () => {
      const stackTags = { 'cost-center': '42' };

      const without = compare(promisedState(), live([liveRole({ tags: {} })]), { stackTags });
      const other = compare(promisedState(), live([liveRole({ tags: { 'cost-center': '7' } })]), {
        stackTags,
      });

      expect(without.findings).toEqual([]);
      expect(only(other.findings)).toMatchObject({
        kind: 'role-setting-changed',
        summary: expect.stringContaining('tag cost-center changed'),
      });
    });

    it('is check-incomplete for a role that could not be read, and lists it as not checked', () => {
      const { findings, coverage } = compare(
        promisedState(),
        live(
          [new Unreadable('access denied reading role acme-tenant (iam:GetRole): not authorized')],
          [],
          { roles: ['acme-tenant'] },
        ),
      );

      expect(only(findings)).toMatchObject({ kind: 'check-incomplete', severity: 'MEDIUM' });
      expect(coverage.notChecked).toEqual([
        {
          resource: { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'acme-tenant' },
          reason: expect.stringContaining('access denied'),
        },
      ]);
    });

    it('reports each role whose session duration the source lacks as its own check-incomplete', () => {
      const roles = [
        liveRole({ maxSessionDuration: new Unreadable('not in the export') }),
        liveRole({
          name: 'acme-api',
          maxSessionDuration: new Unreadable('not in the export'),
          inlinePolicies: new Map(),
        }),
      ];
      const api = promisedRole({ logicalId: 'ApiRole', name: 'acme-api', inlinePolicies: [] });
      const promised = promisedState({ roles: [promisedRole(), api] });

      const { findings, coverage } = compare(promised, live(roles));

      expect(findings.map((f) => [f.kind, f.resource.logicalId, f.resource.name])).toEqual([
        ['check-incomplete', 'TenantRole', 'acme-tenant'],
        ['check-incomplete', 'ApiRole', 'acme-api'],
      ]);
      expect(findings[1]?.summary).toBe(
        'Not checked: the maximum session duration of role acme-api (not in the export).',
      );
      expect(coverage.checked.map((c) => c.logicalId)).toEqual(['TenantRole', 'ApiRole']);
    });
  });

  it('reports what the template engine could not expand as check-incomplete', () => {
    const promised = promisedState({
      notExpanded: [
        {
          logicalId: 'Fn',
          type: 'AWS::Serverless::Function',
          reason: 'SAM resources are expanded by CloudFormation',
        },
      ],
    });

    const { findings, coverage } = compare(promised, live());

    expect(only(findings)).toMatchObject({
      kind: 'check-incomplete',
      resource: { logicalId: 'Fn' },
    });
    expect(coverage.notChecked[0]?.reason).toContain('SAM');
  });

  describe('finding ids', () => {
    it('stay the same across runs and when the drift itself changes', () => {
      const first = only(
        compare(promisedState(), live([liveRole({ maxSessionDuration: 7200 })])).findings,
      );
      const again = only(
        compare(promisedState(), live([liveRole({ maxSessionDuration: 43200 })])).findings,
      );

      expect(again.id).toBe(first.id);
      expect(again.summary).not.toBe(first.summary);
    });

    it('differ by the policy concerned', () => {
      const role = liveRole({
        inlinePolicies: new Map<string, unknown>([
          ['read-logs', READ_LOGS],
          ['a', allow('s3:GetObject')],
          ['b', allow('s3:GetObject')],
        ]),
      });

      const [a, b] = compare(promisedState(), live([role])).findings;

      expect(a?.id).toMatch(/^[0-9a-f]{24}$/);
      expect(a?.id).not.toBe(b?.id);
    });
  });

  it('never shows a live external ID anywhere in the findings', () => {
    const role = liveRole({
      trustPolicy: trustWith(CANARY_EXTERNAL_ID, ['arn:aws:iam::444455556666:root']),
      inlinePolicies: new Map<string, unknown>([
        ['read-logs', READ_LOGS],
        [`x-${CANARY_EXTERNAL_ID}`, allow('s3:GetObject')],
      ]),
    });

    const { findings } = compare(promisedState(), live([role]));

    expect(findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(findings)).not.toContain(CANARY_EXTERNAL_ID);
  });
});
