/**
 * `connector-guard self-check`: runs the drift guard where it is deployed, in the customer's
 * account with its own role, and prints the report it returns, with the same formats and exit
 * codes as `check`. The function is found among the stack's resources (`DriftGuardFunction`);
 * `--notify` also has it publish what changed, as a scheduled run would.
 */
import { parseArgs } from 'node:util';
import { CloudFormationAdapter } from '../engine/aws/cloudformation';
import { LambdaAdapter } from '../engine/aws/lambda';
import {
  type CheckReport,
  exitCodeFor,
  formatReport,
  REPORT_FORMATS,
  type ReportFormat,
  SEVERITIES,
  type Severity,
} from '../engine/drift';
import { ConnectorGuardError, InputError } from '../engine/errors';
import { scrubText } from '../engine/log';
import { type CliIo, EXIT, usageError } from './io';
import { colorWanted } from './terminal';

/** The drift guard's logical ID in the connector template. */
export const DRIFT_GUARD_LOGICAL_ID = 'DriftGuardFunction';

const USAGE = `Usage:
  connector-guard self-check --stack NAME [--region R] [--notify] [options]
  connector-guard self-check --function NAME [--region R] [--notify] [options]

Invokes the stack's deployed drift-guard function (resource ${DRIFT_GUARD_LOGICAL_ID}) with
{"action": "self-check"} and prints the report it returns. The check runs in the account with
the function's own role. With the default AWS credential chain, this command needs
lambda:InvokeFunction on the function and, to find it (not with --function),
cloudformation:ListStackResources on the stack.

Without --notify nothing is sent and no state changes. With --notify the function also
publishes what changed since the last run; if a scheduled run is under way at that moment, the
report still comes back and nothing is sent (that run covers it).

The invocation waits as long as the function may run (15 minutes). It is retried only when
Lambda throttled it or the connection was refused or never opened, never after it was sent:
a timeout or a dropped connection then is reported, not retried, as the function may still be
running.

Options:
  --notify                      also publish new, changed and resolved findings
  --stack NAME                  the connector stack, whose drift guard is found among its
                                resources
  --function NAME               invoke this function (name or ARN) instead: --stack is then
                                not needed, nor ListStackResources
  --region R                    the region of the stack and the function (AWS_REGION by
                                default)
  --format text|json|markdown   output format (text by default; colour only on a terminal,
                                and never when NO_COLOR is set)
  --fail-on LOW|MEDIUM|HIGH|CRITICAL
                                lowest severity of drift that exits 1 (LOW by default)
  -h, --help                    this help

Exit codes: 0 in line with the template; 1 drift at or above --fail-on; 2 bad input or the
check could not run; 3 no drift, but something could not be checked.
`;

const OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  notify: { type: 'boolean', default: false },
  function: { type: 'string' },
  format: { type: 'string', default: 'text' },
  'fail-on': { type: 'string', default: 'LOW' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The AWS calls this command makes; tests pass their own. */
export interface SelfCheckClients {
  cloudformation: Pick<CloudFormationAdapter, 'listStackResources'>;
  lambda: Pick<LambdaAdapter, 'invoke'>;
}

/** The function's answer was not a report. */
export class SelfCheckError extends ConnectorGuardError {}

function defaultClients(region: string): SelfCheckClients {
  return {
    cloudformation: CloudFormationAdapter.create({ region }),
    lambda: LambdaAdapter.create({ region }),
  };
}

export async function run(
  args: string[],
  io: CliIo,
  clients: (region: string) => SelfCheckClients = defaultClients,
): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    values = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    // Read structurally: parseArgs' errors may come from another realm (under Jest's VM).
    const message = (error as { message?: unknown } | null)?.message;
    io.stderr(
      usageError('self-check', typeof message === 'string' ? message : String(error), USAGE),
    );
    return EXIT.badInput;
  }
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }

  try {
    const format = choice(values.format, REPORT_FORMATS, '--format') as ReportFormat;
    const failOn = choice(values['fail-on'].toUpperCase(), SEVERITIES, '--fail-on') as Severity;
    const named = values.function !== undefined && values.function !== '';
    if (!named && (values.stack === undefined || values.stack === '')) {
      throw new InputError(
        '--stack: expected the name of the connector stack (or --function with the ' +
          "drift guard's function name), received none.",
      );
    }
    const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === '') {
      throw new InputError(
        "--region: expected the stack's region; pass --region or set AWS_REGION.",
      );
    }

    const aws = clients(region);
    const functionName = named
      ? (values.function as string)
      : await driftGuardOf(aws, values.stack as string);
    const invocation = await aws.lambda
      .invoke(functionName, { action: 'self-check', notify: values.notify })
      .catch((error: unknown) => {
        throw isMissingFunction(error) ? functionNotFound(functionName, region, error) : error;
      });
    const { report, notification } = readAnswer(functionName, invocation);

    if (notification !== undefined) io.stderr(`${describeNotification(notification)}\n`);
    io.stdout(formatReport(report, format, { color: format === 'text' && colorWanted(io) }));
    return exitCodeFor(report, failOn);
  } catch (error) {
    io.stderr(`${scrubText(messageOf(error))}\n`);
    return EXIT.badInput;
  }
}

/** The physical name of the stack's drift-guard function. */
async function driftGuardOf(aws: SelfCheckClients, stack: string): Promise<string> {
  const resources = await aws.cloudformation.listStackResources(stack);
  const found = resources.find(
    (r) => r.logicalId === DRIFT_GUARD_LOGICAL_ID && r.type === 'AWS::Lambda::Function',
  );
  if (found === undefined || found.physicalId === '') {
    throw new InputError(
      `--stack ${stack}: expected a connector stack with an AWS::Lambda::Function ` +
        `${DRIFT_GUARD_LOGICAL_ID}, received a stack without one (${resources.length} resources); ` +
        'pass --function to name the function.',
    );
  }
  return found.physicalId;
}

interface Notification {
  status?: string;
  runId?: string | null;
  messages?: number;
  notices?: Record<string, number>;
  leaseHeldBy?: { holder: string; purpose: string; expiresAt: string } | null;
}

function readAnswer(
  functionName: string,
  invocation: Awaited<ReturnType<LambdaAdapter['invoke']>>,
): { report: CheckReport; notification?: Notification } {
  if (invocation.functionError !== null) {
    const failure = invocation.payload as { errorType?: string; errorMessage?: string } | null;
    const what = [failure?.errorType, failure?.errorMessage].filter(Boolean).join(': ');
    throw new SelfCheckError(
      `The drift-guard function ${functionName} failed: ${what || String(invocation.payload)}`,
    );
  }
  const payload = invocation.payload as (CheckReport & { notification?: Notification }) | null;
  const isReport =
    payload !== null &&
    typeof payload === 'object' &&
    typeof payload.stack === 'string' &&
    Array.isArray(payload.findings) &&
    typeof payload.coverage === 'object';
  if (!isReport) {
    const shown = JSON.stringify(invocation.payload)?.slice(0, 200);
    throw new SelfCheckError(
      `The drift-guard function ${functionName} answered with something other than a report: ${shown}`,
    );
  }
  const { notification, ...report } = payload;
  return { report, notification };
}

function describeNotification(n: Notification): string {
  if (n.leaseHeldBy) {
    return (
      `Nothing was sent: another run (${n.leaseHeldBy.purpose}) held the lease until ` +
      `${n.leaseHeldBy.expiresAt}; it reports the same drift.`
    );
  }
  if (n.status !== 'notified') return 'Nothing was sent: nothing changed since the last run.';
  const counts = Object.entries(n.notices ?? {})
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  return `Sent ${n.messages} message(s) under run ${n.runId}: ${counts}.`;
}

function isMissingFunction(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ResourceNotFoundException';
}

function functionNotFound(name: string, region: string, cause: unknown): InputError {
  return new InputError(
    `Function "${name}": expected a Lambda function in region ${region} of the account of the ` +
      'credentials used, and Invoke found none there (a function is found only in its own ' +
      'region; pass --region).',
    { cause },
  );
}

function choice<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}".`);
}

function messageOf(error: unknown): string {
  if (error instanceof ConnectorGuardError) return error.message;
  if (error instanceof Error)
    return `The self-check could not run: ${error.name}: ${error.message}`;
  return `The self-check could not run: ${String(error)}`;
}
