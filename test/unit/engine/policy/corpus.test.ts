/**
 * Runs every named pair of test/fixtures/policy-pairs through the comparison and checks the
 * direction and, where listed, every change. Pairs marked `naive: wrong` are also checked
 * against a comparison of normalised JSON, to show that the literal approach gets them wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Direction, PolicyChange } from '../../../../functions/engine/policy';
import { comparePolicies } from '../../../../functions/engine/policy';

interface Pair {
  name: string;
  kind?: 'permissions' | 'trust';
  expected: unknown;
  live: unknown;
  direction: Direction;
  naive?: 'wrong' | 'right';
  changes?: Pick<PolicyChange, 'direction' | 'element' | 'summary'>[];
}

const DIR = join(__dirname, '../../../fixtures/policy-pairs');
const CANARY = 'canary-3f9a-external';

function loadPairs(): (Pair & { file: string })[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      (parse(readFileSync(join(DIR, file), 'utf8')) as Pair[]).map((pair) => ({ ...pair, file })),
    );
}

/**
 * What a careful text comparison does: parse, sort, deduplicate, lower-case action names, then
 * call statements only in the live document added and those only in the expected removed.
 */
function naiveDirection(expected: unknown, live: unknown): Direction {
  const before = new Set(normalisedStatements(expected));
  const after = new Set(normalisedStatements(live));
  const added = [...after].some((s) => !before.has(s));
  const removed = [...before].some((s) => !after.has(s));
  if (added && removed) return 'mixed';
  if (added) return 'widened';
  return removed ? 'narrowed' : 'none';
}

function normalisedStatements(document: unknown): string[] {
  const value =
    typeof document === 'string'
      ? JSON.parse(document.trimStart().startsWith('{') ? document : decodeURIComponent(document))
      : document;
  const canon = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) {
      const items = node.map((item) => JSON.stringify(canon(item, key)));
      return [...new Set(items)].sort().map((item) => JSON.parse(item));
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(node).sort()) {
        const child = (node as Record<string, unknown>)[k];
        const listed = ['Statement', 'Action', 'NotAction', 'Resource', 'NotResource'].includes(k)
          ? [child].flat()
          : child;
        out[k] = canon(listed, k);
      }
      return out;
    }
    if (typeof node === 'string' && (key === 'Action' || key === 'NotAction')) {
      return node.toLowerCase();
    }
    return node;
  };
  const statements = (canon(value) as { Statement: unknown[] }).Statement;
  return statements.map((statement) => JSON.stringify(statement));
}

const pairs = loadPairs();

describe('the policy-pair corpus', () => {
  it('holds at least 80 pairs with unique names, 10 of which defeat a normalised-JSON comparison', () => {
    const names = new Set(pairs.map((pair) => pair.name));

    expect(pairs.length).toBeGreaterThanOrEqual(80);
    expect(names.size).toBe(pairs.length);
    expect(pairs.filter((pair) => pair.naive === 'wrong').length).toBeGreaterThanOrEqual(10);
  });

  describe.each(pairs.map((pair) => [`${pair.file}: ${pair.name}`, pair] as const))(
    '%s',
    (_, pair) => {
      it(`is ${pair.direction}`, () => {
        const result = comparePolicies(pair.expected, pair.live, {
          kind: pair.kind ?? 'permissions',
        });

        expect(result.direction).toBe(pair.direction);
        expect(result.equivalent).toBe(pair.direction === 'none');
        if (pair.changes) {
          const seen = result.changes.map(({ direction, element, summary }) => ({
            direction,
            element,
            summary,
          }));
          expect(seen).toEqual(expect.arrayContaining(pair.changes));
          expect(seen).toHaveLength(pair.changes.length);
        }
        if (pair.direction === 'unknown') expect(result.reason).toEqual(expect.any(String));
        expect(JSON.stringify(result)).not.toContain(CANARY);
      });

      if (pair.naive !== undefined) {
        it(`is judged ${pair.naive}ly by comparing normalised JSON`, () => {
          const naive = naiveDirection(pair.expected, pair.live);

          if (pair.naive === 'wrong') expect(naive).not.toBe(pair.direction);
          else expect(naive).toBe(pair.direction);
        });
      }
    },
  );
});
