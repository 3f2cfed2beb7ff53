/**
 * `connector-guard validate`: runs the install validator's rules on a parameters file before
 * anyone deploys, offline by default and with IAM's answers under `--live`. Exits 0 when the
 * parameters are valid (warnings allowed), 1 when they are not (listing every problem), 2 when
 * the input cannot be read.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import bundledTemplate from '../../template/connector.yaml';
import { IamAdapter } from '../engine/aws/iam';
import { ConnectorGuardError, InputError } from '../engine/errors';
import { registerSecret, scrubText } from '../engine/log';
import { REGION_NAME } from '../engine/partitions';
import { parseTemplate } from '../engine/template';
import {
  noEchoParameters,
  type Problem,
  secretsToMask,
  shown,
  type ValidationReport,
  validateInstall,
} from '../engine/validate';
import { type CliIo, EXIT, usageError } from './io';
import { colorWanted } from './terminal';
import { parameterFileValues } from './validate-params';

const USAGE = `Usage:
  connector-guard validate --params FILE [--template FILE] [--account ID] [--region R]
                           [--stack-name N] [--live] [--format text|json]

Checks installation parameters with the same rules the install-validator custom resource
applies, and lists every problem at once with the parameter, the rule and the fix.

  --params FILE      CloudFormation's [{"ParameterKey","ParameterValue"}] list or a plain map
                     of parameter names to values (JSON)
  --template FILE    the connector template (template/connector.yaml when it exists here,
                     otherwise the template this CLI was built with); give the packaged
                     dist/template.yaml to check the code location it sets too (without it,
                     CodeBucketPrefix and CodeKeyPrefix are left to packaging unless given)
  --account ID       the account you will install in; enables the "not this account" rule
  --region R         the region you will install in, such as eu-west-1 (AWS_REGION by
                     default); gives the code bucket's exact name and the partition ARNs must
                     be in
  --stack-name N     the stack name, for names the template builds from it
  --live             also ask IAM (default credentials, AWS_ENDPOINT_URL honoured): the global
                     policies and boundary exist and can be attached, the boundary leaves the
                     connector's roles what they need, no role already has a name the stack uses
                     (as for a first install: a deployed stack's own roles count as taken)
  --format text|json text by default (colour only on a terminal, and never when NO_COLOR is
                     set)
  -h, --help         this help

Exit codes: 0 valid (warnings allowed); 1 invalid; 2 the input cannot be read.
JSON: {"valid", "errors": [{"parameter", "rule", "message"}], "warnings": [...],
       "notChecked": [{"parameter", "reason"}]} (notChecked: what was left to packaging).
`;

const OPTIONS = {
  params: { type: 'string' },
  template: { type: 'string' },
  account: { type: 'string' },
  region: { type: 'string' },
  'stack-name': { type: 'string' },
  live: { type: 'boolean', default: false },
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['text', 'json'] as const;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const DEFAULT_TEMPLATE = 'template/connector.yaml';

type Values = ReturnType<typeof parse>['values'];

/** A flag's value that cannot be used; answered with the usage's synopsis. */
class FlagError extends InputError {}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
}

export async function run(args: string[], io: CliIo): Promise<number> {
  let values: Values;
  try {
    values = parse(args).values;
  } catch (error) {
    io.stderr(usageError('validate', argumentMessage(error), USAGE));
    return EXIT.badInput;
  }
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }

  try {
    const format = values.format;
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new FlagError(
        `--format: expected one of ${FORMATS.join(', ')}, received ${shown(format)}.`,
      );
    }
    if (values.params === undefined) throw new FlagError('--params FILE is required.');
    if (values.account !== undefined && !/^\d{12}$/.test(values.account)) {
      throw new FlagError(
        `--account: expected a 12-digit account ID, received ${shown(values.account)}.`,
      );
    }
    const region = regionOf(values.region, io.env);
    const stackName = values['stack-name'];
    if (stackName !== undefined && !STACK_NAME.test(stackName)) {
      throw new FlagError(
        '--stack-name: expected a CloudFormation stack name (a letter, then up to 127 letters, ' +
          `digits and hyphens), received ${shown(stackName)}.`,
      );
    }

    const template = await loadTemplate(values.template, io);
    const body = await readText(values.params, '--params', io);
    const input = parameterFileValues(body, values.params, {
      secretParameters: noEchoParameters(template.document),
    });
    for (const secret of secretsToMask(input, template.document)) registerSecret(secret);
    const { report, leftToPackaging } = await validateInstall(input, {
      template: template.document,
      operation: 'check',
      accountId: values.account,
      region,
      stackName,
      iam: values.live ? IamAdapter.create({ region }) : undefined,
    });

    const out =
      format === 'json'
        ? `${JSON.stringify(jsonReport(report, leftToPackaging), null, 2)}\n`
        : text(
            report,
            { source: template.source, live: values.live, leftToPackaging },
            colorWanted(io),
          );
    io.stdout(out);
    return report.valid ? EXIT.ok : EXIT.found;
  } catch (error) {
    const message = scrubText(messageOf(error));
    io.stderr(error instanceof FlagError ? usageError('validate', message, USAGE) : `${message}\n`);
    return EXIT.badInput;
  }
}

/**
 * The region from --region, else AWS_REGION or AWS_DEFAULT_REGION; undefined when none. A name
 * not shaped as AWS names regions is refused, naming where it came from, so that a typo does not
 * pass for a region (and give a bucket name that cannot exist).
 */
function regionOf(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const [source, region] =
    flag !== undefined
      ? ['--region', flag]
      : env.AWS_REGION
        ? ['AWS_REGION', env.AWS_REGION]
        : ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION || undefined];
  if (region === undefined || REGION_NAME.test(region)) return region;
  const message =
    `${source}: expected a region name as AWS writes them, an area, a compass direction and a ` +
    `number (such as eu-west-1 or us-gov-east-1), received ${shown(region)}.`;
  throw flag !== undefined ? new FlagError(message) : new InputError(message);
}

async function loadTemplate(path: string | undefined, io: CliIo) {
  const local = resolve(io.cwd, DEFAULT_TEMPLATE);
  if (path === undefined && !existsSync(local)) {
    return {
      source: 'the template built into this CLI',
      document: parseTemplate(bundledTemplate, 'built-in template'),
    };
  }
  const file = path ?? DEFAULT_TEMPLATE;
  const body = await readText(file, '--template', io);
  return { source: file, document: parseTemplate(body, file) };
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
          ? 'a directory'
          : String(code ?? error);
    throw new InputError(`${flag} ${path}: expected a readable file, received ${why}.`, {
      cause: error,
    });
  }
}

/**
 * What `parseArgs` said was wrong, without its error's name and code. Its errors are Node's own,
 * which are not `instanceof Error` where the caller runs in another realm (a test's), so the
 * message is read as a property.
 */
function argumentMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function messageOf(error: unknown): string {
  if (error instanceof ConnectorGuardError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** How the report was made, for its first lines. */
interface Checked {
  source: string;
  live: boolean;
  leftToPackaging: string[];
}

function text(report: ValidationReport, checked: Checked, color: boolean): string {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const scope = checked.live
    ? 'offline rules and live IAM checks'
    : 'offline rules only; --live also asks IAM about the global policies, the boundary and ' +
      'the names the stack creates';
  const lines = [`Validated against ${checked.source} (${scope}).`];
  if (checked.leftToPackaging.length > 0) lines.push(packagingNote(checked.leftToPackaging));
  lines.push('');
  const block = (label: string, code: number, problem: Problem) => {
    lines.push(`${paint(code, label)} ${problem.parameter ?? '(stack)'} [${problem.rule}]`);
    lines.push(`  ${problem.message}`);
  };
  for (const problem of report.errors) block('ERROR', 31, problem);
  for (const problem of report.warnings) block('WARN ', 33, problem);
  if (report.errors.length + report.warnings.length > 0) lines.push('');

  const warnings = count(report.warnings.length, 'warning');
  if (report.valid) {
    lines.push(paint(32, report.warnings.length > 0 ? `Valid, with ${warnings}.` : 'Valid.'));
  } else {
    const also = report.warnings.length > 0 ? ` and ${warnings}` : '';
    const errors = count(report.errors.length, 'error');
    lines.push(paint(31, `Invalid: ${errors}${also}. Fix the errors and run again.`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The report as `--format json` prints it: the validation's own, and `notChecked`, the
 * parameters left to packaging with why, so a pipeline can tell that a pass did not cover them.
 */
function jsonReport(report: ValidationReport, leftToPackaging: string[]) {
  const reason =
    'packaging sets it; check the packaged template you deploy (--template dist/template.yaml)';
  return {
    valid: report.valid,
    errors: report.errors,
    warnings: report.warnings,
    notChecked: leftToPackaging.map((parameter) => ({ parameter, reason })),
  };
}

/** Says which code-location parameters were left to packaging, and how to check them. */
function packagingNote(names: string[]): string {
  const [verb, them] = names.length === 1 ? ['was', 'it'] : ['were', 'them'];
  return (
    `${names.join(' and ')} ${verb} not checked: packaging sets ${them}. To check ${them} too, ` +
    'pass --template with the packaged template you deploy (npm run package writes ' +
    'dist/template.yaml).'
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
