/**
 * The admin-equivalence judgement (drift/admin.ts) of one document, on documents written to
 * make it slow, each within IAM's 6,144 characters for a managed policy or 10,240 for a role's
 * inline policies. For each it times, in one run, `judgeAdmin` (what the drift guard runs for
 * every grant it weighs, and the install validator for every global policy) and a plain
 * `comparePolicies` of the document with itself, and reports the median of each, their ratio,
 * and the judgement: admin-equivalent or not, and whether its budget of steps ran out.
 *
 * Shapes: four statements of 80 actions by 40 bucket patterns with no escalation action (a
 * judgement reads none of them), the same with one `iam:PassRole` on `*` added, the same with
 * IAM wildcard actions on 30 role patterns (the judgement's budget runs out), and IAM actions
 * on 100 named roles with 30 role patterns (judged in full, not admin-equivalent). The
 * benchmark fails when a judgement differs from the one stated for its shape.
 *
 * Usage: node scripts/bench/privilege.mjs [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle, medianMs, runsOption } from '../bench-support.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = runsOption(7);

function bundle(outdir) {
  return loadBundle(outdir, 'admin', {
    stdin: {
      contents:
        `export { judgeAdmin } from '${join(ROOT, 'functions/engine/drift/admin')}';\n` +
        `export { comparePolicies } from '${join(ROOT, 'functions/engine/policy')}';\n`,
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: join(outdir, 'entry.ts'),
    },
  });
}

const IAM = 'arn:aws:iam::123456789012';
const SCOPE = {
  account: '123456789012',
  partition: 'aws',
  holders: Array.from({ length: 10 }, (_, i) => `${IAM}:role/acme-connector-${i}`),
};
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const doc = (Statement) => ({ Version: '2012-10-17', Statement });
const grid = (action, resource, resources = 40) =>
  range(4, (s) => ({
    Effect: 'Allow',
    Action: range(80, (i) => action(s, i)),
    Resource: range(resources, (i) => resource(i)),
  }));
const letters = (s, i) => `${String.fromCharCode(97 + s)}:b${i}`;
const bucket = (i) => `arn:aws:s3:::${i}*`;
const escalations = ['iam:PassRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:Put*'];

/** [shape, document, admin-equivalent, budget ran out] */
const SHAPES = [
  ['80 x 40 x 4, no escalation', doc(grid(letters, bucket)), false, false],
  [
    'the same, with PassRole on *',
    doc([...grid(letters, bucket), { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }]),
    true,
    false,
  ],
  [
    'IAM wildcards x 30 roles x 4',
    doc(
      grid(
        (s, i) => `iam:${'?'.repeat(s)}*${'?'.repeat(i % 8)}*`,
        (i) => `${IAM}:role/x${i}*`,
        30,
      ),
    ),
    true,
    true,
  ],
  [
    'IAM actions on 130 roles',
    doc([
      { Effect: 'Allow', Action: escalations, Resource: range(100, (i) => `${IAM}:role/a-${i}`) },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: range(30, (i) => `${IAM}:role/s/*${i}`),
      },
    ]),
    false,
    false,
  ],
];

const median = (fn) => medianMs(RUNS, fn);

const outdir = mkdtempSync(join(tmpdir(), 'bench-admin-'));
try {
  const core = await bundle(outdir);
  console.log(
    'admin-equivalence judgement of one document: median ms (ratio to a plain compare)\n',
  );
  console.log('shape                            bytes  compare  judgeAdmin (ratio)  judged');
  for (const [name, document, admin, outOfSteps] of SHAPES) {
    const bytes = JSON.stringify(document).length;
    if (bytes > 10_240) throw new Error(`${name}: ${bytes} bytes, over IAM's limit`);
    const judged = core.judgeAdmin(document, undefined, SCOPE);
    const ranOut = judged.note?.includes('steps, its limit') === true;
    if (judged.admin !== admin || ranOut !== outOfSteps) {
      throw new Error(`${name}: judged ${JSON.stringify(judged)}`);
    }
    const compare = median(() => core.comparePolicies(document, document));
    const judge = median(() => core.judgeAdmin(document, undefined, SCOPE));
    const ratio = `${(judge / compare).toFixed(2)}x`;
    const verdict = `${admin ? 'admin' : 'not admin'}${ranOut ? ', out of steps' : ''}`;
    console.log(
      `${name.padEnd(31)} ${String(bytes).padStart(6)} ${compare.toFixed(1).padStart(8)}` +
        ` ${judge.toFixed(1).padStart(11)} (${ratio.padStart(6)})  ${verdict}`,
    );
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
