import fc from 'fast-check';
import { MAX_RESPONSE_BYTES, withReason } from '../../../../functions/engine/cfn';

const identity = {
  Status: 'FAILED' as const,
  PhysicalResourceId: 'InstallValidation-0123456789abcdef',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/connector/id',
  RequestId: 'request-1',
  LogicalResourceId: 'InstallValidation',
};

describe('withReason, for any summary and details', () => {
  it('keeps the body under the limit and accounts for every detail', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }), { maxLength: 40 }),
        (summary, details) => {
          const marked = details.map((d, i) => `<${i}>${d}`);

          const body = withReason(identity, summary, marked);

          const reason = body.Reason ?? '';
          expect(Buffer.byteLength(JSON.stringify(body), 'utf8')).toBeLessThan(MAX_RESPONSE_BYTES);
          const more = /\.\.\. and (\d+) more\.$/.exec(reason);
          const hidden = more ? Number(more[1]) : 0;
          const whole = marked.filter((d) => reason.includes(d)).length;
          expect(whole + hidden).toBeGreaterThanOrEqual(marked.length - 1);
          expect(whole + hidden).toBeLessThanOrEqual(marked.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
