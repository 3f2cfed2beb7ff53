import {
  actionsNotAllowed,
  Budget,
  isAdminEquivalent,
  WorkLimitReached,
  withBudget,
} from '../../../../functions/engine/policy';
import { policy, statement } from './builders';

describe('isAdminEquivalent', () => {
  it.each([
    ['every action on every resource', policy(statement({ Action: '*', Resource: '*' }))],
    ['*:* on every resource', policy(statement({ Action: '*:*', Resource: '*' }))],
    [
      'full access under an MFA condition',
      policy(
        statement({ Action: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': true } } }),
      ),
    ],
    ['iam:PutRolePolicy on every resource', policy(statement({ Action: 'iam:PutRolePolicy' }))],
    ['iam:* on every resource', policy(statement({ Action: 'iam:*' }))],
    ['iam:Attach* on every resource', policy(statement({ Action: 'iam:Attach*' }))],
  ])('is true for %s', (_, document) => {
    expect(isAdminEquivalent(document)).toBe(true);
  });

  it.each([
    ['read-only S3', policy(statement({ Action: 's3:Get*' }))],
    [
      'iam:PutRolePolicy on one role',
      policy(
        statement({ Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::111122223333:role/app' }),
      ),
    ],
    ['every action except IAM', policy(statement({ NotAction: 'iam:*' }))],
    [
      'full access with IAM denied',
      policy(statement({ Action: '*' }), statement({ Effect: 'Deny', Action: 'iam:*' })),
    ],
    ['an empty statement list', { Version: '2012-10-17', Statement: [] }],
  ])('is false for %s', (_, document) => {
    expect(isAdminEquivalent(document)).toBe(false);
  });
});

describe('actionsNotAllowed', () => {
  const boundary = policy(
    statement({ Action: ['s3:*', 'logs:*'], Resource: '*' }),
    statement({
      Action: 'dynamodb:PutItem',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    }),
    statement({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::backups/*' }),
  );

  it('returns nothing when every request is allowed', () => {
    const requests = [
      { action: 's3:PutObject', resource: 'arn:aws:s3:::backups/x' },
      { action: 'logs:CreateLogStream' },
    ];

    expect(actionsNotAllowed(boundary, requests)).toEqual([]);
  });

  it('names each blocked request with why', () => {
    const requests = [
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::backups/2024' },
      { action: 'S3:deleteobject' },
      { action: 'sns:Publish', resource: 'arn:aws:sns:eu-west-1:111122223333:alerts' },
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t' },
    ];

    expect(actionsNotAllowed(boundary, requests)).toEqual([
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::backups/2024', reason: 'explicit-deny' },
      { action: 'S3:deleteobject', resource: '*', reason: 'explicit-deny' },
      {
        action: 'sns:Publish',
        resource: 'arn:aws:sns:eu-west-1:111122223333:alerts',
        reason: 'not-allowed',
      },
      {
        action: 'dynamodb:PutItem',
        resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t',
        reason: 'conditional',
      },
    ]);
  });

  it('treats a NotAction allow as allowing what it does not exclude', () => {
    const document = policy(statement({ NotAction: ['iam:*', 'organizations:*'] }));

    const blocked = actionsNotAllowed(document, [
      { action: 's3:GetObject' },
      { action: 'iam:PassRole' },
    ]);

    expect(blocked).toEqual([{ action: 'iam:PassRole', resource: '*', reason: 'not-allowed' }]);
  });

  it('reports a request a conditional deny may block as conditional', () => {
    const document = policy(
      statement({ Action: 's3:*' }),
      statement({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': false } },
      }),
    );

    expect(actionsNotAllowed(document, [{ action: 's3:GetObject' }])).toEqual([
      { action: 's3:GetObject', resource: '*', reason: 'conditional' },
    ]);
  });

  it('does not allow a request for every resource from a grant on one', () => {
    const document = policy(statement({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/*' }));

    expect(actionsNotAllowed(document, [{ action: 's3:GetObject' }])).toEqual([
      { action: 's3:GetObject', resource: '*', reason: 'not-allowed' },
    ]);
  });
});

describe('deciding against a pattern too long to compare', () => {
  const longDeny = statement({ Effect: 'Deny', Action: `iam:${'a*'.repeat(4500)}z` });

  it('counts full access beside a deny it cannot compare as admin-equivalent', () => {
    const document = policy(statement({ Action: '*', Resource: '*' }), longDeny);

    expect(isAdminEquivalent(document)).toBe(true);
  });

  it('reports a request such a deny may block as conditional', () => {
    const document = policy(statement({ Action: '*', Resource: '*' }), longDeny);

    const blocked = actionsNotAllowed(document, [{ action: 'iam:PassRole' }]);

    expect(blocked).toEqual([{ action: 'iam:PassRole', resource: '*', reason: 'conditional' }]);
  });
});

describe('isAdminEquivalent and actionsNotAllowed under a budget', () => {
  const resources = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::123456789012:role/x${i}*`);
  const document = policy(statement({ Action: ['iam:Pass*', 'iam:*Role'], Resource: resources }));

  it('decides within a budget large enough', () => {
    const budget = new Budget(100_000, 'judging this document');

    const blocked = withBudget([budget], () => actionsNotAllowed(document, [{ action: '*' }]));

    expect(blocked).toEqual([{ action: '*', resource: '*', reason: 'not-allowed' }]);
    expect(budget.exhausted).toBe(false);
  });

  it('stops with WorkLimitReached once the budget in force is used up', () => {
    const budget = new Budget(20, 'judging this document');

    expect(() => withBudget([budget], () => isAdminEquivalent(document))).toThrow(
      new WorkLimitReached('judging this document takes more than 20 steps, its limit'),
    );
    expect(() =>
      withBudget([budget], () => actionsNotAllowed(document, [{ action: 'iam:PassRole' }])),
    ).toThrow(WorkLimitReached);
    expect(budget.exhausted).toBe(true);
  });
});
