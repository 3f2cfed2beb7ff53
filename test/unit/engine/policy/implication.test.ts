import {
  type Clause,
  normaliseConditionBlock,
} from '../../../../functions/engine/policy/condition';
import { blockImplies, clauseImplies } from '../../../../functions/engine/policy/implication';
import { UnknownValue } from '../../../../functions/engine/values';

const fail = (message: string): never => {
  throw new Error(message);
};

/** The clauses of a Condition block. */
function block(condition: unknown): Clause[] {
  const clauses = normaliseConditionBlock(condition, 'Condition', fail);
  if (!Array.isArray(clauses)) throw new Error('expected known clauses');
  return clauses;
}

/** The single clause of a one-entry block. */
function clause(operator: string, key: string, values: unknown): Clause {
  return block({ [operator]: { [key]: values } })[0] as Clause;
}

describe('clauseImplies', () => {
  it.each([
    [
      'fewer accepted values',
      clause('StringEquals', 'k', 'a'),
      clause('StringEquals', 'k', ['a', 'b']),
      'yes',
    ],
    [
      'more accepted values',
      clause('StringEquals', 'k', ['a', 'b']),
      clause('StringEquals', 'k', 'a'),
      'no',
    ],
    [
      'more excluded values',
      clause('StringNotEquals', 'k', ['a', 'b']),
      clause('StringNotEquals', 'k', 'a'),
      'yes',
    ],
    [
      'fewer excluded values',
      clause('StringNotEquals', 'k', 'a'),
      clause('StringNotEquals', 'k', ['a', 'b']),
      'no',
    ],
    [
      'a value inside a pattern',
      clause('StringEquals', 'k', 'home/alice'),
      clause('StringLike', 'k', 'home/*'),
      'yes',
    ],
    [
      'a narrower pattern',
      clause('StringLike', 'k', 'home/alice/*'),
      clause('StringLike', 'k', 'home/*'),
      'yes',
    ],
    [
      'a wider pattern',
      clause('StringLike', 'k', 'home/*'),
      clause('StringLike', 'k', 'home/alice/*'),
      'no',
    ],
    [
      'a pattern without wildcards as a value',
      clause('StringLike', 'k', 'x'),
      clause('StringEquals', 'k', 'x'),
      'yes',
    ],
    [
      'a lower upper bound',
      clause('NumericLessThan', 'k', 10),
      clause('NumericLessThan', 'k', 20),
      'yes',
    ],
    [
      'a higher upper bound',
      clause('NumericLessThan', 'k', 20),
      clause('NumericLessThan', 'k', 10),
      'no',
    ],
    [
      'a strict bound under an inclusive one',
      clause('NumericLessThan', 'k', 10),
      clause('NumericLessThanEquals', 'k', 10),
      'yes',
    ],
    [
      'an inclusive bound under a strict one',
      clause('NumericLessThanEquals', 'k', 10),
      clause('NumericLessThan', 'k', 10),
      'no',
    ],
    [
      'an inclusive bound under a wider strict one',
      clause('NumericLessThanEquals', 'k', 9),
      clause('NumericLessThan', 'k', 10),
      'yes',
    ],
    [
      'a later lower date bound',
      clause('DateGreaterThan', 'k', '2025-01-01T00:00:00Z'),
      clause('DateGreaterThan', 'k', '2024-01-01T00:00:00Z'),
      'yes',
    ],
    [
      'an earlier upper date bound in epoch seconds',
      clause('DateLessThan', 'k', '1700000000'),
      clause('DateLessThan', 'k', '2024-01-01T00:00:00Z'),
      'yes',
    ],
    [
      'the same date written two ways',
      clause('DateEquals', 'k', '2024-01-01T00:00:00Z'),
      clause('DateEquals', 'k', '1704067200'),
      'yes',
    ],
    [
      'a range inside a range',
      clause('IpAddress', 'k', '10.1.2.0/24'),
      clause('IpAddress', 'k', '10.1.0.0/16'),
      'yes',
    ],
    [
      'a range around a range',
      clause('IpAddress', 'k', '10.0.0.0/8'),
      clause('IpAddress', 'k', '10.1.0.0/16'),
      'no',
    ],
    [
      'a wider excluded range',
      clause('NotIpAddress', 'k', '10.0.0.0/8'),
      clause('NotIpAddress', 'k', '10.1.0.0/16'),
      'yes',
    ],
    [
      'a clause without IfExists under one with it',
      clause('StringEquals', 'k', 'a'),
      clause('StringEqualsIfExists', 'k', 'a'),
      'yes',
    ],
    [
      'a clause with IfExists under one without',
      clause('StringEqualsIfExists', 'k', 'a'),
      clause('StringEquals', 'k', 'a'),
      'no',
    ],
    [
      'a value under Null false',
      clause('StringEquals', 'k', 'a'),
      clause('Null', 'k', false),
      'yes',
    ],
    [
      'a negated clause under Null false, since it passes without the key',
      clause('StringNotEquals', 'k', 'a'),
      clause('Null', 'k', false),
      'no',
    ],
    [
      'a negated clause with IfExists under the same one without',
      clause('StringNotEqualsIfExists', 'k', 'a'),
      clause('StringNotEquals', 'k', 'a'),
      'yes',
    ],
    [
      'ForAllValues, which passes without the key, under ForAnyValue',
      clause('ForAllValues:StringEquals', 'k', 'a'),
      clause('ForAnyValue:StringEquals', 'k', 'a'),
      'no',
    ],
    [
      'NotIpAddress, which passes without the key, under IpAddress',
      clause('NotIpAddress', 'k', '10.1.0.0/16'),
      clause('IpAddress', 'k', '10.0.0.0/8'),
      'no',
    ],
    [
      'Null false, any value, under a list of values',
      clause('Null', 'k', false),
      clause('StringEquals', 'k', 'a'),
      'no',
    ],
    [
      'an accepted value under the exclusion of another',
      clause('StringEquals', 'k', 'a'),
      clause('StringNotEquals', 'k', 'b'),
      'yes',
    ],
    [
      'an accepted value under its own exclusion',
      clause('StringEquals', 'k', 'a'),
      clause('StringNotEquals', 'k', 'a'),
      'no',
    ],
    [
      'a pattern under an excluded pattern it meets',
      clause('StringLike', 'k', 'home/*'),
      clause('StringNotLike', 'k', '*/alice'),
      'no',
    ],
    [
      'a pattern under an excluded pattern it cannot meet',
      clause('ArnLike', 'k', 'arn:aws:s3:::a-*'),
      clause('ArnNotLike', 'k', 'arn:aws:s3:::b-*'),
      'yes',
    ],
    [
      'an ARN under an ArnLike pattern whose region * would have to cross colons',
      clause('ArnLike', 'k', 'arn:aws:sns:eu-west-1:444455556666:x-1:111122223333:alerts'),
      clause('ArnLike', 'k', 'arn:aws:sns:eu-*-1:111122223333:alerts'),
      'no',
    ],
    [
      'an ARN with colons in its resource part under an ArnLike * there',
      clause('ArnLike', 'k', 'arn:aws:logs:eu-west-1:111122223333:log-group:a:b:p:*'),
      clause('ArnLike', 'k', 'arn:aws:logs:*:111122223333:log-group:a*p:*'),
      'yes',
    ],
    [
      'an ArnLike pattern against an ArnNotLike one it meets only across colons',
      clause('ArnLike', 'k', 'arn:aws:sns:eu-west-1:*:alerts'),
      clause('ArnNotLike', 'k', 'arn:aws:sns:eu-*:alerts'),
      'yes',
    ],
    [
      'a range under the exclusion of a range apart from it',
      clause('IpAddress', 'k', '10.1.0.0/16'),
      clause('NotIpAddress', 'k', ['10.2.0.0/16', '2001:db8::/32']),
      'yes',
    ],
    [
      'a range under the exclusion of a range inside it',
      clause('IpAddress', 'k', '10.0.0.0/8'),
      clause('NotIpAddress', 'k', '10.1.0.0/16'),
      'no',
    ],
    [
      'an IPv6 range inside an IPv6 range',
      clause('IpAddress', 'k', '2001:db8:1::/48'),
      clause('IpAddress', 'k', '2001:0db8::/32'),
      'yes',
    ],
    [
      'an IPv6 range around an IPv6 range',
      clause('IpAddress', 'k', '2001:db8::/32'),
      clause('IpAddress', 'k', '2001:db8:1::/48'),
      'no',
    ],
    [
      'an IPv4 range under an IPv6 one',
      clause('IpAddress', 'k', '10.0.0.0/8'),
      clause('IpAddress', 'k', '::/0'),
      'no',
    ],
    [
      'different set operators',
      clause('ForAnyValue:StringEquals', 'k', 'a'),
      clause('ForAllValues:StringEquals', 'k', 'a'),
      'unknown',
    ],
    [
      'unrelated operators',
      clause('StringEquals', 'k', 'a'),
      clause('NumericEquals', 'k', 1),
      'unknown',
    ],
    [
      'an unparseable date',
      clause('DateLessThan', 'k', 'soon'),
      clause('DateLessThan', 'k', '2024-01-01T00:00:00Z'),
      'unknown',
    ],
  ])('decides %s', (_, a, b, expected) => {
    expect(clauseImplies(a, b)).toBe(expected);
  });
});

describe('blockImplies', () => {
  it('needs every clause of the weaker block to follow from the stronger one', () => {
    const strong = block({ StringEquals: { a: '1', b: '2' } });
    const weak = block({ StringEquals: { a: ['1', '3'] } });

    expect(blockImplies(strong, weak)).toBe('yes');
    expect(blockImplies(weak, strong)).toBe('no');
    expect(blockImplies(weak, [])).toBe('yes');
  });

  it('is unknown when a block is not known offline', () => {
    const unknown = new UnknownValue('Fn::If HasOrg', 'not known offline');

    expect(blockImplies(unknown, block({ Bool: { k: true } }))).toBe('unknown');
    expect(blockImplies(unknown, [])).toBe('yes');
  });
});
