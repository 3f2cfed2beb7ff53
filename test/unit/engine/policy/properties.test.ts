/**
 * Properties of the comparison over random documents: IAM's rewrites never read as drift, a
 * grant nothing covers reads as a widening when added and a narrowing when removed.
 */
import fc from 'fast-check';
import { comparePolicies } from '../../../../functions/engine/policy';

type Json = Record<string, unknown>;

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:Get*',
  's3:ListBucket',
  'dynamodb:PutItem',
  'logs:*',
  'ec2:Describe*',
  'sqs:SendMessage',
];
const RESOURCES = [
  '*',
  'arn:aws:s3:::backups-*',
  'arn:aws:s3:::backups-2024/*',
  'arn:aws:dynamodb:eu-west-1:111122223333:table/t',
  'arn:aws:logs:*:111122223333:*',
];
const CONDITIONS: [string, string, unknown[]][] = [
  ['StringEquals', 'aws:RequestedRegion', ['eu-west-1', 'us-east-1']],
  ['Bool', 'aws:SecureTransport', [true]],
  ['NumericLessThan', 'aws:MultiFactorAuthAge', [3600]],
  ['ArnEquals', 'aws:SourceArn', ['arn:aws:sns:eu-west-1:111122223333:alerts']],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24', '198.51.100.7']],
];
const PRINCIPALS = ['111122223333', 'arn:aws:iam::444455556666:role/Vendor', '555566667777'];

const statementArb = (trust: boolean) =>
  fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 4 }),
      resources: fc.uniqueArray(fc.constantFrom(...RESOURCES), { minLength: 1, maxLength: 3 }),
      principals: fc.uniqueArray(fc.constantFrom(...PRINCIPALS), { minLength: 1, maxLength: 2 }),
      conditions: fc.uniqueArray(fc.integer({ min: 0, max: CONDITIONS.length - 1 }), {
        maxLength: 2,
      }),
    })
    .map(({ effect, actions, resources, principals, conditions }) => {
      const out: Json = { Effect: effect, Action: actions };
      if (trust) out.Principal = { AWS: principals };
      else out.Resource = resources;
      if (conditions.length > 0) {
        const block: Record<string, Record<string, unknown[]>> = {};
        for (const index of conditions) {
          const [operator, key, values] = CONDITIONS[index] as [string, string, unknown[]];
          block[operator] = { ...(block[operator] ?? {}), [key]: values };
        }
        out.Condition = block;
      }
      return out;
    });

const documentArb = (trust = false) =>
  fc
    .array(statementArb(trust), { minLength: 1, maxLength: 4 })
    .map((Statement) => ({ Version: '2012-10-17', Statement }) as Json);

/** A deterministic shuffle driven by the generated seed, so failures replay. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface Rewrites {
  seed: number;
  reorder: boolean;
  duplicate: boolean;
  recase: boolean;
  scalars: boolean;
  sids: boolean;
  strings: boolean;
  rootArns: boolean;
  arnLike: boolean;
  emptyCondition: boolean;
  split: boolean;
  splitValues: boolean;
  encode: boolean;
  statementObject: boolean;
  noVersion: boolean;
  partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  ipRanges: boolean;
}

const rewritesArb: fc.Arbitrary<Rewrites> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  reorder: fc.boolean(),
  duplicate: fc.boolean(),
  recase: fc.boolean(),
  scalars: fc.boolean(),
  sids: fc.boolean(),
  strings: fc.boolean(),
  rootArns: fc.boolean(),
  arnLike: fc.boolean(),
  emptyCondition: fc.boolean(),
  split: fc.boolean(),
  splitValues: fc.boolean(),
  encode: fc.boolean(),
  statementObject: fc.boolean(),
  noVersion: fc.boolean(),
  partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
  ipRanges: fc.boolean(),
});

const swapCase = (text: string) =>
  [...text].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');

/** Applies rewrites IAM (or a person) may make without changing what the document grants. */
function rewrite(document: Json, r: Rewrites): unknown {
  let statements = (document.Statement as Json[]).map((s) => structuredClone(s));

  if (r.split) {
    statements = statements.flatMap((s) =>
      (s.Action as string[]).map((action) => ({ ...structuredClone(s), Action: [action] })),
    );
  }
  if (r.splitValues) statements = statements.flatMap(splitByRegion);
  statements = statements.map((s, index) => {
    const out: Json = { ...s };
    const list = (key: string, map: (v: string) => string = (v) => v) => {
      if (!Array.isArray(out[key])) return;
      let values = (out[key] as string[]).map(map);
      if (r.reorder) values = shuffle(values, r.seed + index);
      if (r.duplicate) values = [...values, values[0] as string];
      out[key] = r.scalars && values.length === 1 ? values[0] : values;
    };
    list('Action', r.recase ? swapCase : undefined);
    list('Resource');
    if (out.Principal) {
      const aws = (out.Principal as { AWS: string[] }).AWS.map((p) =>
        r.rootArns && /^\d{12}$/.test(p) ? `arn:${r.partition}:iam::${p}:root` : p,
      );
      out.Principal = { AWS: r.reorder ? shuffle(aws, r.seed) : aws };
    }
    if (r.sids) out.Sid = `S${index}x${r.seed % 97}`;
    if (out.Condition) out.Condition = rewriteCondition(out.Condition as Json, r, index);
    else if (r.emptyCondition) out.Condition = {};
    return out;
  });
  if (r.reorder) statements = shuffle(statements, r.seed);
  if (r.duplicate) statements.push(structuredClone(statements[0] as Json));

  // The generated documents use no policy variables, so the Version changes nothing.
  const one = r.statementObject && statements.length === 1;
  const out: Json = { Statement: one ? statements[0] : statements };
  if (!r.noVersion) out.Version = '2012-10-17';
  return r.encode ? encodeURIComponent(JSON.stringify(out)) : out;
}

/** One statement per accepted region: the same grant, split by a condition's values. */
function splitByRegion(statement: Json): Json[] {
  const condition = statement.Condition as Record<string, Record<string, unknown[]>> | undefined;
  const regions = condition?.StringEquals?.['aws:RequestedRegion'];
  if (!condition || !regions) return [statement];
  return regions.map((region) => ({
    ...structuredClone(statement),
    Condition: {
      ...structuredClone(condition),
      StringEquals: { ...condition.StringEquals, 'aws:RequestedRegion': [region] },
    },
  }));
}

function rewriteCondition(block: Json, r: Rewrites, index: number): Json {
  const out: Json = {};
  for (const [operator, entries] of Object.entries(block)) {
    const name = r.arnLike && operator === 'ArnEquals' ? 'ArnLike' : operator;
    const rewritten: Json = {};
    for (const [key, values] of Object.entries(entries as Json)) {
      let list = (values as unknown[]).map((v) => (r.strings ? String(v) : v));
      if (r.ipRanges && operator === 'IpAddress') {
        list = list.map((v) => (String(v).includes('/') ? v : `${v}/32`));
      }
      if (r.reorder) list = shuffle(list, r.seed + index);
      rewritten[r.recase ? swapCase(key) : key] = r.scalars && list.length === 1 ? list[0] : list;
    }
    out[name] = rewritten;
  }
  return out;
}

const FRESH = 'zzbackup:DestroyVault';
const CANARY = 'canary-ext-51c0ffee';

/** The document with a grant of an action nothing else names: a new statement, or one more
 * action in an existing Allow statement. */
function withFreshGrant(document: Json, resource: string, into: number | undefined): Json {
  const statements = document.Statement as Json[];
  const allows = statements.filter((s) => s.Effect === 'Allow');
  if (into === undefined || allows.length === 0) {
    return {
      ...document,
      Statement: [...statements, { Effect: 'Allow', Action: FRESH, Resource: resource }],
    };
  }
  const target = allows[into % allows.length];
  return {
    ...document,
    Statement: statements.map((s) =>
      s === target ? { ...s, Action: [...(s.Action as string[]), FRESH] } : s,
    ),
  };
}

describe('comparePolicies properties', () => {
  it('finds a permissions document equivalent to itself after any of IAM rewrites', () => {
    fc.assert(
      fc.property(documentArb(), rewritesArb, (document, rewrites) => {
        const result = comparePolicies(document, rewrite(document, rewrites));

        expect(result).toEqual({ equivalent: true, direction: 'none', changes: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a trust document equivalent to itself after any of IAM rewrites', () => {
    fc.assert(
      fc.property(documentArb(true), rewritesArb, (document, rewrites) => {
        const result = comparePolicies(document, rewrite(document, rewrites), { kind: 'trust' });

        expect(result.equivalent).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('calls a live grant that nothing in the template covers widened', () => {
    fc.assert(
      fc.property(
        documentArb(),
        fc.constantFrom(...RESOURCES),
        fc.option(fc.nat(), { nil: undefined }),
        (document, resource, into) => {
          const live = withFreshGrant(document, resource, into);

          const result = comparePolicies(document, live);

          expect(result.direction).toBe('widened');
          expect(result.changes.length).toBeGreaterThan(0);
          expect(result.changes.every((c) => c.direction === 'widened')).toBe(true);
          expect(result.changes.some((c) => c.summary.includes(FRESH))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never shows an external ID, whatever the documents and their differences', () => {
    const ids = [CANARY, `${CANARY}-rotated`, `${CANARY}-attacker`];
    const withIds = (document: Json, picks: number[]) => ({
      ...document,
      Statement: (document.Statement as Json[]).map((s, i) => ({
        ...s,
        Condition: { StringEquals: { 'sts:ExternalId': ids[(picks[i] ?? 0) % ids.length] } },
      })),
    });
    fc.assert(
      fc.property(
        documentArb(true),
        documentArb(true),
        fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
        (a, b, picksA, picksB) => {
          const result = comparePolicies(withIds(a, picksA), withIds(b, picksB), { kind: 'trust' });

          expect(JSON.stringify(result)).not.toContain(CANARY);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('calls a template grant that nothing live covers, once removed, narrowed', () => {
    fc.assert(
      fc.property(documentArb(), fc.nat(), (document, pick) => {
        const statements = document.Statement as Json[];
        const allows = statements.filter((s) => s.Effect === 'Allow');
        fc.pre(allows.length > 0);
        const target = allows[pick % allows.length] as Json;
        const expected = {
          ...document,
          Statement: statements.map((s) =>
            s === target ? { ...s, Action: [...(s.Action as string[]), FRESH] } : s,
          ),
        };

        const result = comparePolicies(expected, document);

        expect(result.direction).toBe('narrowed');
        expect(result.changes.every((c) => c.direction === 'narrowed')).toBe(true);
        expect(result.changes.some((c) => c.summary.includes(FRESH))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
