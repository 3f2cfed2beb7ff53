import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { scheduleProblem } from '../../../../functions/engine/validate';
import { externalIdProblems } from '../../../../functions/engine/validate/external-id';

const NOW = new Date('2026-12-04T10:00:00Z');
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One field entry of the grammar: a value, a range, or a start and increment. */
function entry(min: number, max: number) {
  return fc.oneof(
    fc.integer({ min, max }).map(String),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc
      .tuple(
        fc.oneof(fc.constant('*'), fc.integer({ min, max }).map(String)),
        fc.integer({ min: 1, max: max - min + 1 }),
      )
      .map(([start, step]) => `${start}/${step}`),
  );
}

function field(min: number, max: number) {
  return fc.oneof(
    fc.constant('*'),
    fc.array(entry(min, max), { minLength: 1, maxLength: 3 }).map((e) => e.join(',')),
  );
}

const dayOfWeek = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...DAYS),
  fc
    .tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 }))
    .map(([d, n]) => `${d}#${n}`),
  fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`),
);
const dayOfMonth = fc.oneof(
  field(1, 31),
  fc.constantFrom('L', 'LW'),
  fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`),
);

describe('scheduleProblem, for any expression the grammar allows', () => {
  it('accepts every rate with the right unit for its value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom('minute', 'hour', 'day'),
        (n, unit) => {
          expect(scheduleProblem(`rate(${n} ${n === 1 ? unit : `${unit}s`})`, NOW)).toBeUndefined();
        },
      ),
    );
  });

  it('refuses every rate whose unit disagrees with its value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom('minute', 'hour', 'day'),
        (n, unit) => {
          expect(scheduleProblem(`rate(${n} ${n === 1 ? `${unit}s` : unit})`, NOW)).toBeDefined();
        },
      ),
    );
  });

  it('accepts every cron with one of its day fields ?', () => {
    fc.assert(
      fc.property(
        field(0, 59),
        field(0, 23),
        fc.boolean(),
        dayOfMonth,
        dayOfWeek,
        field(1, 12),
        fc.oneof(fc.constant('*'), fc.integer({ min: 2026, max: 2199 }).map(String)),
        (minutes, hours, byMonthDay, dom, dow, month, year) => {
          const days = byMonthDay ? `${dom} ${month} ?` : `? ${month} ${dow}`;
          const expression = `cron(${minutes} ${hours} ${days} ${year})`;

          expect(scheduleProblem(expression, NOW)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('externalIdProblems, for random values', () => {
  it('accepts random values of 16 bytes or more, as hex and as base64url', () => {
    for (let i = 0; i < 300; i += 1) {
      const bytes = randomBytes(16 + (i % 48));

      expect(externalIdProblems(bytes.toString('hex'))).toEqual([]);
      expect(externalIdProblems(bytes.toString('base64url').padEnd(32, '-x9Q'))).toEqual([]);
    }
  });
});
