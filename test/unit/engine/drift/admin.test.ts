// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables hold ${} on purpose
import { CloudFormationAdapter } from '../../../../functions/engine/aws/cloudformation';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import {
  ADMIN_JUDGEMENT_STEPS,
  isAdminGrant,
  judgeAdmin,
} from '../../../../functions/engine/drift/admin';
import { probeNames } from '../../../../functions/engine/drift/admin-requests';
import { runCheck } from '../../../../functions/engine/drift/check';
import { cleanExport, ENV, role, serve } from '../../drift-guard/stack-world';

const ACCOUNT = '123456789012';
const SELF = `arn:aws:iam::${ACCOUNT}:role/acme-connector-api`;
const SCOPE = { account: ACCOUNT, partition: 'aws', holders: [SELF] };
const IAM = `arn:aws:iam::${ACCOUNT}`;
/** PowerUserAccess's main statement, with STS left out as well: no escalation action remains. */
const POWER_USER_LIKE = {
  NotAction: ['iam:*', 'organizations:*', 'account:*', 'sts:*'],
  Resource: '*',
};

function allow(statement: Record<string, unknown>, ...more: Record<string, unknown>[]) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', ...statement }, ...more],
  };
}

describe('isAdminGrant', () => {
  it.each([
    ['* on *', allow({ Action: '*', Resource: '*' })],
    ['* on arn:*', allow({ Action: '*', Resource: 'arn:*' })],
    ['* on arn:aws:*:*:*:*', allow({ Action: '*', Resource: 'arn:aws:*:*:*:*' })],
    ['* on everything but one bucket', allow({ Action: '*', NotResource: 'arn:aws:s3:::one' })],
    ['everything but one action', allow({ NotAction: 's3:GetObject', Resource: '*' })],
    ['iam:PutRolePolicy on its own role', allow({ Action: 'iam:PutRolePolicy', Resource: SELF })],
    [
      'iam:AttachRolePolicy on its own role',
      allow({ Action: 'iam:AttachRolePolicy', Resource: SELF }),
    ],
    [
      'iam:PutRolePolicy on role/*',
      allow({ Action: 'iam:PutRolePolicy', Resource: `${IAM}:role/*` }),
    ],
    [
      'iam:AttachRolePolicy on role/*',
      allow({ Action: 'iam:AttachRolePolicy', Resource: `${IAM}:role/*` }),
    ],
    ['iam:PassRole on role/*', allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/*` })],
    [
      'sts:AssumeRole on any role of any account',
      allow({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' }),
    ],
    [
      'iam:UpdateAssumeRolePolicy on *',
      allow({ Action: 'iam:UpdateAssumeRolePolicy', Resource: '*' }),
    ],
    ['iam:CreateAccessKey on *', allow({ Action: 'iam:CreateAccessKey', Resource: '*' })],
    [
      'iam:CreateLoginProfile on user/*',
      allow({ Action: 'iam:CreateLoginProfile', Resource: `${IAM}:user/*` }),
    ],
    ['iam:UpdateLoginProfile on *', allow({ Action: 'iam:UpdateLoginProfile', Resource: '*' })],
    ['iam:AddUserToGroup on *', allow({ Action: 'iam:AddUserToGroup', Resource: '*' })],
    [
      'iam:CreatePolicyVersion on policy/*',
      allow({ Action: 'iam:CreatePolicyVersion', Resource: `${IAM}:policy/*` }),
    ],
    [
      'iam:SetDefaultPolicyVersion on *',
      allow({ Action: 'iam:SetDefaultPolicyVersion', Resource: '*' }),
    ],
    ['iam:PutUserPolicy on *', allow({ Action: 'iam:PutUserPolicy', Resource: '*' })],
    [
      'iam:AttachUserPolicy on user/*',
      allow({ Action: 'iam:AttachUserPolicy', Resource: `${IAM}:user/*` }),
    ],
    [
      'iam:CreateRole with iam:PassRole on *',
      allow({ Action: ['iam:CreateRole', 'iam:PassRole'], Resource: '*' }),
    ],
    ['iam:Put* on arn:aws:iam::*:*', allow({ Action: 'iam:Put*', Resource: 'arn:aws:iam::*:*' })],
    [
      'iam:PassRole on role/* only to Lambda (a condition counts as allowed)',
      allow({
        Action: 'iam:PassRole',
        Resource: `${IAM}:role/*`,
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
    ],
    [
      '* on * unless a conditional Deny applies',
      allow(
        { Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ),
    ],
    ['every action but IAM, Organizations, Account and STS on *', allow(POWER_USER_LIKE)],
    [
      'every action but IAM, Organizations, Account and STS on * under a condition',
      allow({ ...POWER_USER_LIKE, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
    ],
    [
      'every action but IAM on arn:aws:*:*:*:*',
      allow({ NotAction: 'iam:*', Resource: 'arn:aws:*:*:*:*' }),
    ],
    [
      '* on * only with MFA',
      allow({
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      }),
    ],
    [
      '* on * only in one region',
      allow({
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      }),
    ],
  ])('counts %s as admin-equivalent', (_name, document) => {
    expect(isAdminGrant(document, undefined, SCOPE)).toBe(true);
  });

  it.each([
    ['s3:* on *', allow({ Action: 's3:*', Resource: '*' })],
    [
      'iam:PutRolePolicy on another role',
      allow({ Action: 'iam:PutRolePolicy', Resource: `${IAM}:role/other` }),
    ],
    [
      'iam:PassRole on one role',
      allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/acme-connector-scanner` }),
    ],
    [
      'sts:AssumeRole on one role',
      allow({ Action: 'sts:AssumeRole', Resource: `${IAM}:role/acme-connector-installer` }),
    ],
    ['iam:Get* and iam:List* on *', allow({ Action: ['iam:Get*', 'iam:List*'], Resource: '*' })],
    [
      'iam:PassRole on roles of another account',
      allow({ Action: 'iam:PassRole', Resource: 'arn:aws:iam::999999999999:role/*' }),
    ],
    [
      'iam:* on * with an unconditional Deny of iam:*',
      allow({ Action: 'iam:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }),
    ],
    [
      'every action but IAM and STS on one bucket',
      allow({ NotAction: ['iam:*', 'sts:*'], Resource: 'arn:aws:s3:::one/*' }),
    ],
    ['NotAction * on *, which allows nothing', allow({ NotAction: '*', Resource: '*' })],
  ])('does not count %s as admin-equivalent', (_name, document) => {
    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });

  it('counts an AWS administrator policy by its ARN, whatever its document', () => {
    expect(isAdminGrant(undefined, 'arn:aws:iam::aws:policy/PowerUserAccess')).toBe(true);
  });
});

const range = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

describe('isAdminGrant against a Deny aimed at fixed names', () => {
  const FIXED = ['role', 'user', 'group', 'policy'].map((t) => `${IAM}:${t}/connector-guard-any`);

  it('counts * on * as admin-equivalent when a Deny names fixed probe names and itself', () => {
    const document = allow(
      { Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: [...FIXED, SELF] },
    );

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(true);
  });

  it('counts iam:PassRole on role/* as admin-equivalent when a Deny names one role', () => {
    const document = allow(
      { Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: `${IAM}:role/connector-guard-any` },
    );

    expect(judgeAdmin(document, undefined, SCOPE).grants).toMatch(/^iam:PassRole on any role/);
  });

  it.each(['connector-guard-any', 'Ab3+=,.@_-xYz0123456789qwer'])(
    'does not count iam:PassRole on exactly role/%s as admin-equivalent',
    (name) => {
      const document = allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/${name}` });

      expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
    },
  );

  it('does not count iam:PassRole on * as admin-equivalent when a Deny covers every role', () => {
    const document = allow(
      { Action: 'iam:PassRole', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
    );

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });
});

describe('isAdminGrant on patterns that meet names of some shapes only', () => {
  const deny = (action: string | string[], resource: string) => ({
    Effect: 'Deny',
    Action: action,
    Resource: resource,
  });
  const logins = ['iam:CreateLoginProfile', 'iam:UpdateLoginProfile'];

  it.each([
    [
      'iam:CreateAccessKey on user/* but user/*@*',
      allow(
        { Action: 'iam:CreateAccessKey', Resource: `${IAM}:user/*` },
        deny('iam:CreateAccessKey', `${IAM}:user/*@*`),
      ),
    ],
    [
      'iam:PassRole on role/* but role/*.*',
      allow(
        { Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
        deny('iam:PassRole', `${IAM}:role/*.*`),
      ),
    ],
    ['login profiles on user/*@*', allow({ Action: logins, Resource: `${IAM}:user/*@*` })],
    ['iam:PassRole on role/*-*', allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/*-*` })],
  ])('counts %s as admin-equivalent on every judgement', (_name, document) => {
    const verdicts = new Set(range(20, () => isAdminGrant(document, undefined, SCOPE)));

    expect([...verdicts]).toEqual([true]);
  });

  it('draws the same probe names for the same document and others for another', () => {
    const one = allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/*` });
    const other = allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/a*` });

    expect(probeNames(one)).toEqual(probeNames(structuredClone(one)));
    expect(probeNames(other)).not.toEqual(expect.arrayContaining([probeNames(one)[0]]));
  });

  it('counts iam:PassRole on role/* when a Deny names every probe name of the Allow alone', () => {
    const granted = allow({ Action: 'iam:PassRole', Resource: `${IAM}:role/*` });
    const named = probeNames(granted).map((name) => `${IAM}:role/${name}`);
    const document = allow(granted.Statement[0], { ...deny('iam:PassRole', '*'), Resource: named });

    expect(judgeAdmin(document, undefined, SCOPE).grants).toMatch(/^iam:PassRole on any role/);
  });

  it('judges one stable verdict, not admin-equivalent, when a Deny meets every probe shape', () => {
    const characters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
    const document = allow(
      { Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
      { ...deny('iam:PassRole', '*'), Resource: characters.map((c) => `${IAM}:role/*${c}*`) },
    );
    const verdicts = new Set(range(5, () => isAdminGrant(document, undefined, SCOPE)));

    expect([...verdicts]).toEqual([false]);
  });
});

describe('isAdminGrant on policy variables in a resource', () => {
  const own = 'arn:aws:iam::${aws:PrincipalAccount}';

  it.each([
    ['iam:* on role/* of ${aws:PrincipalAccount}', { Action: 'iam:*', Resource: `${own}:role/*` }],
    [
      'iam:PassRole on role/* of ${aws:ResourceAccount}',
      { Action: 'iam:PassRole', Resource: 'arn:aws:iam::${aws:ResourceAccount}:role/*' },
    ],
    [
      '* on arn:aws:*:*:${aws:PrincipalAccount}:*',
      { Action: '*', Resource: 'arn:aws:*:*:${aws:PrincipalAccount}:*' },
    ],
    [
      'iam:PassRole on a role named by a principal tag',
      { Action: 'iam:PassRole', Resource: `${IAM}:role/\${aws:PrincipalTag/team}` },
    ],
  ])('counts %s as admin-equivalent', (_name, statement) => {
    expect(isAdminGrant(allow(statement), undefined, SCOPE)).toBe(true);
  });

  it('does not count a variable in a Deny as denying the grant', () => {
    const document = allow(
      { Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: `${IAM}:role/\${aws:PrincipalTag/x}*` },
    );

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(true);
  });

  it('still counts a Deny of role/* in the account named by ${aws:PrincipalAccount}', () => {
    const document = allow(
      { Action: 'iam:PassRole', Resource: `${IAM}:role/*` },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: `${own}:role/*` },
    );

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });

  it.each([
    ['on any account', 'arn:aws:iam::*:user/${aws:username}'],
    ['on its own account', `${IAM}:user/\${aws:username}`],
  ])('does not count a self-service policy %s, since a role has no user name', (_n, resource) => {
    const actions = ['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'];

    expect(isAdminGrant(allow({ Action: actions, Resource: resource }), undefined, SCOPE)).toBe(
      false,
    );
  });

  it('reads ${...} as text in a document of Version 2008-10-17', () => {
    const document = {
      Version: '2008-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: `${own}:role/*` }],
    };

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });
});

describe('isAdminGrant on running code as another role', () => {
  const EXCEPT_IAM = ['iam:*', 'sts:*', 'organizations:*', 'account:*'];
  const READ_ONLY_DENY = {
    Effect: 'Deny',
    NotAction: ['s3:Get*', 's3:List*', 'cloudwatch:Get*'],
    Resource: '*',
  };
  const LAMBDA = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function`;

  it.each([
    [
      'every action but IAM on every resource but one',
      { NotAction: EXCEPT_IAM, NotResource: 'arn:aws:s3:::one/*' },
    ],
    [
      'every action but IAM on every resource of the account',
      { NotAction: EXCEPT_IAM, Resource: `arn:aws:*:*:${ACCOUNT}:*` },
    ],
    [
      'lambda:UpdateFunctionCode on every function of one region',
      { Action: 'lambda:UpdateFunctionCode', Resource: `${LAMBDA}:*` },
    ],
    ['ssm:SendCommand on *', { Action: 'ssm:SendCommand', Resource: '*' }],
    [
      'ssm:StartSession on every instance',
      { Action: 'ssm:StartSession', Resource: `arn:aws:ec2:*:${ACCOUNT}:instance/*` },
    ],
    ['ecs:ExecuteCommand on *', { Action: 'ecs:ExecuteCommand', Resource: '*' }],
    ['codebuild:StartBuild on *', { Action: 'codebuild:StartBuild', Resource: '*' }],
    ['cloudformation:UpdateStack on *', { Action: 'cloudformation:UpdateStack', Resource: '*' }],
    ['glue:UpdateDevEndpoint on *', { Action: 'glue:UpdateDevEndpoint', Resource: '*' }],
    [
      'ec2-instance-connect:SendSSHPublicKey on *',
      { Action: 'ec2-instance-connect:SendSSHPublicKey', Resource: '*' },
    ],
    [
      'lambda, ssm, codebuild, cloudformation, ec2, ecs and glue on *',
      {
        Action: [
          'lambda:*',
          'ssm:*',
          'codebuild:*',
          'cloudformation:*',
          'ec2:*',
          'ecs:*',
          'glue:*',
        ],
        Resource: '*',
      },
    ],
  ])('counts %s as admin-equivalent', (_name, statement) => {
    expect(isAdminGrant(allow(statement), undefined, SCOPE)).toBe(true);
  });

  it('says which code a NotAction statement reaches', () => {
    const document = allow({ NotAction: EXCEPT_IAM, NotResource: 'arn:aws:s3:::one/*' });

    expect(judgeAdmin(document, undefined, SCOPE).grants).toBe(
      'every action but those its NotAction lists, on every resource or nearly: ' +
        'lambda:UpdateFunctionCode on any function of this account, with which it runs code as ' +
        'another role',
    );
  });

  it.each([
    ['every action but IAM on *', { NotAction: EXCEPT_IAM.slice(0, 3), Resource: '*' }],
    ['* on *', { Action: '*', Resource: '*' }],
  ])('does not count %s with a Deny of all but reads as admin-equivalent', (_name, statement) => {
    expect(isAdminGrant(allow(statement, READ_ONLY_DENY), undefined, SCOPE)).toBe(false);
  });

  it.each([
    [
      'lambda:UpdateFunctionCode on the functions named connector-*',
      { Action: 'lambda:UpdateFunctionCode', Resource: `${LAMBDA}:connector-*` },
    ],
    [
      'ssm:SendCommand on one instance',
      {
        Action: 'ssm:SendCommand',
        Resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      },
    ],
    [
      'lambda:UpdateFunctionCode on functions of another account',
      { Action: 'lambda:UpdateFunctionCode', Resource: 'arn:aws:lambda:*:999999999999:function:*' },
    ],
    ['ec2:RunInstances on *, without iam:PassRole', { Action: 'ec2:RunInstances', Resource: '*' }],
    ['lambda:InvokeFunction on *', { Action: 'lambda:InvokeFunction', Resource: '*' }],
  ])('does not count %s as admin-equivalent', (_name, statement) => {
    expect(isAdminGrant(allow(statement), undefined, SCOPE)).toBe(false);
  });

  it('does not count code running as another role when a Deny covers every function', () => {
    const document = allow(
      { Action: 'lambda:*', Resource: '*' },
      { Effect: 'Deny', Action: 'lambda:Update*', Resource: '*' },
    );

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });
});

describe('isAdminGrant on statements that cannot be read', () => {
  const EMPTY_CONDITION = { StringEquals: { 'aws:PrincipalTag/team': [] } };

  it('judges the statements it can read when another cannot be read', () => {
    const document = allow(
      { Action: '*', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: EMPTY_CONDITION },
    );

    expect(judgeAdmin(document, undefined, SCOPE)).toEqual({
      admin: true,
      grants: 'every action on every resource',
    });
  });

  it('takes an unread Allow as allowing its actions on every resource', () => {
    const document = allow({
      Action: 'iam:PassRole',
      Resource: `${IAM}:role/one`,
      Condition: EMPTY_CONDITION,
    });

    expect(judgeAdmin(document, undefined, SCOPE)).toMatchObject({
      admin: true,
      note: expect.stringContaining('Statement[0] as allowing its actions on every resource'),
    });
  });

  it('takes an unread Allow whose actions cannot be read as allowing every action', () => {
    const document = allow({ Action: [], Resource: '*' });

    expect(judgeAdmin(document, undefined, SCOPE).grants).toBe('every action on every resource');
  });

  it('takes an unread Deny as denying nothing', () => {
    const document = allow(
      { Action: 'iam:PassRole', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*', Condition: EMPTY_CONDITION },
    );

    expect(judgeAdmin(document, undefined, SCOPE)).toMatchObject({
      admin: true,
      note: expect.stringContaining('Statement[1] as denying nothing'),
    });
  });

  it('does not count an unread statement that names no escalation action', () => {
    const document = allow({ Action: 's3:GetObject', Resource: '*', Condition: EMPTY_CONDITION });

    expect(isAdminGrant(document, undefined, SCOPE)).toBe(false);
  });

  it('does not judge a document that cannot be read as a whole', () => {
    expect(isAdminGrant({ Version: '2012-10-17' }, undefined, SCOPE)).toBe(false);
  });
});

describe('isAdminGrant on large documents', () => {
  /** Four statements of 80 actions on 40 bucket patterns: 12,800 grants, some 6,000 characters. */
  function large(action: (statement: number, i: number) => string, resource = 'arn:aws:s3:::') {
    return {
      Version: '2012-10-17',
      Statement: range(4, (s) => ({
        Effect: 'Allow',
        Action: range(80, (i) => action(s, i)),
        Resource: range(40, (i) => `${resource}${i}*`),
      })),
    };
  }

  it('does not count a large document without an escalation action', () => {
    const document = large((s, i) => `${String.fromCharCode(97 + s)}:b${i}`);

    expect(judgeAdmin(document, undefined, SCOPE)).toEqual({ admin: false });
  });

  it('still finds the escalation in a large document that holds one', () => {
    const document = large((s, i) => `${String.fromCharCode(97 + s)}:b${i}`);
    document.Statement.push({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: ['*'] });

    expect(judgeAdmin(document, undefined, SCOPE).grants).toMatch(/^iam:PassRole on any role/);
  });

  it('takes a document whose judgement runs out of steps as admin-equivalent, saying so', () => {
    const limit = ADMIN_JUDGEMENT_STEPS.toLocaleString('en-US');
    const document = large((s, i) => `iam:${'?'.repeat(s)}*${'?'.repeat(i % 8)}*`, `${IAM}:role/x`);

    expect(judgeAdmin(document, undefined, SCOPE)).toMatchObject({
      admin: true,
      note: expect.stringContaining(`judging it takes more than ${limit} steps, its limit`),
    });
  });
});

describe('the severity of a grant added to a role', () => {
  const scanner = 'arn:aws:iam::123456789012:role/acme-connector-scanner';

  it.each([
    ['* on arn:*', 'CRITICAL', { Action: '*', Resource: 'arn:*' }],
    [
      'iam:PutRolePolicy on the role itself',
      'CRITICAL',
      { Action: 'iam:PutRolePolicy', Resource: scanner },
    ],
    ['iam:PassRole on role/*', 'CRITICAL', { Action: 'iam:PassRole', Resource: `${IAM}:role/*` }],
    ['every action but IAM, Organizations, Account and STS on *', 'CRITICAL', POWER_USER_LIKE],
    [
      '* on * only with MFA',
      'CRITICAL',
      {
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ],
    [
      'code running as other roles (lambda, ssm, codebuild, ...)',
      'CRITICAL',
      { Action: ['lambda:*', 'ssm:*', 'codebuild:*', 'cloudformation:*'], Resource: '*' },
    ],
    ['s3:GetObject on *', 'HIGH', { Action: 's3:GetObject', Resource: '*' }],
  ])('for %s is %s', async (_name, severity, statement) => {
    const exported = cleanExport();
    role(exported, 'scanner').RolePolicyList.push({
      PolicyName: 'added',
      PolicyDocument: allow(statement),
    });
    serve(exported);
    const deps = { iam: IamAdapter.create(), cloudformation: CloudFormationAdapter.create() };

    const report = await runCheck(deps, {
      stack: ENV.STACK_ID,
      readMode: 'per-role',
      externalIdSha256: ENV.EXTERNAL_ID_SHA256,
    });

    expect(report.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['inline-policy-added', severity],
    ]);
  });

  it('is CRITICAL for an unread statement, and the summary says how it was taken', async () => {
    const exported = cleanExport();
    role(exported, 'scanner').RolePolicyList.push({
      PolicyName: 'added',
      PolicyDocument: allow({
        Action: 'iam:PassRole',
        Resource: `${IAM}:role/one`,
        Condition: { Bool: { 'aws:SecureTransport': [] } },
      }),
    });
    serve(exported);
    const deps = { iam: IamAdapter.create(), cloudformation: CloudFormationAdapter.create() };

    const report = await runCheck(deps, {
      stack: ENV.STACK_ID,
      readMode: 'per-role',
      externalIdSha256: ENV.EXTERNAL_ID_SHA256,
    });

    expect(report.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['inline-policy-added', 'CRITICAL'],
    ]);
    expect(report.findings[0].summary).toContain('Statement[0] as allowing its actions');
  });
});
