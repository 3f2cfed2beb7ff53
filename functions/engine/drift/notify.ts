/**
 * Deciding what a run tells subscribers, from this run's report and the state of earlier runs.
 * Only what changed is sent: new findings, changed ones (same id, different content digest)
 * and resolved ones; a finding still open is sent again once `reminderHours` have passed since
 * it was last sent. Findings below the alert minimum are recorded but not sent, except a change
 * to one that was sent before (subscribers would otherwise keep its old severity).
 *
 * A finding that disappears is resolved only when this run really checked its resource: a
 * resource that could not be read this time (a `check-incomplete` finding, or listed as not
 * checked) keeps its earlier findings open instead of announcing a fix nobody made.
 */
import { sha256Hex } from '../values';
import {
  expiryDue,
  findingExpiry,
  type StateWrite,
  type StoredFinding,
  type StoredState,
} from './state';
import {
  atLeast,
  type CheckReport,
  type Finding,
  type FindingKind,
  type ResourceRef,
  SEVERITIES,
  type Severity,
} from './types';

export type NoticeStatus = 'new' | 'changed' | 'reminder' | 'resolved';

/** A finding that is no longer seen, as a resolved notice shows it. */
export interface ResolvedFinding {
  id: string;
  kind: FindingKind;
  severity: Severity;
  resource: ResourceRef;
  summary: string;
  firstSeenAt: string;
  /** Why it is closed: back in line with the template, or the resource left the stack. */
  reason: string;
}

export type Notice =
  | { status: 'new' | 'changed' | 'reminder'; key: string; finding: Finding }
  | { status: 'resolved'; key: string; finding: ResolvedFinding };

export interface DeliveryPlan {
  /** What to send, ordered: new, changed, reminders, resolved; then by severity. */
  notices: Notice[];
  /** New or changed findings below the alert minimum: recorded, not sent. */
  held: Finding[];
  /** Earlier findings not seen this run on resources that could not be checked: kept open. */
  unconfirmed: StoredFinding[];
  /** State writes to make once the notices were accepted. */
  writes: StateWrite[];
  /** Ids that more than one finding of the report carried; only the first was planned. */
  duplicates: string[];
}

export interface PlanOptions {
  /** Findings below this are recorded but not sent (`ALERT_MINIMUM_SEVERITY`). */
  minimum: Severity;
  /** Hours after which an open finding is sent again; 0 sends no reminders. */
  reminderHours: number;
  now: Date;
  /** Start of this run's CloudTrail window, recorded with findings first seen now. */
  windowStart: Date;
  /** Until when a finding first seen now without an actor is looked up again. */
  attributeUntil: Date;
}

/**
 * A reminder is due this long before its interval is over, so that a schedule's jitter does
 * not push it back by a whole period.
 */
const REMINDER_TOLERANCE_MS = 10 * 60 * 1000;

export const RESOLVED_REASON = 'back in line with the template';
const LEFT_STACK_REASON = 'the resource is no longer part of the stack';
const CHECKED_AGAIN_REASON = 'it could be checked again';

/** How a finding of this run relates to the state of earlier runs. */
export type Standing = 'new' | 'changed' | 'same';

/** Digest of a finding's content: everything but the actor, key order aside. */
export function contentDigest(finding: Finding): string {
  const { actor: _actor, ...content } = finding;
  return sha256Hex(canonicalJson(JSON.parse(JSON.stringify(content))));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whether each finding is new, changed or the same as what the state holds. */
export function standingOf(finding: Finding, state: StoredState): Standing {
  const stored = state.findings.get(finding.id);
  if (stored === undefined) return 'new';
  return stored.digest === contentDigest(finding) ? 'same' : 'changed';
}

/** Plans a run's notices and state writes. Findings must already carry their actors. */
export function planDelivery(
  report: CheckReport,
  state: StoredState,
  options: PlanOptions,
): DeliveryPlan {
  const plan: DeliveryPlan = {
    notices: [],
    held: [],
    unconfirmed: [],
    writes: [],
    duplicates: [],
  };
  const seen = new Set<string>();

  for (const finding of report.findings) {
    // Two findings under one id would make two writes of one item, and the second would fail
    // on every run; the first is kept and the repeat reported.
    if (seen.has(finding.id)) {
      plan.duplicates.push(finding.id);
      continue;
    }
    seen.add(finding.id);
    planFinding(finding, state.findings.get(finding.id), options, plan);
  }
  for (const stored of state.findings.values()) {
    if (!seen.has(stored.id)) planAbsent(stored, report, plan);
  }

  plan.notices.sort(noticeOrder);
  return plan;
}

function planFinding(
  finding: Finding,
  stored: StoredFinding | undefined,
  options: PlanOptions,
  plan: DeliveryPlan,
): void {
  const now = options.now.toISOString();
  const digest = contentDigest(finding);
  const changed = stored !== undefined && stored.digest !== digest;
  // A change to a finding subscribers were told of goes out even below the minimum: it may
  // be the very fall in severity they would otherwise never hear of.
  const alerting =
    atLeast(finding.severity, options.minimum) || (changed && stored.lastSentAt !== null);

  if (stored === undefined || changed) {
    const status = stored === undefined ? 'new' : 'changed';
    if (alerting)
      plan.notices.push({ status, key: noticeKey(finding.id, status, digest), finding });
    else plan.held.push(finding);
    plan.writes.push({
      op: 'put',
      expectedVersion: stored?.version ?? null,
      finding: {
        ...storedContent(finding, digest, options.now),
        firstSeenAt: stored?.firstSeenAt ?? now,
        changedAt: now,
        lastSentAt: alerting ? now : (stored?.lastSentAt ?? null),
        windowStart: options.windowStart.toISOString(),
        attributeUntil: options.attributeUntil.toISOString(),
        version: (stored?.version ?? 0) + 1,
      },
    });
    return;
  }

  const neverSent = stored.lastSentAt === null;
  const status = neverSent ? 'new' : 'reminder';
  const due = alerting && (neverSent || reminderDue(stored.lastSentAt, options));
  const actorFound = stored.actor === null && finding.actor !== null;
  if (due) {
    const key = noticeKey(finding.id, status, digest, stored.lastSentAt);
    plan.notices.push({ status, key, finding });
  }
  if (due || actorFound || expiryDue(stored, options.now)) {
    plan.writes.push({
      op: 'put',
      expectedVersion: stored.version,
      finding: {
        ...stored,
        ...storedContent(finding, digest, options.now),
        actor: finding.actor ?? stored.actor,
        lastSentAt: due ? now : stored.lastSentAt,
        version: stored.version + 1,
      },
    });
  }
}

function planAbsent(stored: StoredFinding, report: CheckReport, plan: DeliveryPlan): void {
  const reason = resolutionReason(stored, report);
  if (reason === null) {
    plan.unconfirmed.push(stored);
    return;
  }

  plan.writes.push({ op: 'delete', id: stored.id, expectedVersion: stored.version });
  if (stored.lastSentAt === null) return;
  plan.notices.push({
    status: 'resolved',
    key: noticeKey(stored.id, 'resolved', stored.digest),
    finding: {
      id: stored.id,
      kind: stored.kind,
      severity: stored.severity,
      resource: stored.resource,
      summary: stored.summary,
      firstSeenAt: stored.firstSeenAt,
      reason,
    },
  });
}

/** Why an earlier finding not seen now is closed, or null when its resource was not checked. */
function resolutionReason(stored: StoredFinding, report: CheckReport): string | null {
  const incomplete = report.findings.filter((f) => f.kind === 'check-incomplete');
  if (incomplete.some((f) => sameResource(f.resource, stored.resource))) return null;
  if (report.coverage.notChecked.some((n) => sameResource(n.resource, stored.resource))) {
    return null;
  }
  if (stored.kind === 'check-incomplete') return CHECKED_AGAIN_REASON;
  if (report.coverage.checked.some((c) => sameResource(c, stored.resource))) {
    return RESOLVED_REASON;
  }
  return LEFT_STACK_REASON;
}

function sameResource(
  a: { logicalId: string | null; name: string | null },
  b: { logicalId: string | null; name: string | null },
): boolean {
  if (a.logicalId && b.logicalId) return a.logicalId === b.logicalId;
  return a.name !== null && a.name === b.name;
}

function reminderDue(lastSentAt: string | null, options: PlanOptions): boolean {
  if (options.reminderHours <= 0 || lastSentAt === null) return false;
  const elapsed = options.now.getTime() - Date.parse(lastSentAt);
  return elapsed >= options.reminderHours * 3_600_000 - REMINDER_TOLERANCE_MS;
}

function storedContent(finding: Finding, digest: string, now: Date) {
  return {
    id: finding.id,
    digest,
    kind: finding.kind,
    severity: finding.severity,
    resource: finding.resource,
    summary: finding.summary,
    actor: finding.actor,
    expiresAt: findingExpiry(now),
  };
}

/**
 * A notice's identity across attempts of the same run: a retry that sends the same notices is
 * recognised by these keys and reuses the run id. A reminder's key includes when the finding
 * was last sent, so the next reminder is a new notice.
 */
export function noticeKey(
  id: string,
  status: NoticeStatus,
  digest: string,
  lastSentAt: string | null = null,
): string {
  return [id, status, digest.slice(0, 16), lastSentAt ?? ''].join(':');
}

const STATUS_ORDER: NoticeStatus[] = ['new', 'changed', 'reminder', 'resolved'];

function noticeOrder(a: Notice, b: Notice): number {
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    SEVERITIES.indexOf(b.finding.severity) - SEVERITIES.indexOf(a.finding.severity) ||
    a.finding.kind.localeCompare(b.finding.kind) ||
    (a.finding.resource.name ?? '').localeCompare(b.finding.resource.name ?? '') ||
    a.finding.id.localeCompare(b.finding.id)
  );
}

/** The highest severity among notices; LOW when there are none. */
export function highestSeverity(notices: { finding: { severity: Severity } }[]): Severity {
  let highest = 0;
  for (const notice of notices) {
    highest = Math.max(highest, SEVERITIES.indexOf(notice.finding.severity));
  }
  return SEVERITIES[highest] ?? 'LOW';
}
