import {
  type Clause,
  normaliseConditionBlock,
} from '../../../../functions/engine/policy/condition';
import { blockImplies } from '../../../../functions/engine/policy/implication';
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

describe('normaliseConditionBlock', () => {
  it('reads operators in any case, with set prefixes and IfExists, and aliases ArnEquals', () => {
    const clauses = block({
      'forallvalues:stringlikeifexists': { 'aws:TagKeys': ['a*'] },
      arnequals: { 'aws:SourceArn': 'arn:aws:sns:*:1:t' },
      Null: { 'aws:TokenIssueTime': true },
    });

    expect(clauses.map((c) => [c.operator, c.base, c.set, c.ifExists, c.key])).toEqual([
      ['ArnLike', 'ArnLike', '', false, 'aws:sourcearn'],
      ['ForAllValues:StringLikeIfExists', 'StringLike', 'ForAllValues', true, 'aws:tagkeys'],
      ['Null', 'Null', '', false, 'aws:tokenissuetime'],
    ]);
    expect(clauses[2]?.values).toEqual(['true']);
    expect(clauses.map((c) => c.written)).toEqual([
      'ArnEquals',
      'ForAllValues:StringLikeIfExists',
      'Null',
    ]);
  });

  it('normalises values by operator: numbers, booleans, single IPs; keeps the case of strings', () => {
    expect(clause('NumericLessThan', 'k', ['1.50', 2]).values).toEqual(['1.5', '2']);
    expect(clause('Bool', 'k', 'TRUE').values).toEqual(['true']);
    expect(clause('StringEqualsIgnoreCase', 'k', ['Team', 'TEAM']).values).toEqual([
      'TEAM',
      'Team',
    ]);
    expect(clause('IpAddress', 'k', '10.0.0.1').values).toEqual(['10.0.0.1/32']);
    expect(clause('IpAddress', 'k', '2001:db8::1').values).toEqual(['2001:db8::1/128']);
    expect(clause('StringEquals', 'k', 'Team').values).toEqual(['Team']);
  });

  it('keeps the same key under ArnEquals and ArnLike as two clauses that must both hold', () => {
    const clauses = block({
      ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::a' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' },
    });

    expect(clauses).toHaveLength(2);
    expect(blockImplies(block({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::a' } }), clauses)).toBe(
      'yes',
    );
    expect(blockImplies(block({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::b' } }), clauses)).toBe(
      'no',
    );
  });

  it('leaves a block whose keys are not known offline unknown', () => {
    const unknown = new UnknownValue('Fn::If HasOrg', 'a condition not known offline');

    expect(normaliseConditionBlock({ StringEquals: unknown }, 'Condition', fail)).toBe(unknown);
  });

  it.each([
    [[], 'Condition: expected an object of operators, received a list.'],
    [
      { StringEquals: 'x' },
      'Condition.StringEquals: expected an object of condition keys, received a string.',
    ],
    [{ StringEquals: { k: [] } }, 'Condition.StringEquals.k: must hold at least one value.'],
  ])('rejects %j naming the path', (condition, message) => {
    expect(() => normaliseConditionBlock(condition, 'Condition', fail)).toThrow(message);
  });
});
