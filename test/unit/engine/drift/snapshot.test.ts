import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  isUnreadable,
  type LivePolicy,
  type LiveRole,
} from '../../../../functions/engine/drift/live-state';
import { dateOf, readSnapshot } from '../../../../functions/engine/drift/snapshot';
import { InputError } from '../../../../functions/engine/errors';
import { describeWith, REALWORLD_DIR } from '../../../helpers/requirements';
import { ACCOUNT, allow, trustWith } from './builders';

const POLICY = `arn:aws:iam::${ACCOUNT}:policy/guard`;

function cliExport() {
  return {
    UserDetailList: [
      {
        UserName: 'mallory',
        AttachedManagedPolicies: [{ PolicyArn: POLICY, PolicyName: 'guard' }],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [
      {
        Path: '/',
        RoleName: 'acme-tenant',
        RoleId: 'AROAEXAMPLE',
        Arn: `arn:aws:iam::${ACCOUNT}:role/acme-tenant`,
        CreateDate: '2022-08-07 12:55:43+00:00',
        AssumeRolePolicyDocument: trustWith('x'),
        RolePolicyList: [{ PolicyName: 'a', PolicyDocument: allow('s3:GetObject') }],
        AttachedManagedPolicies: [{ PolicyArn: POLICY, PolicyName: 'guard' }],
        PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: POLICY },
        Tags: [{ Key: 'team', Value: 'vendor' }],
      },
    ],
    Policies: [
      {
        PolicyName: 'guard',
        Arn: POLICY,
        DefaultVersionId: 'v2',
        AttachmentCount: 2,
        PolicyVersionList: [
          {
            VersionId: 'v2',
            IsDefaultVersion: true,
            Document: allow('*'),
            CreateDate: '2022-08-07 12:55:43+00:00',
          },
          { VersionId: 'v1', IsDefaultVersion: false, Document: allow('s3:*') },
        ],
      },
    ],
  };
}

describe('readSnapshot', () => {
  it('reads the AWS CLI form: documents as objects, dates with a space', () => {
    const state = readSnapshot(cliExport(), ['acme-tenant']);

    const role = state.roles.get('acme-tenant') as LiveRole;
    expect(role.createDate?.toISOString()).toBe('2022-08-07T12:55:43.000Z');
    expect(role.trustPolicy).toEqual(trustWith('x'));
    expect(role.permissionsBoundaryArn).toBe(POLICY);
    expect(role.tags).toEqual({ team: 'vendor' });
    expect(state.policies.get(POLICY)).toMatchObject({
      defaultVersionId: 'v2',
      document: allow('*'),
      attachedTo: { roles: ['acme-tenant'], users: ['mallory'], groups: [] },
    });
  });

  it('reads the raw API form: URL-encoded documents, ISO dates, a list of pages', () => {
    const raw = cliExport();
    const role = raw.RoleDetailList[0] as Record<string, unknown>;
    role.AssumeRolePolicyDocument = encodeURIComponent(JSON.stringify(trustWith('x')));
    role.RolePolicyList = [
      {
        PolicyName: 'a',
        PolicyDocument: encodeURIComponent(JSON.stringify(allow('s3:GetObject'))),
      },
    ];
    role.CreateDate = '2022-08-07T12:55:43Z';
    const pages = [
      { RoleDetailList: raw.RoleDetailList, IsTruncated: true },
      { Policies: raw.Policies, UserDetailList: raw.UserDetailList },
    ];

    const state = readSnapshot(pages, ['acme-tenant']);

    const found = state.roles.get('acme-tenant') as LiveRole;
    expect(found.trustPolicy).toEqual(trustWith('x'));
    expect(found.inlinePolicies).toEqual(new Map([['a', allow('s3:GetObject')]]));
    expect(found.createDate?.toISOString()).toBe('2022-08-07T12:55:43.000Z');
  });

  it('takes session durations from list-roles output, and says which role it does not list', () => {
    const durations = { byRole: new Map([['acme-tenant', 43200]]), where: '--roles roles.json' };
    const data = cliExport();
    const [tenant] = data.RoleDetailList as [(typeof data.RoleDetailList)[number]];
    data.RoleDetailList.push({ ...tenant, RoleName: 'acme-api' });

    const state = readSnapshot(data, ['acme-tenant', 'acme-api'], 'export.json', [], durations);

    expect((state.roles.get('acme-tenant') as LiveRole).maxSessionDuration).toBe(43200);
    const unlisted = (state.roles.get('acme-api') as LiveRole).maxSessionDuration;
    expect(isUnreadable(unlisted) && unlisted.reason).toBe(
      '--roles roles.json (list-roles output) does not list role acme-api',
    );
  });

  it('marks a role absent from the export as missing and its session duration as not held', () => {
    const state = readSnapshot(cliExport(), ['acme-tenant', 'acme-api']);

    expect(state.roles.get('acme-api')).toBeNull();
    const duration = (state.roles.get('acme-tenant') as LiveRole).maxSessionDuration;
    expect(isUnreadable(duration) && duration.reason).toContain(
      "does not hold it; give 'aws iam list-roles' output with --roles",
    );
  });

  it('tells a deleted stack policy from one a filtered export leaves out', () => {
    const gone = `arn:aws:iam::${ACCOUNT}:policy/gone`;
    const { Policies: _policies, ...rolesOnly } = cliExport();
    const awsOnly = {
      ...cliExport(),
      Policies: [{ PolicyName: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    };

    const deleted = readSnapshot(cliExport(), [], 'export.json', [POLICY, gone]);
    const unlisted = readSnapshot(rolesOnly, [], 'export.json', [POLICY]);
    const awsManaged = readSnapshot(awsOnly, [], 'export.json', [POLICY]);
    const stillAttached = readSnapshot(
      {
        ...cliExport(),
        Policies: [{ PolicyName: 'other', Arn: `arn:aws:iam::${ACCOUNT}:policy/o` }],
      },
      [],
      'export.json',
      [POLICY],
    );

    expect(deleted.policies.get(POLICY)).toMatchObject({ arn: POLICY });
    expect(deleted.policies.get(gone)).toBeUndefined();
    expect(unlisted.policies.get(POLICY)).toMatchObject({
      reason: expect.stringContaining('export.json lists no customer managed policies'),
    });
    expect(isUnreadable(awsManaged.policies.get(POLICY))).toBe(true);
    expect(stillAttached.policies.get(POLICY)).toMatchObject({
      reason: expect.stringContaining('yet acme-tenant is attached to it'),
    });
  });

  it('reads no roles from an export filtered to leave them out, rather than calling them missing', () => {
    const { RoleDetailList: _roles, ...policiesOnly } = cliExport();

    const state = readSnapshot(policiesOnly, ['acme-tenant'], 'export.json');

    expect(state.roles.get('acme-tenant')).toMatchObject({
      reason: expect.stringContaining('export.json lists no roles'),
    });
  });

  it('cannot tell who else holds a policy when the export lists no users or groups', () => {
    const filtered = { RoleDetailList: cliExport().RoleDetailList, Policies: cliExport().Policies };

    const state = readSnapshot(filtered, ['acme-tenant']);

    expect(isUnreadable((state.policies.get(POLICY) as LivePolicy).attachedTo)).toBe(true);
  });

  it.each([
    [{ Users: [] }, 'snapshot: expected get-account-authorization-details output'],
    ['text', 'snapshot: expected the JSON object'],
    [
      [],
      'snapshot: expected get-account-authorization-details output (an object, or a list of its pages), received an empty list.',
    ],
    [{ RoleDetailList: 'x' }, 'snapshot.RoleDetailList: expected a list, received the string "x"'],
    [
      [{ RoleDetailList: [] }, { Policies: 'x' }],
      'snapshot[1].Policies: expected a list, received the string "x"',
    ],
    [
      { RoleDetailList: [{ RoleName: 'a', AssumeRolePolicyDocument: '%7Bnot' }] },
      'trust policy: expected a policy document',
    ],
  ])('rejects a malformed export with the path and what was received (%#)', (input, message) => {
    const read = () => readSnapshot(input, ['a']);

    expect(read).toThrow(InputError);
    expect(read).toThrow(message);
  });

  it('reads dates in every form the CLI and the API write', () => {
    expect(dateOf('2022-08-07 12:55:43+00:00')?.toISOString()).toBe('2022-08-07T12:55:43.000Z');
    expect(dateOf('2022-08-07T12:55:43Z')?.toISOString()).toBe('2022-08-07T12:55:43.000Z');
    expect(dateOf(1659876943)?.toISOString()).toBe('2022-08-07T12:55:43.000Z');
    expect(dateOf('yesterday')).toBeNull();
  });
});

describeWith(['realworld'], 'readSnapshot on published exports', () => {
  it.each([
    ['cloudsplaining-example-authz-details.json'],
    ['cloudsplaining-example_authz_v2.json'],
  ])('reads every role and policy of %s', (file) => {
    const input = JSON.parse(readFileSync(resolve(REALWORLD_DIR, 'iam-exports', file), 'utf8'));
    const names = input.RoleDetailList.map((r: { RoleName: string }) => r.RoleName);

    const state = readSnapshot(input, names, file);

    expect(state.roles.size).toBe(names.length);
    for (const name of names)
      expect((state.roles.get(name) as LiveRole).trustPolicy).toHaveProperty('Statement');
    expect(state.policies.size).toBe(input.Policies.length);
  });
});
