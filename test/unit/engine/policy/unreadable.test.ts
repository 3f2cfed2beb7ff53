import {
  actionsNotAllowed,
  comparePolicies,
  isAdminEquivalent,
  parsePolicy,
} from '../../../../functions/engine/policy';
import { policy, statement, trustStatement } from './builders';

const VENDOR = '111122223333';
const vendorTrust = trustStatement(VENDOR, {
  Condition: { StringEquals: { 'sts:ExternalId': 'tenant-4f2a' } },
});
const anyone = trustStatement('*');

describe('comparePolicies with a statement it cannot read', () => {
  const unreadable: [string, Record<string, unknown>, string][] = [
    [
      'an empty condition value list',
      trustStatement('444455556666', { Condition: { StringEquals: { 'aws:PrincipalTag/x': [] } } }),
      'Statement[1].Condition.StringEquals.aws:PrincipalTag/x: must hold at least one value.',
    ],
    [
      'an empty Action list',
      trustStatement('444455556666', { Action: [] }),
      'Statement[1].Action: must not be an empty list.',
    ],
    [
      'an Effect in lower case',
      { ...trustStatement('444455556666'), Effect: 'allow' },
      'Statement[1].Effect: expected "Allow" or "Deny", received the string "allow".',
    ],
    [
      'an element IAM does not define',
      { ...trustStatement('444455556666'), Foo: 'bar' },
      'Statement[1]: unknown element "Foo"',
    ],
  ];

  it.each(unreadable)(
    'still reports Principal "*" added beside a statement with %s',
    (_, odd, problem) => {
      const live = policy(vendorTrust, odd, anyone);

      const result = comparePolicies(policy(vendorTrust), live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(result.changes).toContainEqual(
        expect.objectContaining({
          direction: 'widened',
          statement: { index: 2, sid: null },
          summary: 'principal * (anyone) added',
        }),
      );
      const undecided = result.changes.filter((c) => c.direction === 'unknown');
      expect(undecided).toHaveLength(1);
      expect(undecided[0]).toMatchObject({ element: 'Statement', statement: { index: 1 } });
      expect(undecided[0]?.summary).toContain('could not verify statement 1: not compared: ');
      expect(undecided[0]?.summary).toContain(`live policy: ${problem}`);
    },
  );

  it('names an unreadable statement by its Sid when the Sid can be read', () => {
    const odd = { ...trustStatement('444455556666', { Action: [] }), Sid: 'Odd' };

    const result = comparePolicies(policy(vendorTrust), policy(vendorTrust, odd), {
      kind: 'trust',
    });

    expect(result.direction).toBe('unknown');
    expect(result.changes).toEqual([
      expect.objectContaining({ statement: { index: 1, sid: 'Odd' }, direction: 'unknown' }),
    ]);
    expect(result.reason).toBe(
      'not compared: live policy: Statement[1].Action: must not be an empty list.',
    );
  });

  it.each([
    ['an Id element in the statement', { ...anyone, Id: 'x' }, 'principal * (anyone) added'],
    [
      'an account ID written as a number',
      trustStatement({ AWS: 444455556666 }),
      'principal 444455556666 added',
    ],
  ])('reads %s as IAM does', (_, odd, summary) => {
    const result = comparePolicies(policy(vendorTrust), policy(vendorTrust, odd), {
      kind: 'trust',
    });

    expect(result.direction).toBe('widened');
    expect(result.changes.map((c) => c.direction)).not.toContain('unknown');
    expect(result.changes.map((c) => c.summary)).toContain(summary);
  });
});

describe('comparePolicies with a permissions statement that names no resource', () => {
  const getAnything = { Effect: 'Allow', Action: 's3:GetObject' };
  const noResource =
    'Statement[0]: expected a Resource or NotResource element in a permissions policy statement, received neither.';

  it('does not read it as Resource "*", reporting it undecided with the rule', () => {
    const result = comparePolicies(policy(statement({ Resource: '*' })), policy(getAnything));

    expect(result.equivalent).toBe(false);
    expect(result.direction).toBe('unknown');
    expect(result.reason).toBe(`not compared: live policy: ${noResource}`);
  });

  it('still reports an action added in a statement beside it', () => {
    const expected = policy(statement({ Resource: 'arn:aws:s3:::backups/*' }));
    const live = policy(getAnything, statement({ Action: 's3:DeleteObject' }));

    const result = comparePolicies(expected, live, { kind: 'permissions' });

    expect(result.direction).toBe('widened');
    expect(result.changes).toContainEqual(
      expect.objectContaining({
        direction: 'widened',
        statement: { index: 1, sid: null },
        summary: 'added statement 1 allowing s3:DeleteObject on *',
      }),
    );
  });

  it('reads a trust policy statement without a resource as usual', () => {
    const result = comparePolicies(policy(vendorTrust), policy(vendorTrust), { kind: 'trust' });

    expect(result.equivalent).toBe(true);
  });

  it('never names the action as the resource when only one trust statement has a Resource', () => {
    const withResource = { ...vendorTrust, Resource: `arn:aws:iam::${VENDOR}:role/x` };

    const result = comparePolicies(policy(withResource), policy(vendorTrust), { kind: 'trust' });

    expect(result.changes).toEqual([
      expect.objectContaining({
        element: 'Resource',
        summary: `added sts:AssumeRole for principal ${VENDOR}, in a statement with no Resource element`,
      }),
    ]);
  });

  it('leaves such statements out and lists them when asked to skip what it cannot read', () => {
    const live = policy(getAnything, statement({ Action: 's3:DeleteObject' }));

    const result = comparePolicies(policy(statement()), live, {
      skipUnread: true,
      names: { expected: 'EXPECTED file a.json', live: 'LIVE file b.json' },
    });

    expect(result.unread).toEqual([
      {
        document: 'live',
        statement: { index: 0, sid: null },
        reason: `LIVE file b.json: ${noResource}`,
      },
    ]);
    expect(result.changes.map((c) => [c.direction, c.summary])).toEqual([
      ['narrowed', 'removed statement 0 allowing s3:GetObject on *'],
      ['widened', 'added statement 1 allowing s3:DeleteObject on *'],
    ]);
  });

  it('never finds two different statements it cannot read the same', () => {
    const expected = policy({ Effect: 'Allow', Action: [], Resource: 'arn:aws:s3:::a' });
    const live = policy({ Effect: 'Allow', Action: 's3:*', NotResource: [] });

    const result = comparePolicies(expected, live);

    expect(result.equivalent).toBe(false);
    expect(result.direction).toBe('unknown');
  });
});

describe('isAdminEquivalent and actionsNotAllowed', () => {
  const everything = policy({ Effect: 'Allow', Action: '*' });

  it('refuse a statement without a resource instead of reading it as every resource', () => {
    expect(() => isAdminEquivalent(everything)).toThrow(
      'policy: Statement[0]: expected a Resource or NotResource element',
    );
    expect(() => actionsNotAllowed(everything, [{ action: 's3:GetObject' }])).toThrow(
      'policy: Statement[0]: expected a Resource or NotResource element',
    );
  });
});

describe('parsePolicy', () => {
  const document = policy(trustStatement(VENDOR), { Effect: 'Allow', Action: [] });

  it('refuses the whole document for an unreadable statement by default', () => {
    expect(() => parsePolicy(document, 'f')).toThrow(
      'f: Statement[1].Action: must not be an empty list.',
    );
  });

  it('reads an unreadable statement as one not compared when asked to', () => {
    const parsed = parsePolicy(document, 'f', { unreadStatements: true });

    expect(parsed.statements).toHaveLength(2);
    expect(parsed.statements[1]).toMatchObject({
      index: 1,
      unread: 'f: Statement[1].Action: must not be an empty list.',
    });
  });
});
