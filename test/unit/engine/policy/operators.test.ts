import { comparePolicies } from '../../../../functions/engine/policy';
import { SecretValue, sha256Hex } from '../../../../functions/engine/values';
import { CANARY_EXTERNAL_ID, policy, trustStatement } from './builders';

const VENDOR = '111122223333';
const TRUST = { kind: 'trust' } as const;
const trust = (operator: string, value: unknown) =>
  policy(trustStatement(VENDOR, { Condition: { [operator]: { 'sts:ExternalId': value } } }));
const byDigest = (clear: string) => new SecretValue('TenantExternalId', sha256Hex(clear));

describe('comparePolicies on the operator of the external-ID check', () => {
  describe('with the expected external ID known by digest only', () => {
    const expected = trust('StringEquals', byDigest(CANARY_EXTERNAL_ID));

    it('finds StringLike of the same value, holding no wildcard, equivalent', () => {
      const result = comparePolicies(expected, trust('StringLike', CANARY_EXTERNAL_ID), {
        kind: 'trust',
      });

      expect(result).toEqual({ equivalent: true, direction: 'none', changes: [] });
    });

    it('reports StringEqualsIgnoreCase of the same value as a widening', () => {
      const live = trust('StringEqualsIgnoreCase', CANARY_EXTERNAL_ID);

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(result.changes).toHaveLength(1);
      expect(result.changes[0]).toMatchObject({ direction: 'widened', element: 'Condition' });
      expect(JSON.stringify(result)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('finds StringEqualsIgnoreCase of an ID that has no letters equivalent', () => {
      const digits = '4711-0815-2023-99';
      const result = comparePolicies(
        trust('StringEquals', byDigest(digits)),
        trust('StringEqualsIgnoreCase', digits),
        { kind: 'trust' },
      );

      expect(result.equivalent).toBe(true);
    });

    it('reports StringEqualsIgnoreCase of the value in other letters as a widening', () => {
      const live = trust('StringEqualsIgnoreCase', CANARY_EXTERNAL_ID.toUpperCase());

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(JSON.stringify(result).toLowerCase()).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('reports a StringLike pattern in place of the secret as a widening', () => {
      const live = trust('StringLike', 'canary-*');

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(result.changes.map((c) => c.summary)).toContain(
        'could not verify condition sts:ExternalId: whether a pattern or case-insensitive check accepts the secret cannot be told from its digest',
      );
    });
  });

  it('gives the generic reason for a set operator beside the secret, which no pattern is', () => {
    const expected = trust('StringEquals', byDigest(CANARY_EXTERNAL_ID));
    const live = trust('ForAnyValue:StringEquals', CANARY_EXTERNAL_ID);

    const result = comparePolicies(expected, live, { kind: 'trust' });

    expect(result.direction).toBe('unknown');
    expect(result.reason).toBe('how the two conditions relate cannot be decided');
  });

  describe('with the external ID in clear', () => {
    const expected = trust('StringEquals', CANARY_EXTERNAL_ID);

    it('finds StringLike of the same value, holding no wildcard, equivalent', () => {
      const result = comparePolicies(expected, trust('StringLike', CANARY_EXTERNAL_ID), TRUST);

      expect(result.equivalent).toBe(true);
    });

    it('reports StringEqualsIgnoreCase of the same value as a widening', () => {
      const result = comparePolicies(
        expected,
        trust('StringEqualsIgnoreCase', CANARY_EXTERNAL_ID),
        TRUST,
      );

      expect(result.direction).toBe('widened');
    });

    it('finds StringEquals naming every letter case of a short ID equal to IgnoreCase', () => {
      const result = comparePolicies(
        trust('StringEquals', ['ab', 'Ab', 'aB', 'AB']),
        trust('StringEqualsIgnoreCase', 'AB'),
        TRUST,
      );

      expect(result.equivalent).toBe(true);
    });
  });

  describe('on aws:SourceArn', () => {
    const serviceTrust = (operator: string, arn: string) =>
      policy(
        trustStatement(
          { Service: 'ecs-tasks.amazonaws.com' },
          { Condition: { [operator]: { 'aws:SourceArn': arn } } },
        ),
      );
    const scheduleArn = 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/*';
    const anyRegion = 'arn:aws:ecs:*:123456789012:*';

    it('finds StringLike equivalent to ArnLike when wildcards stand only in the resource', () => {
      const result = comparePolicies(
        serviceTrust('ArnLike', scheduleArn),
        serviceTrust('StringLike', scheduleArn),
        TRUST,
      );

      expect(result.equivalent).toBe(true);
    });

    it('reports StringLike as a widening where a wildcard before the resource spans colons', () => {
      const result = comparePolicies(
        serviceTrust('ArnLike', anyRegion),
        serviceTrust('StringLike', anyRegion),
        TRUST,
      );

      expect(result.direction).toBe('widened');
      expect(result.changes).toEqual([
        expect.objectContaining({ direction: 'widened', element: 'Condition' }),
      ]);
    });

    it('reports ArnLike in place of the same StringLike as a narrowing', () => {
      const result = comparePolicies(
        serviceTrust('StringLike', anyRegion),
        serviceTrust('ArnLike', anyRegion),
        TRUST,
      );

      expect(result.direction).toBe('narrowed');
    });
  });
});
