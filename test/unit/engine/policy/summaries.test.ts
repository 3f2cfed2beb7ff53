import { comparePolicies } from '../../../../functions/engine/policy';
import { SUMMARY_VALUE_LIMIT, shortText } from '../../../../functions/engine/policy/display';
import { SecretValue, sha256Hex } from '../../../../functions/engine/values';
import { CANARY_EXTERNAL_ID, policy, statement, trustStatement } from './builders';

const PLACEHOLDER = '<secret:TenantExternalId>';

describe('change summaries of long values', () => {
  const long = `arn:aws:s3:::backups/${'a'.repeat(5000)}/key`;

  it('shorten a 5,000-character Resource, keeping the whole value in after', () => {
    const result = comparePolicies(
      policy(statement({ Resource: 'arn:aws:s3:::backups/key' })),
      policy(statement({ Resource: 'arn:aws:s3:::backups/key' }), statement({ Resource: long })),
    );

    expect(result.changes).toHaveLength(1);
    const [change] = result.changes;
    expect(change?.summary).toBe(
      'added s3:GetObject on arn:aws:s3:::backups/[... 5,000 characters ...]/key',
    );
    expect(change?.after).toBe(long);
  });

  it('shorten a long condition value and a long Sid alike', () => {
    const sid = `S${'x'.repeat(3000)}`;
    const tag = (value: string) => ({ StringEquals: { 'aws:PrincipalTag/team': value } });
    const expected = policy(statement({ Condition: tag('a') }));
    const live = policy(
      statement({ Condition: tag(`b${'v'.repeat(3000)}`) }),
      statement({ Sid: sid, Action: 's3:PutObject' }),
    );

    const result = comparePolicies(expected, live);

    expect(result.changes.map((c) => c.summary)).toEqual([
      'changed condition aws:PrincipalTag/team from a to [... 3,001 characters ...]',
      'added statement [... 3,001 characters ...] allowing s3:PutObject on *',
    ]);
  });

  it('keep the external ID placeholder whole beside a shortened value', () => {
    const secret = new SecretValue('TenantExternalId', sha256Hex(CANARY_EXTERNAL_ID));
    const userid = (values: unknown[]) => ({ StringEquals: { 'aws:userid': values } });
    const expected = policy(
      trustStatement('111122223333', { Condition: userid(['AROAEXAMPLE:role', secret]) }),
    );
    const live = policy(
      trustStatement('111122223333', {
        Condition: userid([`AROA${'P'.repeat(3000)}:role`, CANARY_EXTERNAL_ID]),
      }),
    );

    const result = comparePolicies(expected, live, { kind: 'trust' });

    const summaries = result.changes.map((c) => c.summary).join('\n');
    expect(summaries).toContain(`to [[... 3,004 characters ...]:role, ${PLACEHOLDER}]`);
    expect(summaries).not.toContain(CANARY_EXTERNAL_ID);
  });
});

describe('shortText', () => {
  it('leaves a value up to the limit whole', () => {
    const value = 'a'.repeat(SUMMARY_VALUE_LIMIT);

    expect(shortText(value)).toBe(value);
  });

  it.each(Array.from({ length: 60 }, (_, shift) => shift))(
    'never cuts a placeholder or a token between : and / (shifted by %i)',
    (shift) => {
      const value =
        `${'x'.repeat(shift)}:${PLACEHOLDER}/${CANARY_EXTERNAL_ID}*`.repeat(6) + 'z'.repeat(40);

      const shown = shortText(value);

      expect(shown.length).toBeLessThan(value.length);
      for (const whole of [PLACEHOLDER, CANARY_EXTERNAL_ID]) {
        const parts = shown.split(/\[\.\.\. [\d,]+ characters \.\.\.\]/);
        for (const part of parts) {
          const pieces = part.split(/[:/*]/).filter((p) => whole.startsWith(p) && p.length > 1);
          for (const piece of pieces) expect([whole, ...whole.split(':')]).toContain(piece);
        }
      }
    },
  );

  it('shows a run with no : or / only by its length', () => {
    expect(shortText('q'.repeat(5000))).toBe('[... 5,000 characters ...]');
  });
});
