/**
 * `connector-guard check`: compares a stack with its template, live (`--stack`) or offline from
 * files (`--template --params --snapshot`), prints the report and exits 0 (in line), 1 (drift
 * at or above `--fail-on`), 2 (bad input, or the check could not run) or 3 (no drift, but
 * something could not be checked).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationAdapter } from '../engine/aws/cloudformation';
import { IamAdapter } from '../engine/aws/iam';
import {
  type CheckReport,
  checkOffline,
  exitCodeFor,
  formatReport,
  REPORT_FORMATS,
  type ReportFormat,
  runCheck,
  SEVERITIES,
  type Severity,
} from '../engine/drift';
import { ConnectorGuardError, InputError } from '../engine/errors';
import { scrubText } from '../engine/log';
import { type CliIo, EXIT } from './io';

const USAGE = `Usage:
  connector-guard check --stack NAME [--region R] [--params FILE] [options]
  connector-guard check --template FILE --params FILE --snapshot FILE
                        [--resources FILE] [--exports FILE] [--stack-name N]
                        [--account ID] [--region R] [options]

Live, the stack's processed template, parameters and resources are read from CloudFormation
and its roles from IAM, with the default AWS credential chain (AWS_ENDPOINT_URL is honoured).
--params is optional there: it supplies the clear external ID, so the trust condition can be
compared by digest (the value is never printed).

Offline, --snapshot is 'aws iam get-account-authorization-details' output, --params is
CloudFormation's [{"ParameterKey","ParameterValue"}] list or a plain map, --resources is
'aws cloudformation describe-stack-resources' output (needed for generated role names and
re-created roles) and --exports is 'aws cloudformation list-exports' output. The stack's name,
account and region come from --resources (its stack ID); without it, give --stack-name and
--region (or set AWS_REGION); the account is also read from the export's ARNs.

Options:
  --format text|json|markdown   output format (text by default; colour only on a terminal)
  --fail-on LOW|MEDIUM|HIGH|CRITICAL
                                lowest severity of drift that exits 1 (LOW by default)
  --read-mode auto|per-role|account
                                how to read IAM live (auto: whichever costs fewer calls)
  -h, --help                    this help

Exit codes: 0 in line with the template; 1 drift at or above --fail-on; 2 bad input or the
check could not run; 3 no drift, but something could not be checked.
`;

const OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  template: { type: 'string' },
  params: { type: 'string' },
  snapshot: { type: 'string' },
  resources: { type: 'string' },
  exports: { type: 'string' },
  'stack-name': { type: 'string' },
  account: { type: 'string' },
  format: { type: 'string', default: 'text' },
  'fail-on': { type: 'string', default: 'LOW' },
  'read-mode': { type: 'string', default: 'auto' },
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
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
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
    io.stdout(formatReport(report, format, { color: io.isTty && format === 'text' }));
    return exitCodeFor(report, failOn);
  } catch (error) {
    io.stderr(`${scrubText(messageOf(error))}\n`);
    return EXIT.badInput;
  }
}

async function live(values: Values, io: CliIo): Promise<CheckReport> {
  const offlineOnly = ['template', 'snapshot', 'resources', 'exports', 'stack-name', 'account'];
  const mixed = offlineOnly.filter((k) => values[k as keyof Values] !== undefined);
  if (mixed.length > 0) {
    throw new InputError(
      `--stack checks a deployed stack live and cannot be combined with ${mixed.map((k) => `--${k}`).join(', ')}, which are for an offline check.`,
    );
  }
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new InputError(
      "--region: a live check needs the stack's region; pass --region or set AWS_REGION.",
    );
  }
  const readMode = choice(values['read-mode'], ['auto', 'per-role', 'account'], '--read-mode');
  const secretValues =
    values.params === undefined ? undefined : await clearValues(values.params, io);
  return runCheck(
    {
      iam: IamAdapter.create({ region }),
      cloudformation: CloudFormationAdapter.create({ region }),
    },
    {
      stack: values.stack as string,
      secretValues,
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
      `Missing ${missing.map((k) => `--${k}`).join(', ')}: give --stack NAME for a live check, or --template, --params and --snapshot for an offline one.`,
    );
  }
  const templatePath = values.template as string;
  const [templateText, parameters, snapshot, resources, exports] = await Promise.all([
    readText(templatePath, '--template', io),
    readJson(values.params as string, '--params', io),
    readJson(values.snapshot as string, '--snapshot', io),
    values.resources === undefined ? undefined : readJson(values.resources, '--resources', io),
    values.exports === undefined ? undefined : readJson(values.exports, '--exports', io),
  ]);
  return checkOffline({
    templateText,
    parameters,
    snapshot,
    resources,
    exports,
    stackName: values['stack-name'],
    account: values.account,
    region: values.region,
    defaultRegion: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined,
    sources: {
      template: templatePath,
      parameters: values.params,
      snapshot: values.snapshot,
      resources: values.resources,
      exports: values.exports,
    },
  });
}

/** The clear values of a parameters file; every one is treated as possibly secret. */
async function clearValues(path: string, io: CliIo): Promise<Record<string, string>> {
  const input = await readJson(path, '--params', io);
  const list = Array.isArray(input) ? input : (input as { Parameters?: unknown })?.Parameters;
  const entries: [string, unknown][] = Array.isArray(list)
    ? list.map((e: { ParameterKey?: unknown; ParameterValue?: unknown }) => [
        String(e?.ParameterKey),
        e?.ParameterValue,
      ])
    : Object.entries((input ?? {}) as Record<string, unknown>);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

async function readText(path: string, flag: string, io: CliIo): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(code ?? error);
    throw new InputError(`${flag} ${path}: expected a readable file, received ${why}.`, {
      cause: error,
    });
  }
}

async function readJson(path: string, flag: string, io: CliIo): Promise<unknown> {
  const text = await readText(path, flag, io);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${flag} ${path}: expected JSON, received text that does not parse (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
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
