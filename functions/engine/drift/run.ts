/**
 * One run of the drift guard, as the Lambda makes it: take the lease, read the state, check the
 * stack, attribute the findings, publish what changed, then record it.
 *
 * Order matters for what a failure leaves behind. The state is written only after SNS accepted
 * every part of the notification, so a failed publish fails the run with the state untouched
 * and the retry sends everything again. Before publishing, the run id is put in the state's
 * outbox: a retry that sends the same notices reuses it, so a subscriber who got some parts
 * can drop the repeat. The one repeat possible after a successful publish comes from a state
 * write that failed; it too carries the same run id.
 */
import { randomUUID } from 'node:crypto';
import type { CloudTrailAdapter } from '../aws/cloudtrail';
import type { ItemStore } from '../aws/dynamodb';
import type { SnsAdapter } from '../aws/sns';
import { ConnectorGuardError, describeError } from '../errors';
import { type Log, scrubText } from '../log';
import { type AttributionTarget, attribute, DELIVERY_MARGIN_MS, HISTORY_MS } from './attribution';
import { Lease, type LeaseHolder } from './lease';
import { buildMessages } from './message';
import { type DeliveryPlan, type NoticeStatus, planDelivery, standingOf } from './notify';
import { SecretDigests } from './redact';
import { stackStatusNote } from './stack-status';
import { outboxFor, repeatsOutbox, StateStore, type StoredState } from './state';
import type { TrailHint } from './trail-hints';
import type { CheckReport, Finding, Severity } from './types';

/**
 * The name the last net gives the external ID it finds by digest. The check names it by its
 * parameter first; this one only stands in for what got past it.
 */
const NET_NAME = 'external-id';

/** Publishing a notification failed; the run changed no state and can be retried. */
export class PublishError extends ConnectorGuardError {}

/** What a run needs from the outside world; every AWS call goes through these. */
export interface RunDeps {
  /** The drift check of the stack (runCheck with its IAM and CloudFormation adapters). */
  check: (options: {
    stack: string;
    externalIdSha256?: string;
    externalIdFoldedSha256?: string;
  }) => Promise<CheckReport>;
  trail: Pick<CloudTrailAdapter, 'lookupByResourceName'>;
  sns: Pick<SnsAdapter, 'publish'>;
  db: ItemStore;
  /** What to look up in CloudTrail for a finding. */
  hints: (finding: Finding) => TrailHint;
  log: Log;
  now?: () => Date;
  newRunId?: () => string;
}

export interface RunOptions {
  stackId: string;
  topicArn: string;
  table: string;
  externalIdSha256?: string;
  /** The SHA-256 of the external ID lower-cased: a copy in other capitals is masked too. */
  externalIdFoldedSha256?: string;
  minimum: Severity;
  reminderHours: number;
  trigger: 'schedule' | 'self-check';
  /** Whether to notify and record state; a self-check without it only reports. */
  notify: boolean;
  /** Who asks for the lease (the invocation's request id). */
  holder: string;
  /** How long the lease lasts: longer than the run can take. */
  leaseMs: number;
  /** CloudTrail requests the run may make. */
  attributionBudget?: number;
  /** The function's own name, for the self-check command the notification shows. */
  functionName?: string;
}

export type RunStatus =
  | 'notified'
  | 'nothing-to-send'
  | 'reported'
  | 'skipped-busy-stack'
  | 'skipped-lease-held';

export interface RunOutcome {
  status: RunStatus;
  /** The report, with actors; null when the run did not check (the lease was held). */
  report: CheckReport | null;
  runId: string | null;
  messages: number;
  notices: Record<NoticeStatus, number>;
  /** New or changed findings below the alert minimum, recorded but not sent. */
  held: number;
  /** Earlier findings kept open because their resource could not be checked this time. */
  unconfirmed: number;
  /** Set when this run wanted to notify but another run held the lease. */
  leaseHeldBy: LeaseHolder | null;
}

/**
 * Runs one check and delivers it.
 *
 * - `trigger: 'schedule'` (always notifying): when another run holds the lease, returns
 *   `skipped-lease-held` without checking; that run covers the same drift.
 * - `trigger: 'self-check'` never waits on or takes over a lease another run holds: without
 *   `notify` it needs no lease and changes no state; with `notify` and the lease held, it still
 *   checks and returns the report, sends nothing, and says who holds the lease.
 */
export async function runDriftGuard(given: RunDeps, options: RunOptions): Promise<RunOutcome> {
  const guard = new SecretDigests(
    { [NET_NAME]: options.externalIdSha256 },
    { [NET_NAME]: options.externalIdFoldedSha256 },
  );
  const deps = { ...given, log: guard.guardLog(given.log) };
  const now = deps.now ?? (() => new Date());
  const lease = new Lease(deps.db, options.table, options.stackId, now);
  const store = new StateStore(deps.db, options.table, options.stackId, (v) => guard.mask(v));
  const outcome = emptyOutcome();

  let held: LeaseHolder | null = null;
  if (options.notify) {
    const taken = await lease.acquire(options.holder, options.trigger, options.leaseMs);
    if (taken.acquired) held = taken.lease;
    else {
      outcome.leaseHeldBy = taken.heldBy;
      deps.log.info('Another run holds the lease', { heldBy: taken.heldBy });
      if (options.trigger === 'schedule') return { ...outcome, status: 'skipped-lease-held' };
    }
  }

  try {
    const done = await checkAndDeliver(deps, options, store, held !== null, outcome, guard);
    return { ...done, report: done.report === null ? null : guard.mask(done.report) };
  } finally {
    if (held !== null) await releaseQuietly(lease, held, deps.log);
  }
}

async function checkAndDeliver(
  deps: RunDeps,
  options: RunOptions,
  store: StateStore,
  delivering: boolean,
  outcome: RunOutcome,
  guard: SecretDigests,
): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const state = await loadState(store, delivering, deps.log);
  const checkedFrom = now();
  const checked = await deps.check({
    stack: options.stackId,
    externalIdSha256: options.externalIdSha256,
    externalIdFoldedSha256: options.externalIdFoldedSha256,
  });
  const report = withoutRegisteredSecrets(checked);
  outcome.report = report;

  if (report.skipped !== undefined) {
    deps.log.info('Check skipped: the stack is being deployed or has nothing deployed', {
      stackStatus: report.skipped.stackStatus,
      reason: report.skipped.reason,
    });
    return { ...outcome, status: 'skipped-busy-stack' };
  }

  const windowStart = await attributeQuietly(deps, options, report, state, checkedFrom);
  if (!delivering) return { ...outcome, status: 'reported' };

  const plan = planDelivery(report, state, {
    minimum: options.minimum,
    reminderHours: options.reminderHours,
    now: checkedFrom,
    windowStart,
    attributeUntil: new Date(now().getTime() + DELIVERY_MARGIN_MS),
  });
  logNotices(deps.log, plan);
  if (plan.duplicates.length > 0) {
    deps.log.warn('Findings shared an id; only the first of each was delivered', {
      ids: plan.duplicates,
    });
  }
  outcome.held = plan.held.length;
  outcome.unconfirmed = plan.unconfirmed.length;
  for (const notice of plan.notices) outcome.notices[notice.status] += 1;

  const published =
    plan.notices.length > 0
      ? await publish(deps, options, store, { report, state, plan, guard })
      : null;
  const runId = published?.runId ?? null;
  outcome.messages = published?.messages ?? 0;
  await store.commit(plan.writes, {
    at: checkedFrom,
    runId,
    previous: state.check,
    outbox: state.outbox !== null,
  });

  deps.log.info('Run complete', {
    runId,
    notices: outcome.notices,
    messages: outcome.messages,
    held: outcome.held,
    unconfirmed: outcome.unconfirmed,
  });
  return { ...outcome, runId, status: runId === null ? 'nothing-to-send' : 'notified' };
}

/** Publishes every part; the run id is recorded first so that a retry reuses it. */
async function publish(
  deps: RunDeps,
  options: RunOptions,
  store: StateStore,
  { report, state, plan, guard }: Delivery,
): Promise<{ runId: string; messages: number }> {
  const now = deps.now ?? (() => new Date());
  const keys = plan.notices.map((n) => n.key);
  const earlier = state.outbox;
  const runId =
    earlier !== null && repeatsOutbox(earlier, keys, now()) ? earlier.runId : newRunId(deps);
  if (runId === earlier?.runId) deps.log.info('Sending again under the earlier run id', { runId });
  await store.putOutbox(outboxFor(runId, keys, now()));

  const built = buildMessages(plan.notices, {
    topicArn: options.topicArn,
    runId,
    stack: report.stack,
    account: report.account,
    region: report.region,
    checkedAt: report.checkedAt,
    trigger: options.trigger,
    functionName: options.functionName,
    stackStatus: stackStatusNote(report),
    coverage: {
      checked: report.coverage.checked.length,
      notChecked: report.coverage.notChecked.length,
    },
  });
  // A last net: findings from the state of earlier runs, too, leave without a secret.
  const messages = built.map((m) => guard.mask(m));
  for (const [index, message] of messages.entries()) {
    try {
      const messageId = await deps.sns.publish(message);
      deps.log.info('Notification published', {
        runId,
        part: index + 1,
        parts: messages.length,
        messageId,
        severity: message.attributes.severity,
      });
    } catch (error) {
      throw new PublishError(
        `Publishing part ${index + 1} of ${messages.length} to ${options.topicArn} failed ` +
          `(${describeError(error)}); no finding state was changed and the run can be retried.`,
        { cause: error, context: { runId, part: index + 1, parts: messages.length } },
      );
    }
  }
  return { runId, messages: messages.length };
}

/** What one publication sends, and the net every message passes through. */
interface Delivery {
  report: CheckReport;
  state: StoredState;
  plan: DeliveryPlan;
  guard: SecretDigests;
}

function newRunId(deps: RunDeps): string {
  return (deps.newRunId ?? randomUUID)();
}

/**
 * Reads the state. A notifying run cannot go on without it; a report-only self-check goes on
 * with what it has (attribution then searches from the start of CloudTrail's history).
 */
async function loadState(store: StateStore, delivering: boolean, log: Log): Promise<StoredState> {
  try {
    return await store.load();
  } catch (error) {
    if (delivering) throw error;
    log.warn('State could not be read; reporting without it', { error: describeError(error) });
    return { findings: new Map(), check: null, outbox: null };
  }
}

/** Attribution is best effort: whatever goes wrong in it leaves actors unknown, never the run. */
async function attributeQuietly(
  deps: RunDeps,
  options: RunOptions,
  report: CheckReport,
  state: StoredState,
  checkedFrom: Date,
): Promise<Date> {
  try {
    return await attributeFindings(deps, options, report, state, checkedFrom);
  } catch (error) {
    deps.log.warn('Attribution failed; findings go out without actors', {
      error: describeError(error),
    });
    return windowFor(state, (deps.now ?? (() => new Date()))());
  }
}

/** Where this run's CloudTrail window starts: the delivery margin before the last check. */
function windowFor(state: StoredState, end: Date): Date {
  const oldest = end.getTime() - HISTORY_MS + 3_600_000;
  const since = state.check === null ? oldest : Date.parse(state.check.lastCheckAt);
  return new Date(Math.max(oldest, since - DELIVERY_MARGIN_MS));
}

/**
 * Fills each finding's actor: from the state when an earlier run found it for the same
 * content, otherwise from CloudTrail for findings new or changed since the last check, and for
 * findings still within the delivery margin of when they were first seen. Returns the start of
 * this run's window.
 */
async function attributeFindings(
  deps: RunDeps,
  options: RunOptions,
  report: CheckReport,
  state: StoredState,
  checkedFrom: Date,
): Promise<Date> {
  const end = (deps.now ?? (() => new Date()))();
  const windowStart = windowFor(state, end);
  const targets: AttributionTarget[] = [];

  for (const finding of report.findings) {
    const stored = state.findings.get(finding.id);
    const standing = standingOf(finding, state);
    if (standing === 'same' && stored !== undefined) {
      finding.actor = stored.actor;
      const retry = stored.actor === null && Date.parse(stored.attributeUntil) > end.getTime();
      if (retry) targets.push({ finding, start: new Date(stored.windowStart), end });
    } else {
      targets.push({ finding, start: windowStart, end });
    }
  }
  if (targets.length === 0) return windowStart;

  const started = performance.now();
  const found = await attribute(deps.trail, targets, {
    hints: deps.hints,
    log: deps.log,
    requestBudget: options.attributionBudget,
  });
  for (const target of targets) {
    const actor = found.actors.get(target.finding.id);
    if (actor !== undefined) target.finding.actor = scrubActor(actor);
  }
  deps.log.info('Attribution', {
    looked: targets.length,
    found: found.actors.size,
    requests: found.requests,
    failedLookups: found.failed.length,
    notLookedUp: found.notLookedUp,
    durationMs: Math.round(performance.now() - started),
    checkedFrom: checkedFrom.toISOString(),
  });
  return windowStart;
}

function scrubActor<T>(actor: T): T {
  return JSON.parse(scrubText(JSON.stringify(actor))) as T;
}

/**
 * The report with every registered secret masked: a last guard behind the check's own
 * placeholders, for what leaves the function (messages and the returned report).
 */
function withoutRegisteredSecrets(report: CheckReport): CheckReport {
  return JSON.parse(scrubText(JSON.stringify(report))) as CheckReport;
}

/**
 * One log line per notice sent: its role, kind, severity and status, never a document. (The
 * check itself logs one line per finding.)
 */
function logNotices(log: Log, plan: DeliveryPlan): void {
  for (const notice of plan.notices) {
    log.info('Notice', {
      findingId: notice.finding.id,
      status: notice.status,
      role: notice.finding.resource.name,
      logicalId: notice.finding.resource.logicalId,
      kind: notice.finding.kind,
      severity: notice.finding.severity,
      actor: 'actor' in notice.finding ? (notice.finding.actor?.arn ?? null) : null,
    });
  }
  for (const finding of plan.held) {
    log.info('Held below the alert minimum', {
      findingId: finding.id,
      role: finding.resource.name,
      kind: finding.kind,
      severity: finding.severity,
    });
  }
}

async function releaseQuietly(lease: Lease, held: LeaseHolder, log: Log): Promise<void> {
  try {
    const released = await lease.release(held);
    if (!released) log.warn('The lease had expired and was taken by another run', {});
  } catch (error) {
    log.warn('The lease could not be released; it expires on its own', {
      expiresAt: held.expiresAt.toISOString(),
      error: describeError(error),
    });
  }
}

function emptyOutcome(): RunOutcome {
  return {
    status: 'reported',
    report: null,
    runId: null,
    messages: 0,
    notices: { new: 0, changed: 0, reminder: 0, resolved: 0 },
    held: 0,
    unconfirmed: 0,
    leaseHeldBy: null,
  };
}
