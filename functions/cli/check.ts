/**
 * `connector-guard check`: compares a stack with its template, live (`--stack`) or offline from
 * files (`--template --params --snapshot`), prints the report and exits 0 (in line), 1 (drift
 * at or above `--fail-on`), 2 (bad input, or the check could not run) or 3 (no drift, but
 * something could not be checked).
 */
import { parseArgs } from 'node:util';
import { CloudFormationAdapter } from '../engine/aws/cloudformation';
import { IamAdapter } from '../engine/aws/iam';
import {
  type CheckReport,
  checkOffline,
  exitCodeFor,
  formatReport,
  parseParameters,
  REPORT_FORMATS,
  type ReportFormat,
  runCheck,
  SEVERITIES,
  type Severity,
} from '../engine/drift';
import { ConnectorGuardError, InputError } from '../engine/errors';
import { scrubText } from '../engine/log';
import { type InputFile, readInputs } from './input-files';
import { type CliIo, EXIT, usageError } from './io';
import { colorWanted, stderrLog } from './terminal';

const USAGE = `Usage:
  connector-guard check --stack NAME [--region R] [--params FILE] [options]
  connector-guard check --template FILE --params FILE --snapshot FILE
                        [--roles FILE] [--resources FILE] [--exports FILE]
                        [--stack-name N] [--account ID] [--region R] [options]

Live, the stack's processed template, parameters and resources are read from CloudFormation
and its roles from IAM, with the default AWS credential chain (AWS_ENDPOINT_URL is honoured).
--params is optional there: it supplies the clear external ID, so the trust condition can be
compared by digest (the value is never printed).

--external-id-sha256 HEX (live or offline) gives the external ID's SHA-256 instead, as the
drift guard holds it (its EXTERNAL_ID_SHA256): the trust condition is compared by it, and the
external ID is masked wherever live IAM holds it. Without it or a clear --params value, an
external ID outside sts:ExternalId cannot be recognised in the report.

Offline, --snapshot is 'aws iam get-account-authorization-details' output, --params is
CloudFormation's [{"ParameterKey","ParameterValue"}] list or a plain map, --roles is
'aws iam list-roles' output (the roles' maximum session duration, which the export lacks;
without it that setting is not checked and the check exits 3 at best), --resources is
'aws cloudformation describe-stack-resources' output (needed for generated role names and
re-created roles) and --exports is 'aws cloudformation list-exports' output. The stack's name,
account and region come from --resources (its stack ID); without it, give --stack-name and
--region (or set AWS_REGION); the account is also read from the export's ARNs.

Options:
  --format text|json|markdown   output format (text by default; colour only on a terminal,
                                and never when NO_COLOR is set)
  --fail-on LOW|MEDIUM|HIGH|CRITICAL
                                lowest severity of drift that exits 1 (LOW by default)
  --read-mode auto|per-role|account
                                how to read IAM live (auto: whichever costs fewer calls); when
                                the account-wide read is refused, the roles are read one by
                                one instead, and a note on stderr says so
  -h, --help                    this help

Remediation commands are for bash or zsh. One that needs a secret first reads it into a shell
variable with 'read -rs' (type it; it is not shown); one holding a value the check cannot know
is commented out, with what to fill in.

Exit codes: 0 in line with the template; 1 drift at or above --fail-on; 2 bad input or the
check could not run; 3 no drift, but something could not be checked.
`;

const OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  template: { type: 'string' },
  params: { type: 'string' },
  snapshot: { type: 'string' },
  roles: { type: 'string' },
  resources: { type: 'string' },
  exports: { type: 'string' },
  'stack-name': { type: 'string' },
  account: { type: 'string' },
  format: { type: 'string', default: 'text' },
  'fail-on': { type: 'string', default: 'LOW' },
  'read-mode': { type: 'string', default: 'auto' },
  'external-id-sha256': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
}

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: Values;
  try {
    values = parse(args).values;
  } catch (error) {
    // Read structurally: parseArgs' errors may come from another realm (under Jest's VM).
    const message = (error as { message?: unknown } | null)?.message;
    io.stderr(usageError('check', typeof message === 'string' ? message : String(error), USAGE));
    return EXIT.badInput;
  }
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }

  try {
    const format = choice(values.format, REPORT_FORMATS, '--format') as ReportFormat;
    const failOn = choice(values['fail-on'].toUpperCase(), SEVERITIES, '--fail-on') as Severity;
    const report = values.stack !== undefined ? await live(values, io) : await offline(values, io);
    io.stdout(formatReport(report, format, { color: format === 'text' && colorWanted(io) }));
    return exitCodeFor(report, failOn);
  } catch (error) {
    io.stderr(`${scrubText(messageOf(error))}\n`);
    return EXIT.badInput;
  }
}

async function live(values: Values, io: CliIo): Promise<CheckReport> {
  const offlineOnly = [
    'template',
    'snapshot',
    'roles',
    'resources',
    'exports',
    'stack-name',
    'account',
  ];
  const mixed = offlineOnly.filter((k) => values[k as keyof Values] !== undefined);
  if (mixed.length > 0) {
    throw new InputError(
      `--stack checks a deployed stack live and cannot be combined with ` +
        `${mixed.map((k) => `--${k}`).join(', ')}, which are for an offline check.`,
    );
  }
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new InputError(
      "--region: a live check needs the stack's region; pass --region or set AWS_REGION.",
    );
  }
  const readMode = choice(values['read-mode'], ['auto', 'per-role', 'account'], '--read-mode');
  const params =
    values.params === undefined
      ? undefined
      : (await readInputs([paramsFile(values.params)], io.cwd))[0];
  return runCheck(
    {
      iam: IamAdapter.create({ region }),
      cloudformation: CloudFormationAdapter.create({ region }),
      log: stderrLog(io),
    },
    {
      stack: values.stack as string,
      externalIdSha256: digestOf(values),
      secretValues: params === undefined ? undefined : clearValues(params, values.params),
      secretValuesSource: values.params === undefined ? undefined : `--params ${values.params}`,
      readMode: readMode as 'auto' | 'per-role' | 'account',
    },
  );
}

async function offline(values: Values, io: CliIo): Promise<CheckReport> {
  const missing = ['template', 'params', 'snapshot'].filter(
    (k) => values[k as keyof Values] === undefined,
  );
  if (missing.length > 0) {
    throw new InputError(
      `Missing ${missing.map((k) => `--${k}`).join(', ')}: give --stack NAME for a live ` +
        'check, or --template, --params and --snapshot for an offline one.',
    );
  }
  const files: (InputFile & { key: string })[] = [
    { key: 'template', flag: '--template', path: values.template as string, json: false },
    { key: 'params', ...paramsFile(values.params as string) },
    { key: 'snapshot', flag: '--snapshot', path: values.snapshot as string, json: true },
  ];
  for (const key of ['roles', 'resources', 'exports'] as const) {
    const path = values[key];
    if (path !== undefined) files.push({ key, flag: `--${key}`, path, json: true });
  }
  const contents = await readInputs(files, io.cwd);
  const read = (key: string) => contents[files.findIndex((f) => f.key === key)];
  if (digestOf(values) === undefined) noteMaskedValues(read('params'), io);
  const source = (key: string) => {
    const file = files.find((f) => f.key === key);
    return file === undefined ? undefined : `${file.flag} ${file.path}`;
  };

  return checkOffline({
    templateText: read('template') as string,
    parameters: read('params'),
    snapshot: read('snapshot'),
    roles: read('roles'),
    resources: read('resources'),
    exports: read('exports'),
    stackName: values['stack-name'],
    externalIdSha256: digestOf(values),
    account: values.account,
    region: values.region,
    defaultRegion: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined,
    sources: {
      template: source('template'),
      parameters: source('params'),
      snapshot: source('snapshot'),
      roles: source('roles'),
      resources: source('resources'),
      exports: source('exports'),
    },
  });
}

/**
 * A parameters file as CloudFormation shows it gives NoEcho values as `****`. The check then
 * compares them as unknown and cannot recognise them anywhere else in live IAM, so it says so:
 * the report may then quote such a value where live IAM holds it under another key.
 */
function noteMaskedValues(params: unknown, io: CliIo): void {
  let names: string[];
  try {
    const values = parseParameters(params, '--params');
    names = Object.keys(values).filter((k) => /^\*+$/.test(String(values[k])));
  } catch {
    return;
  }
  if (names.length === 0) return;
  io.stderr(
    `Note: --params gives ${names.join(', ')} as ****, so ${names.length > 1 ? 'their values are' : 'its value is'} ` +
      'compared as unknown and not recognised where live IAM holds it elsewhere (a misspelt ' +
      'condition key, a tag): the report may quote it there. Give the clear value in --params, ' +
      'or --external-id-sha256 HEX, to mask it everywhere.\n',
  );
}

/** `--params`: JSON, and a map of it may name each parameter only once. */
function paramsFile(path: string): InputFile {
  return { flag: '--params', path, json: true, uniqueKeys: 'parameter' };
}

/**
 * The clear values of a parameters file, read as an offline check reads it (an entry given
 * twice, or a key the template does not declare such as `__proto__`, is refused); every one is
 * treated as possibly secret.
 */
function clearValues(input: unknown, path: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(parseParameters(input, `--params ${path}`))) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** `--external-id-sha256`, checked; never quoted, in case the secret itself was pasted. */
function digestOf(values: Values): string | undefined {
  const digest = values['external-id-sha256'];
  if (digest === undefined || /^[0-9a-fA-F]{64}$/.test(digest)) return digest?.toLowerCase();
  throw new InputError(
    "--external-id-sha256: expected the 64 hex digits of the external ID's SHA-256 (the drift " +
      `guard's EXTERNAL_ID_SHA256), received ${digest.length} characters that are not that.`,
  );
}

function choice<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}".`);
}

function messageOf(error: unknown): string {
  if (error instanceof ConnectorGuardError) return error.message;
  if (error instanceof Error) {
    return `The check could not run: ${error.name}: ${error.message}`;
  }
  return `The check could not run: ${String(error)}`;
}
