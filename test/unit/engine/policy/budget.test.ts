import { comparePolicies } from '../../../../functions/engine/policy';
import {
  Budget,
  spend,
  WorkLimitReached,
  withBudget,
} from '../../../../functions/engine/policy/budget';
import { policy, statement } from './builders';

/** A StringLike block of `keys` principal-tag keys, each with `values` patterns. */
function tagPatterns(keys: number, values: string[]): Record<string, unknown> {
  const entries = Array.from({ length: keys }, (_, k) => [`aws:PrincipalTag/t${k}`, values]);
  return { StringLike: Object.fromEntries(entries) };
}

const FOUR_PATTERNS = ['v*0', 'v*1', 'v*2', 'v*3'];

describe('the work limit of a comparison', () => {
  it('spends from every budget in force and stops at the innermost one used up', () => {
    const outer = new Budget(100, 'comparing the two documents');
    const inner = new Budget(5, 'comparing this grant');

    const run = () => withBudget([outer], () => withBudget([inner], () => spend(6)));

    expect(run).toThrow(WorkLimitReached);
    expect(run).toThrow('comparing this grant takes more than 5 steps, its limit');
  });

  it('spends nothing outside a budget', () => {
    expect(() => spend(Number.POSITIVE_INFINITY)).not.toThrow();
  });

  it('decides a grant conditioned on thirteen keys of four patterns each', () => {
    const expected = policy(
      statement({ Action: 's3:*', Condition: tagPatterns(13, ['v*0']) }),
      statement({ Action: 's3:*', Condition: tagPatterns(13, ['v*1', 'v*2']) }),
    );
    const added = statement({
      Action: 's3:G*0',
      Resource: 'arn:aws:s3:::a0*/*',
      Condition: tagPatterns(13, FOUR_PATTERNS),
    });

    const result = comparePolicies(expected, policy(added));

    expect(result.changes).toContainEqual(
      expect.objectContaining({ direction: 'widened', element: 'Condition' }),
    );
  });

  it('leaves a grant undecided, naming its statement, when its patterns are too long to compare', () => {
    const expected = policy(statement({ Resource: `arn:aws:s3:::${'a*'.repeat(2500)}` }));
    const live = policy(
      statement({ Sid: 'Other', Action: 's3:PutObject' }),
      statement({ Sid: 'Long', Resource: `arn:aws:s3:::${'a?'.repeat(2500)}b` }),
    );

    const result = comparePolicies(expected, live);

    expect(result.equivalent).toBe(false);
    const undecided = result.changes.find((c) => c.statement.sid === 'Long');
    expect(undecided).toMatchObject({ direction: 'unknown', statement: { index: 1 } });
    expect(undecided?.summary).toContain(
      'in statement Long: not compared: two patterns of 10,027 characters together are more than 2,000',
    );
    expect(result.changes).toContainEqual(
      expect.objectContaining({
        direction: 'widened',
        summary: 'added statement Other allowing s3:PutObject on *',
      }),
    );
  });

  it('stops at the limit of the whole comparison and names each statement left undecided', () => {
    const many = (prefix: string) =>
      Array.from({ length: 300 }, (_, i) =>
        statement({ Action: `s${i % 7}:${prefix}${i}*`, Resource: `arn:aws:s3:::b${i}*` }),
      );
    const live = policy(statement({ Principal: undefined, Action: '*' }), ...many('b'));

    const result = comparePolicies(policy(...many('a')), live);

    expect(result.direction).toBe('widened');
    expect(result.changes).toContainEqual(
      expect.objectContaining({
        direction: 'widened',
        summary: 'added * on *',
      }),
    );
    const undecided = result.changes.filter((c) => c.direction === 'unknown');
    expect(undecided.length).toBeGreaterThan(0);
    for (const change of undecided) {
      expect(change.statement.index).toBeGreaterThanOrEqual(0);
      expect(change.summary).toMatch(
        /^could not verify .* in statement \d+: not compared: comparing the two documents takes more than/,
      );
    }
  });

  it('leaves a statement of more grants than it compares undecided, naming it', () => {
    const actions = Array.from({ length: 120 }, (_, i) => `s3:Get${i}`);
    const resources = Array.from({ length: 120 }, (_, i) => `arn:aws:s3:::b${i}`);
    const live = policy(statement({ Action: actions, Resource: resources }));

    const result = comparePolicies(policy(statement()), live);

    expect(result.direction).toBe('unknown');
    expect(result.reason).toBe(
      'not compared: live policy: Statement[0]: its actions, resources and principals make 14,400 grants, more than the 10,000 a statement is compared by',
    );
    expect(result.changes).toContainEqual(
      expect.objectContaining({
        direction: 'unknown',
        element: 'Statement',
        statement: { index: 0, sid: null },
      }),
    );
  });
});
