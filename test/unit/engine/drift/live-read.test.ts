import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import {
  estimatePerRoleCalls,
  type ReadPlan,
  readLiveState,
} from '../../../../functions/engine/drift/live-read';
import { isUnreadable, type LiveRole } from '../../../../functions/engine/drift/live-state';
import { ACCOUNT, allow, deny, trustWith } from './builders';

const iamMock = mockClient(IAMClient);

function adapter(): IamAdapter {
  return new IamAdapter(
    new IAMClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
  );
}

const encode = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const GUARD = `arn:aws:iam::${ACCOUNT}:policy/guard`;

function plan(partial: Partial<ReadPlan> = {}): ReadPlan {
  return {
    roles: [
      {
        name: 'acme-tenant',
        path: '/',
        expectedInline: 2,
        expectedManaged: [GUARD],
        boundary: null,
      },
    ],
    stackPolicyArns: [GUARD],
    ...partial,
  };
}

function role(name: string) {
  return {
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    Path: '/',
    CreateDate: new Date('2026-01-01T00:00:00Z'),
    AssumeRolePolicyDocument: encode(trustWith('x')),
    MaxSessionDuration: 7200,
    Tags: [{ Key: 'team', Value: 'vendor' }],
  };
}

function accessDenied(): Error {
  return Object.assign(
    new Error(
      'User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: iam:GetRolePolicy',
    ),
    { name: 'AccessDenied' },
  );
}

beforeEach(() => {
  iamMock.reset();
});

describe('readLiveState per role', () => {
  beforeEach(() => {
    iamMock.on(GetRoleCommand).resolves({ Role: role('acme-tenant') });
    iamMock
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ PolicyNames: ['b'], IsTruncated: false });
    iamMock
      .on(GetRolePolicyCommand, { PolicyName: 'a' })
      .resolves({ PolicyDocument: encode(allow('s3:GetObject')) });
    iamMock
      .on(GetRolePolicyCommand, { PolicyName: 'b' })
      .resolves({ PolicyDocument: encode(allow('s3:PutObject')) });
    iamMock
      .on(ListAttachedRolePoliciesCommand)
      .resolves({ AttachedPolicies: [{ PolicyArn: GUARD, PolicyName: 'guard' }] });
    iamMock
      .on(GetPolicyCommand)
      .resolves({ Policy: { Arn: GUARD, PolicyName: 'guard', DefaultVersionId: 'v3', Path: '/' } });
    iamMock
      .on(GetPolicyVersionCommand)
      .resolves({ PolicyVersion: { Document: encode(deny('s3:DeleteBucket')), VersionId: 'v3' } });
    iamMock.on(ListEntitiesForPolicyCommand).resolves({
      PolicyRoles: [{ RoleName: 'acme-tenant' }],
      PolicyUsers: [{ UserName: 'mallory' }],
    });
  });

  it('reads the role, every page of its inline policies, decoded, and the stack policy', async () => {
    const state = await readLiveState(adapter(), plan(), { mode: 'per-role' });

    const found = state.roles.get('acme-tenant') as LiveRole;
    expect(found).toMatchObject({
      roleId: 'AROAACME-TENANT',
      maxSessionDuration: 7200,
      tags: { team: 'vendor' },
    });
    expect(found.trustPolicy).toEqual(trustWith('x'));
    expect(found.inlinePolicies).toEqual(
      new Map([
        ['a', allow('s3:GetObject')],
        ['b', allow('s3:PutObject')],
      ]),
    );
    expect(state.policies.get(GUARD)).toMatchObject({
      defaultVersionId: 'v3',
      document: deny('s3:DeleteBucket'),
      attachedTo: { roles: ['acme-tenant'], users: ['mallory'], groups: [] },
    });
    expect(iamMock).toHaveReceivedCommandTimes(ListRolePoliciesCommand, 2);
    expect(iamMock).toHaveReceivedCommandWith(GetPolicyVersionCommand, {
      PolicyArn: GUARD,
      VersionId: 'v3',
    });
  });

  it('records a role that does not exist as null, without further calls for it', async () => {
    iamMock
      .on(GetRoleCommand)
      .rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));

    const state = await readLiveState(adapter(), plan({ stackPolicyArns: [] }), {
      mode: 'per-role',
    });

    expect(state.roles.get('acme-tenant')).toBeNull();
    expect(iamMock).not.toHaveReceivedCommand(ListRolePoliciesCommand);
  });

  it('turns access denied on one inline policy into an unreadable entry with the reason', async () => {
    iamMock.on(GetRolePolicyCommand, { PolicyName: 'b' }).rejects(accessDenied());

    const state = await readLiveState(adapter(), plan(), { mode: 'per-role' });

    const doc = (
      state.roles.get('acme-tenant') as LiveRole & { inlinePolicies: Map<string, unknown> }
    ).inlinePolicies.get('b');
    expect(isUnreadable(doc)).toBe(true);
    expect((doc as { reason: string }).reason).toMatch(
      /^access denied: User: .* is not authorized to perform: iam:GetRolePolicy/,
    );
  });

  it('says the role is unreadable when IAM still throttles after retries', async () => {
    iamMock
      .on(GetRoleCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const state = await readLiveState(adapter(), plan({ stackPolicyArns: [] }), {
      mode: 'per-role',
    });

    const entry = state.roles.get('acme-tenant');
    expect(isUnreadable(entry) && entry.reason).toMatch(/still throttling/);
  });

  it('reads the grant of a policy attached beyond the plan', async () => {
    const extra = 'arn:aws:iam::aws:policy/PowerUserAccess';
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyArn: GUARD, PolicyName: 'guard' },
        { PolicyArn: extra, PolicyName: 'PowerUserAccess' },
      ],
    });
    iamMock
      .on(GetPolicyCommand, { PolicyArn: extra })
      .resolves({ Policy: { Arn: extra, PolicyName: 'PowerUserAccess', DefaultVersionId: 'v5' } });

    const state = await readLiveState(adapter(), plan(), { mode: 'per-role' });

    expect(state.policies.get(extra)).toMatchObject({ name: 'PowerUserAccess', attachedTo: null });
    expect(iamMock).toHaveReceivedCommandWith(GetPolicyVersionCommand, {
      PolicyArn: extra,
      VersionId: 'v5',
    });
  });
});

describe('readLiveState per role, policies whose attachment changed', () => {
  const GUARDRAIL = `arn:aws:iam::${ACCOUNT}:policy/guardrail`;

  beforeEach(() => {
    iamMock.on(GetRoleCommand).resolves({ Role: role('acme-tenant') });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock.on(GetPolicyCommand, { PolicyArn: GUARDRAIL }).resolves({
      Policy: { Arn: GUARDRAIL, PolicyName: 'guardrail', DefaultVersionId: 'v1' },
    });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: GUARDRAIL })
      .resolves({ PolicyVersion: { Document: encode(deny('kms:ScheduleKeyDeletion')) } });
  });

  it('reads the grant of a policy the plan attaches but that was detached', async () => {
    const detached = plan({
      roles: [
        {
          name: 'acme-tenant',
          path: '/',
          expectedInline: 0,
          expectedManaged: [GUARDRAIL],
          boundary: null,
        },
      ],
      stackPolicyArns: [],
    });

    const state = await readLiveState(adapter(), detached, { mode: 'per-role' });

    expect(state.policies.get(GUARDRAIL)).toMatchObject({
      document: deny('kms:ScheduleKeyDeletion'),
      attachedTo: null,
    });
  });
});

describe('readLiveState per role, stack policy versions', () => {
  beforeEach(() => {
    iamMock.on(GetRoleCommand).resolves({ Role: role('acme-tenant') });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iamMock
      .on(ListAttachedRolePoliciesCommand)
      .resolves({ AttachedPolicies: [{ PolicyArn: GUARD, PolicyName: 'guard' }] });
    iamMock
      .on(GetPolicyCommand)
      .resolves({ Policy: { Arn: GUARD, PolicyName: 'guard', DefaultVersionId: 'v2' } });
    iamMock
      .on(ListEntitiesForPolicyCommand)
      .resolves({ PolicyRoles: [{ RoleName: 'acme-tenant' }] });
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v2' })
      .resolves({ PolicyVersion: { Document: encode(allow('iam:PassRole')) } });
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v1' })
      .resolves({ PolicyVersion: { Document: encode(deny('s3:DeleteBucket')) } });
  });

  it('lists every version of a stack policy, with the documents of those not default', async () => {
    iamMock
      .on(ListPolicyVersionsCommand)
      .resolvesOnce({
        Versions: [{ VersionId: 'v2', IsDefaultVersion: true }],
        IsTruncated: true,
        Marker: 'm',
      })
      .resolvesOnce({
        Versions: [{ VersionId: 'v1', IsDefaultVersion: false, CreateDate: new Date(0) }],
      });

    const state = await readLiveState(adapter(), plan({ roles: [] }), { mode: 'per-role' });

    expect(state.policies.get(GUARD)).toMatchObject({
      defaultVersionId: 'v2',
      document: allow('iam:PassRole'),
      versions: [
        { versionId: 'v2', isDefault: true, document: undefined },
        { versionId: 'v1', isDefault: false, document: deny('s3:DeleteBucket') },
      ],
    });
    expect(iamMock).toHaveReceivedCommandTimes(ListPolicyVersionsCommand, 2);
  });

  it('still reads the policy when its versions cannot be listed', async () => {
    iamMock.on(ListPolicyVersionsCommand).rejects(accessDenied());

    const state = await readLiveState(adapter(), plan({ roles: [] }), { mode: 'per-role' });

    expect(state.policies.get(GUARD)).toMatchObject({
      document: allow('iam:PassRole'),
      versions: null,
    });
  });
});

describe('readLiveState account-wide', () => {
  const page1 = {
    RoleDetailList: [
      {
        ...role('acme-tenant'),
        MaxSessionDuration: undefined,
        RolePolicyList: [{ PolicyName: 'a', PolicyDocument: encode(allow('s3:GetObject')) }],
        AttachedManagedPolicies: [{ PolicyArn: GUARD, PolicyName: 'guard' }],
      },
    ],
    Policies: [],
    IsTruncated: true,
    Marker: 'next',
  };
  const page2 = {
    RoleDetailList: [
      {
        ...role('someone-else'),
        AttachedManagedPolicies: [{ PolicyArn: GUARD, PolicyName: 'guard' }],
      },
    ],
    Policies: [
      {
        Arn: GUARD,
        PolicyName: 'guard',
        DefaultVersionId: 'v2',
        AttachmentCount: 2,
        PolicyVersionList: [
          { VersionId: 'v1', IsDefaultVersion: false, Document: encode(deny('s3:DeleteBucket')) },
          { VersionId: 'v2', IsDefaultVersion: true, Document: encode(allow('*')) },
        ],
      },
    ],
    IsTruncated: false,
  };

  beforeEach(() => {
    iamMock.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(page1).resolvesOnce(page2);
    iamMock.on(ListRolesCommand).resolves({ Roles: [role('acme-tenant')] });
  });

  it('follows every page, keeps only the planned roles, and counts attachments across all roles', async () => {
    const state = await readLiveState(adapter(), plan(), { mode: 'account' });

    expect(state.mode).toBe('account');
    expect([...state.roles.keys()]).toEqual(['acme-tenant']);
    expect(state.roles.get('acme-tenant')).toMatchObject({ maxSessionDuration: 7200 });
    expect(state.policies.get(GUARD)).toMatchObject({
      defaultVersionId: 'v2',
      document: allow('*'),
      attachedTo: { roles: ['acme-tenant', 'someone-else'], users: [], groups: [] },
    });
    expect(iamMock).toHaveReceivedCommandWith(GetAccountAuthorizationDetailsCommand, {
      Marker: 'next',
    });
    expect(iamMock).not.toHaveReceivedCommand(GetRoleCommand);
  });

  it('asks for the entities of a policy only when roles do not account for its attachments', async () => {
    iamMock.reset();
    const withUser = { ...page2, Policies: [{ ...page2.Policies[0], AttachmentCount: 3 }] };
    iamMock.on(GetAccountAuthorizationDetailsCommand).resolvesOnce(page1).resolvesOnce(withUser);
    iamMock.on(ListRolesCommand).resolves({ Roles: [role('acme-tenant')] });
    iamMock.on(ListEntitiesForPolicyCommand).resolves({
      PolicyRoles: [{ RoleName: 'acme-tenant' }, { RoleName: 'someone-else' }],
      PolicyUsers: [{ UserName: 'mallory' }],
    });

    const state = await readLiveState(adapter(), plan(), { mode: 'account' });

    expect(state.policies.get(GUARD)).toMatchObject({ attachedTo: { users: ['mallory'] } });
  });

  it('names a policy by its ARN when the details leave its name out', async () => {
    iamMock.reset();
    const { PolicyName: _name, ...unnamed } = page2.Policies[0] as (typeof page2.Policies)[0];
    iamMock
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce(page1)
      .resolvesOnce({ ...page2, Policies: [unnamed] });
    iamMock.on(ListRolesCommand).resolves({ Roles: [role('acme-tenant')] });

    const state = await readLiveState(adapter(), plan(), { mode: 'account' });

    expect(state.policies.get(GUARD)).toMatchObject({ name: 'guard' });
  });

  it('falls back to GetRole for session durations when ListRoles is denied', async () => {
    iamMock.on(ListRolesCommand).rejects(accessDenied());
    iamMock
      .on(GetRoleCommand)
      .resolves({ Role: { ...role('acme-tenant'), MaxSessionDuration: 43200 } });

    const state = await readLiveState(adapter(), plan(), { mode: 'account' });

    expect(state.roles.get('acme-tenant')).toMatchObject({ maxSessionDuration: 43200 });
  });

  it('falls back to per-role reads when GetAccountAuthorizationDetails is denied, and says so', async () => {
    iamMock.on(GetAccountAuthorizationDetailsCommand).rejects(accessDenied());
    iamMock.on(GetRoleCommand).resolves({ Role: role('acme-tenant') });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: GUARD, DefaultVersionId: 'v1' } });
    iamMock
      .on(GetPolicyVersionCommand)
      .resolves({ PolicyVersion: { Document: encode(deny('s3:DeleteBucket')) } });
    iamMock.on(ListEntitiesForPolicyCommand).resolves({});

    const warnings: unknown[][] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (...a: unknown[]) => warnings.push(a) };

    const state = await readLiveState(adapter(), plan(), { mode: 'account', log });

    expect(state.mode).toBe('per-role');
    expect(state.roles.get('acme-tenant')).toMatchObject({ name: 'acme-tenant' });
    expect(warnings).toEqual([
      [
        expect.stringMatching(
          /^the account-wide read \(iam:GetAccountAuthorizationDetails\) failed, so IAM is read role by role/,
        ),
        { error: expect.stringContaining('AccessDenied: User: arn:aws:sts::') },
      ],
    ]);
  });
});

describe('choosing how to read', () => {
  const many = (n: number): ReadPlan => ({
    roles: Array.from({ length: n }, (_, i) => ({
      name: `r${i}`,
      path: '/',
      expectedInline: 3,
      expectedManaged: [],
      boundary: null,
    })),
    stackPolicyArns: [],
  });

  it('reads per role without asking for the account summary when the stack is small', async () => {
    iamMock.on(GetRoleCommand).resolves({ Role: role('r0') });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

    const state = await readLiveState(adapter(), many(1));

    expect(state.mode).toBe('per-role');
    expect(iamMock).not.toHaveReceivedCommand(GetAccountSummaryCommand);
  });

  it('reads account-wide when that costs fewer calls for this account', async () => {
    iamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { Roles: 300, Policies: 40 } });
    iamMock
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves({ RoleDetailList: [], Policies: [], IsTruncated: false });
    iamMock.on(ListRolesCommand).resolves({ Roles: [] });

    const state = await readLiveState(adapter(), many(20));

    expect(estimatePerRoleCalls(many(20))).toBe(120);
    expect(state.mode).toBe('account');
  });

  it('reads per role when the account is so large that its details cost more', async () => {
    iamMock.on(GetAccountSummaryCommand).resolves({ SummaryMap: { Roles: 900_000, Policies: 0 } });
    iamMock.on(GetRoleCommand).resolves({ Role: role('r0') });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

    const state = await readLiveState(adapter(), many(5));

    expect(state.mode).toBe('per-role');
  });
});

describe('bounded concurrency', () => {
  it('never has more IAM calls in flight than the limit, however many policies a role has', async () => {
    let inFlight = 0;
    let most = 0;
    const slow =
      <T>(value: T) =>
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return value;
      };
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    iamMock.on(GetRoleCommand).callsFake(slow({ Role: role('acme-tenant') }));
    iamMock.on(ListRolePoliciesCommand).callsFake(slow({ PolicyNames: names }));
    iamMock
      .on(GetRolePolicyCommand)
      .callsFake(slow({ PolicyDocument: encode(allow('s3:GetObject')) }));
    iamMock.on(ListAttachedRolePoliciesCommand).callsFake(slow({ AttachedPolicies: [] }));
    const roles = ['a', 'b', 'c'].map((name) => ({
      name,
      path: '/',
      expectedInline: 12,
      expectedManaged: [],
      boundary: null,
    }));

    await readLiveState(
      adapter(),
      { roles, stackPolicyArns: [] },
      { mode: 'per-role', concurrency: 3 },
    );

    expect(iamMock).toHaveReceivedCommandTimes(GetRolePolicyCommand, 36);
    expect(most).toBe(3);
  });
});
