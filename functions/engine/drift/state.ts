/**
 * What the drift guard remembers between runs, in the stack's DynamoDB table (`pk` S hash key,
 * `sk` S range key, TTL attribute `ttl`). One partition per stack holds:
 *
 * - `finding#<id>`: an open finding's content digest, severity, when it was first seen and
 *   last sent, and who made the change;
 * - `check`: when the last completed run checked the stack (the start of the next CloudTrail
 *   window);
 * - `outbox`: the run id of a notification that was published (or attempted) but whose state
 *   was not yet written, so that a retry sends under the same id;
 * - `lease`: see lease.ts.
 *
 * Every write is conditional on the version read, so a run that lost its lease cannot
 * overwrite what a newer run wrote.
 */
import type { Item, ItemKey, ItemStore } from '../aws/dynamodb';
import { ConnectorGuardError, describeError } from '../errors';
import { sha256Hex } from '../values';
import type { Actor, FindingKind, ResourceRef, Severity } from './types';

/** Days an open finding's state is kept without a run touching it. */
export const FINDING_RETENTION_DAYS = 90;
/** A finding's expiry is pushed out again once fewer than this many days remain. */
const RETENTION_REFRESH_DAYS = 60;
/** How long an outbox entry can be picked up by a retry: longer than any Lambda retry chain. */
const OUTBOX_RETENTION_HOURS = 24;
/** Writes in flight at once when committing state. */
const WRITE_CONCURRENCY = 8;
/** Notice keys kept in an outbox entry; beyond this only their digest is kept. */
const OUTBOX_MAX_KEYS = 2_000;

const DAY_S = 86_400;

/** An open finding as the table holds it. */
export interface StoredFinding {
  id: string;
  /** Digest of the finding's content (everything but the actor). */
  digest: string;
  kind: FindingKind;
  severity: Severity;
  resource: ResourceRef;
  summary: string;
  firstSeenAt: string;
  /** When the finding's current content was first seen. */
  changedAt: string;
  /** When a notification last carried it; null while it was only ever held below threshold. */
  lastSentAt: string | null;
  actor: Actor | null;
  /** Start of the CloudTrail window the current content appeared in. */
  windowStart: string;
  /** Until when a missing actor is looked up again: CloudTrail delivers events late. */
  attributeUntil: string;
  version: number;
  /** Epoch seconds after which DynamoDB may delete the item. */
  expiresAt: number;
}

export interface StoredCheck {
  lastCheckAt: string;
  lastRunId: string | null;
  version: number;
}

export interface Outbox {
  runId: string;
  createdAt: string;
  /** Keys of the notices the run sent; empty when there were too many (see `digest`). */
  keys: string[];
  digest: string;
}

export interface StoredState {
  findings: Map<string, StoredFinding>;
  check: StoredCheck | null;
  outbox: Outbox | null;
}

/** A write planned by a run, with the version it expects to find (null: must not exist). */
export type StateWrite =
  | { op: 'put'; finding: StoredFinding; expectedVersion: number | null }
  | { op: 'delete'; id: string; expectedVersion: number };

/** Writing state failed after the run's notification was accepted. */
export class StateWriteError extends ConnectorGuardError {}

/** The state's partition key for a stack (its stack ID, so a re-created stack starts afresh). */
export function partitionKey(stackId: string): string {
  return `stack#${stackId}`;
}

/** Epoch seconds at which an item written now may expire. */
export function findingExpiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + FINDING_RETENTION_DAYS * DAY_S;
}

/** Whether an unchanged finding's item should be rewritten to push its expiry out. */
export function expiryDue(finding: StoredFinding, now: Date): boolean {
  return finding.expiresAt - now.getTime() / 1000 < RETENTION_REFRESH_DAYS * DAY_S;
}

/** The outbox entry for a run's notices; only their keys' digest when there are many. */
export function outboxFor(runId: string, keys: string[], now: Date): Outbox {
  const sorted = [...keys].sort();
  return {
    runId,
    createdAt: now.toISOString(),
    keys: sorted.length <= OUTBOX_MAX_KEYS ? sorted : [],
    digest: sha256Hex(sorted.join('\n')),
  };
}

/**
 * Whether a run's notices repeat (all or some of) what an earlier, unfinished run sent, so the
 * earlier run id is reused and subscribers can drop the repeat.
 */
export function repeatsOutbox(outbox: Outbox, keys: string[], now: Date): boolean {
  const age = now.getTime() - Date.parse(outbox.createdAt);
  if (!(age >= 0 && age < OUTBOX_RETENTION_HOURS * 3_600_000) || keys.length === 0) return false;
  if (outbox.keys.length === 0) return outbox.digest === sha256Hex([...keys].sort().join('\n'));
  const sent = new Set(outbox.keys);
  return keys.every((key) => sent.has(key));
}

/**
 * Reads and writes one stack's state. Every finding passes through `mask` before it is
 * written, so a secret in its actor (a CloudTrail session name), summary or resource is stored
 * only as its placeholder; what is read back is masked again where it leaves the function.
 */
export class StateStore {
  readonly pk: string;

  /** @param mask masks secrets in a finding's copy (the run's `SecretDigests.mask`) */
  constructor(
    private readonly db: ItemStore,
    readonly table: string,
    stackId: string,
    private readonly mask: <T>(value: T) => T = (value) => value,
  ) {
    this.pk = partitionKey(stackId);
  }

  /** Reads the stack's whole partition (the lease excluded). */
  async load(): Promise<StoredState> {
    const state: StoredState = { findings: new Map(), check: null, outbox: null };

    for (const item of await this.db.queryPartition(this.table, this.pk)) {
      const sk = String(item.sk);
      if (sk.startsWith('finding#')) {
        const finding = readFinding(item);
        state.findings.set(finding.id, finding);
      } else if (sk === 'check') {
        state.check = {
          lastCheckAt: String(item.lastCheckAt),
          lastRunId: typeof item.lastRunId === 'string' ? item.lastRunId : null,
          version: Number(item.version ?? 0),
        };
      } else if (sk === 'outbox') {
        state.outbox = {
          runId: String(item.runId),
          createdAt: String(item.createdAt),
          keys: Array.isArray(item.keys) ? item.keys : [],
          digest: String(item.digest ?? ''),
        };
      }
    }
    return state;
  }

  /** Records the run id of notices about to be published (before publishing). */
  async putOutbox(outbox: Outbox): Promise<void> {
    await this.db.put(this.table, {
      ...this.key('outbox'),
      runId: outbox.runId,
      createdAt: outbox.createdAt,
      keys: outbox.keys,
      digest: outbox.digest,
      ttl: Math.floor(Date.parse(outbox.createdAt) / 1000) + OUTBOX_RETENTION_HOURS * 3_600,
    });
  }

  /**
   * Applies a run's writes, then records the check and clears the outbox (when the run
   * published, or `outbox` says an earlier entry is there). Every write is
   * attempted; when any failed (a lost condition or an error) the check and the outbox are left
   * as they were, so the next run sees what is still unrecorded, and a StateWriteError says
   * which writes failed.
   */
  async commit(
    writes: StateWrite[],
    check: { at: Date; runId: string | null; previous: StoredCheck | null; outbox?: boolean },
  ): Promise<void> {
    const failures: string[] = [];

    await forEachLimited(writes, WRITE_CONCURRENCY, async (write) => {
      const id = write.op === 'put' ? write.finding.id : write.id;
      try {
        const applied = await this.apply(write);
        if (!applied) failures.push(`${id} (changed by another run)`);
      } catch (error) {
        failures.push(`${id} (${describeError(error)})`);
      }
    });
    if (failures.length > 0) {
      throw new StateWriteError(
        `State table ${this.table}: ${failures.length} of ${writes.length} finding writes failed ` +
          `after the notification was published: ${failures.slice(0, 5).join(', ')}.`,
        { context: { failures } },
      );
    }

    await this.putCheck(check.at, check.runId, check.previous);
    if (check.runId !== null || check.outbox === true) {
      await this.db.delete(this.table, this.key('outbox'));
    }
  }

  private async putCheck(at: Date, runId: string | null, previous: StoredCheck | null) {
    const version = (previous?.version ?? 0) + 1;
    const applied = await this.db.put(
      this.table,
      { ...this.key('check'), lastCheckAt: at.toISOString(), lastRunId: runId, version },
      versionCondition(previous?.version ?? null),
    );
    if (!applied) {
      throw new StateWriteError(
        `State table ${this.table}: the last-check record was changed by another run; ` +
          'the next run re-reads it.',
      );
    }
  }

  private apply(write: StateWrite): Promise<boolean> {
    if (write.op === 'delete') {
      return this.db.delete(
        this.table,
        this.key(`finding#${write.id}`),
        versionCondition(write.expectedVersion),
      );
    }
    return this.db.put(
      this.table,
      { ...this.key(`finding#${write.finding.id}`), ...writeFinding(this.mask(write.finding)) },
      versionCondition(write.expectedVersion),
    );
  }

  private key(sk: string): ItemKey {
    return { pk: this.pk, sk };
  }
}

const UNKNOWN_RESOURCE: ResourceRef = { type: 'unknown', logicalId: null, name: null, arn: null };

function versionCondition(expected: number | null) {
  if (expected === null) return { expression: 'attribute_not_exists(pk)' };
  return { expression: '#v = :v', names: { '#v': 'version' }, values: { ':v': expected } };
}

function writeFinding(finding: StoredFinding): Item {
  return {
    id: finding.id,
    digest: finding.digest,
    kind: finding.kind,
    severity: finding.severity,
    resource: JSON.stringify(finding.resource),
    summary: finding.summary,
    firstSeenAt: finding.firstSeenAt,
    changedAt: finding.changedAt,
    lastSentAt: finding.lastSentAt,
    actor: finding.actor === null ? null : JSON.stringify(finding.actor),
    windowStart: finding.windowStart,
    attributeUntil: finding.attributeUntil,
    version: finding.version,
    ttl: finding.expiresAt,
  };
}

function readFinding(item: Item): StoredFinding {
  return {
    id: String(item.id),
    digest: String(item.digest),
    kind: String(item.kind) as FindingKind,
    severity: String(item.severity) as Severity,
    resource: (parseJson(item.resource) as ResourceRef | null) ?? UNKNOWN_RESOURCE,
    summary: String(item.summary ?? ''),
    firstSeenAt: String(item.firstSeenAt),
    changedAt: String(item.changedAt ?? item.firstSeenAt),
    lastSentAt: typeof item.lastSentAt === 'string' ? item.lastSentAt : null,
    actor: typeof item.actor === 'string' ? (parseJson(item.actor) as Actor) : null,
    windowStart: String(item.windowStart ?? item.firstSeenAt),
    attributeUntil: String(item.attributeUntil ?? item.firstSeenAt),
    version: Number(item.version ?? 0),
    expiresAt: Number(item.ttl ?? 0),
  };
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await task(item as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
