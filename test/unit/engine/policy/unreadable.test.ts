import { comparePolicies, parsePolicy } from '../../../../functions/engine/policy';
import { policy, trustStatement } from './builders';

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
      'Statement[1].Effect: must be "Allow" or "Deny", got "allow".',
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

    const result = comparePolicies(policy(vendorTrust), policy(vendorTrust, odd));

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
