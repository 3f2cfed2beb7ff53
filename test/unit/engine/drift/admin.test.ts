import { CloudFormationAdapter } from '../../../../functions/engine/aws/cloudformation';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import { isAdminGrant } from '../../../../functions/engine/drift/admin';
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
});
