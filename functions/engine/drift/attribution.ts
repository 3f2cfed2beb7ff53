/**
 * Best-effort attribution of findings from CloudTrail's event history: who made the change
 * (for an assumed-role session, the role behind it and the session name), when, with which
 * call and from where.
 *
 * IAM is global, so its events are recorded in the partition's IAM region (us-east-1 in the
 * commercial partition). Each finding names the resources to look up and the IAM calls that
 * make its kind of change; one LookupEvents search by resource name serves every finding that
 * names that resource. Searches run within CloudTrail's two requests a second and a request
 * budget per run, newest events first, following a bounded number of pages. A finding whose
 * change cannot be found keeps `actor: null`, and a failed look-up never fails the run.
 *
 * CloudTrail delivers events about 5 to 15 minutes after the call, so the window reaches back
 * {@link DELIVERY_MARGIN_MS} (20 minutes) before the previous check, and a finding first seen
 * without an actor is looked up again on runs within that margin.
 */
import type { CloudTrailAdapter, LookupResult, TrailEvent } from '../aws/cloudtrail';
import { describeError } from '../errors';
import type { Log } from '../log';
import type { TrailHint } from './trail-hints';
import { type Actor, type Finding, SEVERITIES } from './types';

/** How far before the previous check the window starts, for CloudTrail's delivery delay. */
export const DELIVERY_MARGIN_MS = 20 * 60 * 1000;

/** CloudTrail keeps 90 days of management events; the first run looks back that far. */
export const HISTORY_MS = 90 * 24 * 3_600_000;

/** LookupEvents requests one run may make (at two a second: about 20 seconds). */
export const DEFAULT_REQUEST_BUDGET = 40;

/** Pages (of 50 events, newest first) followed for one resource. */
export const DEFAULT_PAGES_PER_LOOKUP = 4;

/** A finding to attribute and the window its change happened in. */
export interface AttributionTarget {
  finding: Finding;
  start: Date;
  end: Date;
}

export interface AttributionOptions {
  hints: (finding: Finding) => TrailHint;
  log: Log;
  requestBudget?: number;
  pagesPerLookup?: number;
}

export interface AttributionOutcome {
  /** Actors found, by finding id. */
  actors: Map<string, Actor>;
  requests: number;
  /** The resource name whose look-up failed (access denied, throttled, ...), if one did. */
  failed: string[];
  /** Findings not fully looked up: the request budget was spent, or a look-up failed. */
  notLookedUp: number;
}

type Trail = Pick<CloudTrailAdapter, 'lookupByResourceName'>;

const IAM_EVENT_SOURCE = 'iam.amazonaws.com';

/**
 * Looks up who made each target's change. Higher severities are looked up first, so a spent
 * budget leaves the least important findings unattributed. The first look-up that fails ends
 * the searching for this run: what made it fail (access denied, throttling, an outage) would
 * fail the others too, and each attempt costs a turn of the pacer.
 */
export async function attribute(
  trail: Trail,
  targets: AttributionTarget[],
  options: AttributionOptions,
): Promise<AttributionOutcome> {
  const budget = options.requestBudget ?? DEFAULT_REQUEST_BUDGET;
  const pages = options.pagesPerLookup ?? DEFAULT_PAGES_PER_LOOKUP;
  const outcome: AttributionOutcome = {
    actors: new Map(),
    requests: 0,
    failed: [],
    notLookedUp: 0,
  };
  const ordered = [...targets]
    .map((target) => ({ target, hints: options.hints(target.finding) }))
    .filter(({ hints }) => hints.eventNames.length > 0 && hints.resourceNames.length > 0)
    .sort((a, b) => rank(b.target.finding) - rank(a.target.finding));
  const windows = windowsByName(ordered);
  const searched = new Map<string, TrailEvent[]>();
  let stopped = false;

  const eventsFor = async (name: string): Promise<TrailEvent[] | null> => {
    const known = searched.get(name);
    if (known !== undefined) return known;
    if (stopped || outcome.requests >= budget) return null;

    const window = windows.get(name) as { start: Date; end: Date };
    const result = await search(trail, name, window, Math.min(pages, budget - outcome.requests));
    outcome.requests += result.requests;
    if (result.events === null) {
      stopped = true;
      outcome.failed.push(name);
      options.log.warn('CloudTrail look-up failed; this run attributes nothing more', {
        resource: name,
        error: result.error,
      });
      return null;
    }
    if (result.truncated) {
      options.log.debug('CloudTrail search stopped at its page limit', { resource: name });
    }
    searched.set(name, result.events);
    return result.events;
  };

  for (const { target, hints } of ordered) {
    let actor: Actor | null = null;
    let skipped = false;
    for (const name of hints.resourceNames) {
      const events = await eventsFor(name);
      skipped ||= events === null;
      actor = events === null ? null : match(events, target, hints);
      if (actor !== null) break;
    }
    if (actor !== null) outcome.actors.set(target.finding.id, actor);
    else if (skipped) outcome.notLookedUp += 1;
  }
  return outcome;
}

function rank(finding: Finding): number {
  return SEVERITIES.indexOf(finding.severity);
}

/** The union of the windows of every target that names a resource. */
function windowsByName(
  ordered: { target: AttributionTarget; hints: TrailHint }[],
): Map<string, { start: Date; end: Date }> {
  const windows = new Map<string, { start: Date; end: Date }>();
  for (const { target, hints } of ordered) {
    for (const name of hints.resourceNames) {
      const known = windows.get(name);
      windows.set(name, {
        start: known === undefined || target.start < known.start ? target.start : known.start,
        end: known === undefined || target.end > known.end ? target.end : known.end,
      });
    }
  }
  return windows;
}

async function search(
  trail: Trail,
  resourceName: string,
  window: { start: Date; end: Date },
  maxPages: number,
): Promise<{ events: TrailEvent[] | null; requests: number; truncated: boolean; error?: string }> {
  try {
    const result: LookupResult = await trail.lookupByResourceName({
      resourceName,
      start: window.start,
      end: window.end,
      maxPages,
    });
    return result;
  } catch (error) {
    return { events: null, requests: 1, truncated: false, error: describeError(error) };
  }
}

/**
 * The event that best explains a finding: a successful IAM call of one of the kind's event
 * names within the finding's window, naming as many of the finding's resources and policies as
 * possible (two inline policies added to one role are told apart by their names); of equals,
 * the newest. CloudTrail found every event for the resource searched, so one that names none
 * of them still qualifies.
 */
function match(events: TrailEvent[], target: AttributionTarget, hints: TrailHint): Actor | null {
  const names = [...new Set([...hints.resourceNames, ...policyNamesOf(target.finding)])];
  let best: TrailEvent | null = null;
  let bestScore = -1;

  for (const event of events) {
    if (event.eventSource !== IAM_EVENT_SOURCE || event.errorCode !== null) continue;
    if (!hints.eventNames.includes(event.eventName)) continue;
    if (event.eventTime < target.start || event.eventTime > target.end) continue;
    const score = names.filter((n) => event.resourceNames.includes(n)).length;
    const newer = best !== null && event.eventTime > best.eventTime;
    if (score > bestScore || (score === bestScore && newer)) {
      best = event;
      bestScore = score;
    }
  }
  return best === null ? null : actorOf(best);
}

/** Policy names and ARNs a finding's expected or actual value names at its top level. */
function policyNamesOf(finding: Finding): string[] {
  const out: string[] = [];
  for (const value of [finding.expected, finding.actual]) {
    if (value === null || typeof value !== 'object') continue;
    for (const key of ['policyName', 'policyArn']) {
      const name = (value as Record<string, unknown>)[key];
      if (typeof name === 'string' && name.length > 0) out.push(name);
    }
  }
  return out;
}

/** The actor of an event: the role behind an assumed-role session, with the session name. */
export function actorOf(event: TrailEvent): Actor {
  const identity = event.userIdentity;
  const sessionName =
    identity.type === 'AssumedRole' && identity.arn !== null
      ? (identity.arn.split('/').pop() ?? null)
      : null;
  const arn =
    identity.type === 'AssumedRole'
      ? (identity.sessionIssuerArn ?? identity.arn)
      : identity.type === 'AWSService'
        ? identity.invokedBy
        : (identity.arn ?? identity.userName ?? identity.principalId);

  return {
    arn: arn ?? 'unknown',
    principalType: identity.type,
    sessionName,
    eventName: event.eventName,
    eventTime: event.eventTime.toISOString(),
    sourceIp: event.sourceIp,
  };
}
