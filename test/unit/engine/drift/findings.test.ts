import { trustSeverity } from '../../../../functions/engine/drift/findings';
import type { PolicyChange, PolicyComparison } from '../../../../functions/engine/policy';

/** A change as the policy core reports it; `mixed` lets some requests in and keeps others out. */
function change(
  direction: PolicyChange['direction'],
  before: unknown,
  element: PolicyChange['element'] = 'Condition',
): PolicyChange {
  return {
    direction,
    statement: { index: 0, sid: null },
    element,
    before,
    after: null,
    summary: 'a change',
  };
}

const comparison = (
  direction: PolicyComparison['direction'],
  changes: PolicyChange[],
): Pick<PolicyComparison, 'direction' | 'changes'> => ({ direction, changes });

describe('trustSeverity', () => {
  const principalTag = { StringEquals: { 'aws:PrincipalTag/team': 'a' } };
  const sourceAccount = { StringEquals: { 'aws:SourceAccount': '123456789012' } };

  it.each([
    ['CRITICAL when widened', comparison('widened', [change('widened', principalTag)]), 'CRITICAL'],
    [
      'CRITICAL when mixed with one change letting someone in',
      comparison('mixed', [
        change('narrowed', null, 'Principal'),
        change('widened', null, 'Principal'),
      ]),
      'CRITICAL',
    ],
    [
      'CRITICAL when a deputy guard is given another value',
      comparison('mixed', [change('mixed', sourceAccount)]),
      'CRITICAL',
    ],
    [
      'CRITICAL when the organization callers must belong to is given another value',
      comparison('mixed', [change('mixed', { StringEquals: { 'aws:PrincipalOrgID': 'o-a' } })]),
      'CRITICAL',
    ],
    [
      "CRITICAL when a web identity's subject is given another value",
      comparison('mixed', [change('mixed', { StringLike: { 'accounts.google.com:sub': 'a' } })]),
      'CRITICAL',
    ],
    [
      'CRITICAL when one change replaces a principal by another',
      comparison('mixed', [change('mixed', { AWS: '111122223333' }, 'Principal')]),
      'CRITICAL',
    ],
    [
      'CRITICAL when one change replaces an action by another',
      comparison('mixed', [change('mixed', 'sts:AssumeRole', 'Action')]),
      'CRITICAL',
    ],
    [
      'HIGH when another condition is given another value',
      comparison('mixed', [change('mixed', principalTag)]),
      'HIGH',
    ],
    ['HIGH when unknown', comparison('unknown', [change('unknown', sourceAccount)]), 'HIGH'],
    ['MEDIUM when narrowed', comparison('narrowed', [change('narrowed', sourceAccount)]), 'MEDIUM'],
  ])('is %s', (_, compared, severity) => {
    expect(trustSeverity(compared)).toBe(severity);
  });
});
