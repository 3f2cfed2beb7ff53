/**
 * The drift-guard Lambda. `{"action": "check"}` (the schedule) checks the stack and notifies;
 * `{"action": "self-check", "notify": false}` checks and returns the report, the same JSON as
 * the CLI's `check --format json` (with `"notify": true` it also notifies, and the report gains
 * a `notification` member saying what was sent). A failed check or publish raises, so Lambda's
 * retries and on-failure destination apply.
 */
import type { Context } from 'aws-lambda';
import { formatReport } from '../engine/drift/format';
import { SecretDigests } from '../engine/drift/redact';
import { type RunDeps, type RunOutcome, runDriftGuard } from '../engine/drift/run';
import type { CheckReport } from '../engine/drift/types';
import { createLogger, type Log, scrubText } from '../engine/log';
import { type DriftGuardConfig, readConfig } from './config';
import { createRunDeps } from './deps';
import { parseEvent } from './event';

/**
 * Kept past the function's remaining time, so a lease outlives the run that holds it (Lambda
 * stops the run at its timeout). An attempt that timed out leaves its lease for this long;
 * Lambda's first retry comes a minute later and finds it expired.
 */
const LEASE_MARGIN_MS = 30_000;
/** The lease length when the remaining time is unknown: Lambda's longest run. */
const DEFAULT_LEASE_MS = 15 * 60_000;

export interface Services {
  env: NodeJS.ProcessEnv;
  log: Log & { powertools?: { addContext(context: Context): void } };
  deps: (config: DriftGuardConfig, log: Log) => RunDeps;
}

let services: Services | undefined;

function defaultServices(): Services {
  services ??= { env: process.env, log: createLogger('drift-guard'), deps: createRunDeps };
  return services;
}

export async function handler(event: unknown, context: Context): Promise<unknown> {
  return handle(event, context, defaultServices());
}

/** The handler with its services given; tests call this. */
export async function handle(
  event: unknown,
  context: Partial<Context>,
  { env, log, deps }: Services,
): Promise<unknown> {
  if (context.awsRequestId !== undefined) log.powertools?.addContext(context as Context);
  try {
    const request = parseEvent(event);
    const config = readConfig(env);
    const notify = request.action === 'check' || request.notify;
    log.info('Run starting', { action: request.action, notify, stack: config.stackName });

    const outcome = await runDriftGuard(deps(config, log), {
      stackId: config.stackId,
      topicArn: config.topicArn,
      table: config.table,
      externalIdSha256: config.externalIdSha256,
      externalIdFoldedSha256: config.externalIdFoldedSha256,
      minimum: config.minimum,
      reminderHours: config.reminderHours,
      trigger: request.action === 'check' ? 'schedule' : 'self-check',
      notify,
      holder: context.awsRequestId ?? `local-${Date.now()}`,
      leaseMs: leaseLength(context),
      functionName: context.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME,
    });
    return request.action === 'check' ? summary(outcome) : selfCheckResponse(outcome, notify);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    // Lambda reports the message and the stack (which repeats the message) to the caller.
    const digests = new SecretDigests(
      { 'external-id': env.EXTERNAL_ID_SHA256 },
      { 'external-id': env.EXTERNAL_ID_FOLDED_SHA256 },
    );
    failure.message = digests.maskText(scrubText(failure.message));
    if (failure.stack !== undefined) failure.stack = digests.maskText(scrubText(failure.stack));
    log.error('Run failed', { error: failure });
    throw failure;
  }
}

function leaseLength(context: Partial<Context>): number {
  const remaining = context.getRemainingTimeInMillis?.();
  return remaining === undefined ? DEFAULT_LEASE_MS : remaining + LEASE_MARGIN_MS;
}

/** What a scheduled run returns (for on-success destinations and tests). */
function summary(outcome: RunOutcome) {
  return {
    status: outcome.status,
    runId: outcome.runId,
    stack: outcome.report?.stack ?? null,
    checkedAt: outcome.report?.checkedAt ?? null,
    findings: outcome.report?.findings.length ?? 0,
    notices: outcome.notices,
    messages: outcome.messages,
    held: outcome.held,
    unconfirmed: outcome.unconfirmed,
    leaseHeldBy: leaseText(outcome),
  };
}

/**
 * The report exactly as `check --format json` prints it, plus what was sent when notifying.
 * Lambda returns at most 6 MB from a synchronous invocation; a report larger than that (far
 * beyond a connector stack: thousands of findings with their documents) makes the invocation
 * fail with Lambda's response-size error, and the CLI's `check --stack` is the way to read it.
 */
function selfCheckResponse(outcome: RunOutcome, notify: boolean): unknown {
  const report = JSON.parse(formatReport(outcome.report as CheckReport, 'json')) as CheckReport;
  if (!notify) return report;
  return {
    ...report,
    notification: {
      status: outcome.status,
      runId: outcome.runId,
      messages: outcome.messages,
      notices: outcome.notices,
      held: outcome.held,
      leaseHeldBy: leaseText(outcome),
    },
  };
}

function leaseText(outcome: RunOutcome) {
  const held = outcome.leaseHeldBy;
  if (held === null) return null;
  return { holder: held.holder, purpose: held.purpose, expiresAt: held.expiresAt.toISOString() };
}
