/**
 * The comparison checked against concrete requests: for random pairs of documents (the live one
 * usually a few edits of the expected one), every request that one allows and the other does
 * not must show in the result. A request only the live document allows is a widening the
 * result must report (widened, mixed or unknown); one only the expected document allows, a
 * narrowing; and an equivalent result means no request tried is decided differently. The
 * oracle is the small evaluator in reference-evaluator.ts, which knows nothing of how the
 * comparison reasons.
 */
import fc from 'fast-check';
import {
  catalogueFromMap,
  comparePolicies,
  type Direction,
  type PolicyKind,
} from '../../../../functions/engine/policy';
import { SecretValue, sha256Hex } from '../../../../functions/engine/values';
import { allows, type ConcreteRequest, type ResourceRule } from './reference-evaluator';

type Json = Record<string, unknown>;

/** A condition key: the clauses generated on it and the request values tried. */
interface Key {
  clauses: [string, unknown][];
  /** Request values tried; `undefined` is a request without the key. */
  samples: (string[] | undefined)[];
}

const KEYS: Record<string, Key> = {
  'aws:PrincipalTag/team': {
    clauses: [
      ['StringEquals', 'ops'],
      ['StringEquals', ['ops', 'dev']],
      ['StringNotEquals', 'ops'],
      ['StringLike', 'o*'],
      ['StringNotLike', 'o*'],
      ['StringEqualsIgnoreCase', 'ops'],
      ['StringEqualsIgnoreCase', 'OPS'],
      ['StringLike', 'ops'],
      ['StringNotEqualsIgnoreCase', 'ops'],
      ['StringEqualsIfExists', 'ops'],
      ['StringNotEqualsIfExists', 'ops'],
      ['ForAnyValue:StringEquals', 'ops'],
      ['ForAllValues:StringEquals', 'ops'],
      ['Null', 'true'],
      ['Null', 'false'],
    ],
    samples: [undefined, ['ops'], ['Ops'], ['OPS'], ['dev'], ['other']],
  },
  'aws:MultiFactorAuthAge': {
    clauses: [
      ['NumericLessThan', 3600],
      ['NumericLessThan', '100'],
      ['NumericLessThanEquals', 3600],
      ['NumericGreaterThan', 100],
      ['NumericEquals', 3600],
      ['NumericNotEquals', 3600],
      ['NumericLessThanIfExists', 3600],
      ['Null', 'false'],
    ],
    samples: [undefined, ['50'], ['100'], ['3600'], ['5000']],
  },
  'aws:SecureTransport': {
    clauses: [
      ['Bool', true],
      ['Bool', 'false'],
      ['BoolIfExists', 'true'],
      ['Null', 'true'],
    ],
    samples: [undefined, ['true'], ['false']],
  },
  'aws:SourceIp': {
    clauses: [
      ['IpAddress', '10.0.0.0/8'],
      ['IpAddress', '10.1.0.0/16'],
      ['NotIpAddress', '10.1.0.0/16'],
      ['IpAddressIfExists', '10.0.0.0/8'],
    ],
    samples: [undefined, ['10.1.2.3'], ['10.2.0.1'], ['192.168.0.1']],
  },
  'aws:TagKeys': {
    clauses: [
      ['ForAnyValue:StringEquals', 'a'],
      ['ForAnyValue:StringEquals', ['a', 'b']],
      ['ForAllValues:StringEquals', 'a'],
      ['ForAllValues:StringEquals', ['a', 'b']],
      ['ForAllValues:StringLike', 'a*'],
      ['ForAnyValue:StringNotEquals', 'a'],
      ['Null', 'false'],
    ],
    samples: [undefined, [], ['a'], ['b'], ['a', 'b'], ['c']],
  },
  'aws:SourceArn': {
    clauses: [
      ['ArnLike', 'arn:aws:sns:*:111122223333:alerts'],
      ['ArnEquals', 'arn:aws:sns:eu-west-1:111122223333:alerts'],
      ['ArnLike', 'arn:aws:sns:eu-west-1:111122223333:*'],
      ['ArnNotLike', 'arn:aws:sns:*:*:alerts'],
      ['ArnNotEquals', 'arn:aws:sns:eu-west-1:111122223333:alerts'],
      ['ArnLike', 'arn:aws:sns:*:alerts'],
      ['ArnLike', 'arn:aws:sns:eu-west-1:111122223333:a*s:*'],
      ['StringLike', 'arn:aws:sns:*:alerts'],
      ['StringLike', 'arn:aws:sns:eu-west-1:111122223333:*'],
      ['StringLike', 'arn:aws:sns:*:111122223333:alerts'],
      ['ArnLike', 'arn:aws:sns:eu-west-1:111122223333:alerts'],
    ],
    samples: [
      undefined,
      ['arn:aws:sns:eu-west-1:111122223333:alerts'],
      ['arn:aws:sns:us-east-1:111122223333:alerts'],
      ['arn:aws:sns:eu-west-1:111122223333:other'],
      ['arn:aws:sns:eu-west-1:444455556666:alerts'],
      ['arn:aws:sns:eu-west-1:111122223333:a:s:x'],
    ],
  },
  'aws:CurrentTime': {
    clauses: [
      ['DateLessThan', '2025-01-01T00:00:00Z'],
      ['DateLessThan', '2026-01-01T00:00:00Z'],
      ['DateLessThanEquals', '2025-01-01T00:00:00Z'],
      ['DateGreaterThan', '2024-06-01T00:00:00Z'],
      ['DateNotEquals', '2025-01-01T00:00:00Z'],
    ],
    samples: [
      undefined,
      ['2024-01-01T00:00:00Z'],
      ['2024-12-31T00:00:00Z'],
      ['2025-01-01T00:00:00Z'],
      ['2025-06-01T00:00:00Z'],
    ],
  },
  'sts:ExternalId': {
    clauses: [
      ['StringEquals', 'id-1'],
      ['StringEquals', ['id-1', 'id-2']],
      ['StringLike', 'id-*'],
      ['StringLike', 'id-1'],
      ['StringEqualsIgnoreCase', 'id-1'],
      ['StringEqualsIgnoreCase', 'ID-1'],
      ['StringEqualsIgnoreCase', '12-3'],
      ['StringEquals', '12-3'],
      ['StringNotEquals', 'id-1'],
      ['StringEqualsIfExists', 'id-1'],
      ['Null', 'false'],
    ],
    samples: [undefined, ['id-1'], ['ID-1'], ['Id-1'], ['id-2'], ['12-3'], ['other']],
  },
};

/** What documents of one kind are made of, and the requests tried against them. */
interface Shape {
  kind: PolicyKind;
  keys: string[];
  actionPatterns: string[];
  actions: string[];
  resourcePatterns?: string[];
  resources?: string[];
  principals?: unknown[];
  callers?: { type: string; value: string }[];
  /** Whether the comparison gets a catalogue of exactly the actions tried. */
  catalogue?: boolean;
  /** Whether the expected external IDs reach the comparison as secrets known by digest. */
  secrets?: boolean;
  /** Which of IAM's two documented rules for wildcards in a Resource ARN the oracle follows. */
  rule?: ResourceRule;
}

const PERMISSIONS: Shape = {
  kind: 'permissions',
  keys: [
    'aws:PrincipalTag/team',
    'aws:MultiFactorAuthAge',
    'aws:SecureTransport',
    'aws:SourceIp',
    'aws:TagKeys',
    'aws:SourceArn',
    'aws:CurrentTime',
  ],
  actionPatterns: [
    's3:GetObject',
    's3:PutObject',
    's3:Get*',
    's3:*Object',
    's3:*',
    's3:GetObjec?',
    'ec2:Describe*',
    '*',
  ],
  actions: [
    's3:GetObject',
    's3:PutObject',
    's3:GetBucketPolicy',
    's3:ListBucket',
    'ec2:DescribeInstances',
    'iam:PassRole',
  ],
  resourcePatterns: [
    '*',
    'arn:aws:s3:::b/*',
    'arn:aws:s3:::b/x',
    'arn:aws:s3:::B/*',
    'arn:aws:s3:::b/?',
  ],
  resources: ['arn:aws:s3:::b/x', 'arn:aws:s3:::b/yy', 'arn:aws:s3:::B/x', 'arn:aws:s3:::c/x'],
};

const WITH_CATALOGUE: Shape = { ...PERMISSIONS, catalogue: true };

/** Resource ARNs whose resource part holds colons, and patterns the two rules read apart. */
const LOG_GROUP = 'arn:aws:logs:eu-west-1:111122223333:log-group';
const ARNS: Shape = {
  kind: 'permissions',
  keys: ['aws:SourceArn', 'aws:PrincipalTag/team'],
  actionPatterns: ['logs:PutLogEvents', 'logs:*'],
  actions: ['logs:PutLogEvents', 'logs:CreateLogGroup'],
  resourcePatterns: [
    '*',
    'arn:aws:logs:*',
    'arn:aws:logs:*:111122223333:*',
    `${LOG_GROUP}:app*`,
    `${LOG_GROUP}:app:*`,
    `${LOG_GROUP}:a*p:*`,
    'arn:aws:logs:eu-*1:111122223333:log-group:app',
    'arn:aws:logs:*:*:log-group:app:log-stream:?',
  ],
  resources: [
    `${LOG_GROUP}:app`,
    `${LOG_GROUP}:app:log-stream:x`,
    `${LOG_GROUP}:a:b:p:log-stream:x`,
    `${LOG_GROUP}:apple`,
    'arn:aws:logs:us-east-1:444455556666:log-group:app',
  ],
};

/** A catalogue knowing exactly the given actions. */
function catalogueOf(actions: string[]) {
  const map: Record<string, string[]> = {};
  for (const action of actions) {
    const [service, name] = action.split(':') as [string, string];
    map[service] = [...(map[service] ?? []), name];
  }
  return catalogueFromMap(map);
}

const VENDOR_ROLE = 'arn:aws:iam::111122223333:role/vendor';
const TRUST: Shape = {
  kind: 'trust',
  keys: ['sts:ExternalId', 'aws:PrincipalTag/team'],
  actionPatterns: ['sts:AssumeRole', 'sts:TagSession', 'sts:*', 'sts:Assume*'],
  actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
  principals: [
    { AWS: '111122223333' },
    { AWS: 'arn:aws:iam::111122223333:root' },
    { AWS: VENDOR_ROLE },
    { AWS: ['444455556666', VENDOR_ROLE] },
    { Service: 'lambda.amazonaws.com' },
    { AWS: '*' },
    '*',
  ],
  callers: [
    { type: 'AWS', value: VENDOR_ROLE },
    { type: 'AWS', value: 'arn:aws:iam::111122223333:role/other' },
    { type: 'AWS', value: 'arn:aws:iam::444455556666:role/x' },
    { type: 'Service', value: 'lambda.amazonaws.com' },
    { type: 'Service', value: 'ec2.amazonaws.com' },
  ],
};

const clauseArb = (keys: string[]) =>
  fc
    .constantFrom(...keys)
    .chain((key) =>
      fc.constantFrom(...(KEYS[key] as Key).clauses).map((clause) => [key, clause] as const),
    );

function statementArb(shape: Shape, keys: string[]): fc.Arbitrary<Json> {
  const pick = <T>(values: T[] | undefined, most: number) =>
    fc.uniqueArray(fc.constantFrom(...(values ?? [])), { minLength: 1, maxLength: most });
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: fc.constantFrom(false, false, false, true),
      actions: pick(shape.actionPatterns, 3),
      notTarget: fc.constantFrom(false, false, false, true),
      targets:
        shape.kind === 'trust'
          ? fc.constantFrom(...(shape.principals ?? []))
          : pick(shape.resourcePatterns, 2),
      clauses: fc.array(clauseArb(keys), { maxLength: 3 }),
    })
    .map(({ effect, notAction, actions, notTarget, targets, clauses }) => {
      const out: Json = { Effect: effect, [notAction ? 'NotAction' : 'Action']: actions };
      const target = shape.kind === 'trust' ? 'Principal' : 'Resource';
      out[notTarget ? `Not${target}` : target] = targets;
      if (clauses.length > 0) out.Condition = conditionOf(clauses);
      return out;
    });
}

function conditionOf(clauses: readonly (readonly [string, [string, unknown]])[]): Json {
  const block: Record<string, Json> = {};
  for (const [key, [operator, values]] of clauses) {
    block[operator] = { ...(block[operator] ?? {}), [key]: values };
  }
  return block;
}

/** One edit of a statement list; most change what the document grants. */
function edit(statements: Json[], extra: Json, pick: number, kind: number, keys: string[]): Json[] {
  const at = pick % Math.max(statements.length, 1);
  const target = statements[at];
  const replace = (next: Json) => statements.map((s, i) => (i === at ? next : s));
  if (target === undefined || kind === 0) return [...statements, extra];
  const { Condition: condition = {}, Action: _a, NotAction: _n, ...rest } = target;
  switch (kind) {
    case 1:
      return statements.filter((_, i) => i !== at);
    case 2:
      return replace({ ...target, Condition: extra.Condition });
    case 3:
      return replace({
        ...target,
        Condition: Object.fromEntries(Object.entries(condition as Json).slice(1)),
      });
    case 4:
      return replace({ ...target, Effect: target.Effect === 'Allow' ? 'Deny' : 'Allow' });
    case 5: {
      const key = keys[pick % keys.length] as string;
      const clauses = (KEYS[key] as Key).clauses;
      const [operator, values] = clauses[(pick >> 3) % clauses.length] as [string, unknown];
      const block = { ...(condition as Json) };
      block[operator] = { ...((block[operator] ?? {}) as Json), [key]: values };
      return replace({ ...target, Condition: block });
    }
    default: {
      const action =
        extra.Action === undefined ? { NotAction: extra.NotAction } : { Action: extra.Action };
      return replace({ ...rest, ...action, Condition: condition });
    }
  }
}

function pairArb(shape: Shape) {
  return fc
    .subarray(shape.keys, { minLength: 1, maxLength: 2 })
    .chain((keys) =>
      fc.record({
        keys: fc.constant(keys),
        expected: fc.array(statementArb(shape, keys), { minLength: 1, maxLength: 3 }),
        extra: statementArb(shape, keys),
        edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 })), { minLength: 1, maxLength: 2 }),
      }),
    )
    .map(({ keys, expected, extra, edits }) => {
      let live = expected;
      for (const [pick, kind] of edits) live = edit(live, extra, pick, kind, keys);
      if (live.length === 0) live = [extra];
      return { keys, expected: document(expected), live: document(live) };
    });
}

function document(statements: Json[]): Json {
  return { Version: '2012-10-17', Statement: statements };
}

function* requests(shape: Shape, keys: string[]): Generator<ConcreteRequest> {
  const contexts = keys.reduce<Record<string, string[]>[]>(
    (acc, key) =>
      acc.flatMap((context) =>
        (KEYS[key] as Key).samples.map((sample) =>
          sample === undefined ? context : { ...context, [key.toLowerCase()]: sample },
        ),
      ),
    [{}],
  );
  for (const action of shape.actions) {
    for (const resource of shape.resources ?? ['*']) {
      for (const principal of shape.callers ?? [undefined]) {
        for (const context of contexts) yield { action, resource, principal, context };
      }
    }
  }
}

/** A request each document allows and the other does not, when there is one. */
function witnesses(shape: Shape, expected: Json, live: Json, keys: string[]) {
  let widened: ConcreteRequest | undefined;
  let narrowed: ConcreteRequest | undefined;
  for (const request of requests(shape, keys)) {
    const before = allows(expected, request, shape.rule);
    const after = allows(live, request, shape.rule);
    if (after && !before) widened ??= request;
    if (before && !after) narrowed ??= request;
    if (widened && narrowed) break;
  }
  return { widened, narrowed };
}

/** The document with every sts:ExternalId value as the secret the template engine makes of it. */
function withSecrets(document: Json): Json {
  const secret = (value: unknown) => new SecretValue(`Id${value}`, sha256Hex(String(value)));
  const statements = (document.Statement as Json[]).map((statement) => {
    const block = statement.Condition as Record<string, Json> | undefined;
    if (block === undefined) return statement;
    const condition = Object.fromEntries(
      Object.entries(block).map(([operator, entries]) => {
        const values = entries['sts:ExternalId'];
        if (values === undefined || operator === 'Null') return [operator, entries];
        const secrets = Array.isArray(values) ? values.map(secret) : secret(values);
        return [operator, { ...entries, 'sts:ExternalId': secrets }];
      }),
    );
    return { ...statement, Condition: condition };
  });
  return { ...document, Statement: statements };
}

const REPORTS_WIDENING: Direction[] = ['widened', 'mixed', 'unknown'];
const REPORTS_NARROWING: Direction[] = ['narrowed', 'mixed', 'unknown'];
const SECRET_VALUE_CHANGED = /^changed condition sts:ExternalId: the live value/;
const RUNS = 120;

describe.each([
  ['permissions', PERMISSIONS],
  ['permissions, with a catalogue of the actions tried,', WITH_CATALOGUE],
  ['permissions on ARNs whose * spans colons only as IAM allows for ArnLike,', ARNS],
  [
    'permissions on ARNs whose * spans colons only at the end of a part,',
    { ...ARNS, rule: 'segment-ends' as const },
  ],
  ['trust', TRUST],
  ['trust, with the expected external IDs known by digest only,', { ...TRUST, secrets: true }],
])('comparePolicies of %s documents against concrete requests', (_, shape) => {
  const pairs = pairArb(shape);
  const catalogue = shape.catalogue ? catalogueOf(shape.actions) : undefined;
  const compare = (expected: Json, live: Json) =>
    comparePolicies(shape.secrets ? withSecrets(expected) : expected, live, {
      kind: shape.kind,
      catalogue,
    });

  it('reports every request the live document newly allows as a widening', () => {
    fc.assert(
      fc.property(pairs, ({ keys, expected, live }) => {
        fc.pre(witnesses(shape, expected, live, keys).widened !== undefined);

        const result = compare(expected, live);

        expect(result.equivalent).toBe(false);
        expect(REPORTS_WIDENING).toContain(result.direction);
      }),
      { numRuns: RUNS },
    );
  });

  it('reports every request the live document no longer allows as a narrowing', () => {
    fc.assert(
      fc.property(pairs, ({ keys, expected, live }) => {
        fc.pre(witnesses(shape, expected, live, keys).narrowed !== undefined);

        const result = compare(expected, live);

        // A widening elsewhere outranks an undecidable change in the overall direction, and
        // an external ID set to another value reads as a widening though the old one stops
        // working.
        const excused = result.changes.some(
          (change) => change.direction === 'unknown' || SECRET_VALUE_CHANGED.test(change.summary),
        );
        expect(result.equivalent).toBe(false);
        expect(excused || REPORTS_NARROWING.includes(result.direction)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('finds documents equivalent only when no request tried tells them apart', () => {
    fc.assert(
      fc.property(pairs, ({ keys, expected, live }) => {
        const result = compare(expected, live);
        fc.pre(result.equivalent);

        expect(witnesses(shape, expected, live, keys)).toEqual({
          widened: undefined,
          narrowed: undefined,
        });
      }),
      { numRuns: RUNS },
    );
  });
});
