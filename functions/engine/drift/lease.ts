/**
 * The lease that keeps two notifying runs of the same stack from overlapping: one item
 * (`sk = lease`) in the stack's partition of the state table, written only when absent or
 * expired, and deleted by its holder at the end of the run. A run that crashes leaves a lease
 * that simply expires. Overlap is prevented here rather than by reserved concurrency, so an
 * on-demand self-check is never throttled by a scheduled run.
 */
import type { ItemStore } from '../aws/dynamodb';
import { partitionKey } from './state';

export interface LeaseHolder {
  holder: string;
  /** What the holder is doing: `check` or `self-check`. */
  purpose: string;
  expiresAt: Date;
}

export type LeaseOutcome =
  | { acquired: true; lease: LeaseHolder }
  | { acquired: false; heldBy: LeaseHolder | null };

export class Lease {
  private readonly pk: string;

  constructor(
    private readonly db: ItemStore,
    private readonly table: string,
    stackId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.pk = partitionKey(stackId);
  }

  /**
   * Takes the lease for `durationMs` when nobody holds it or the last holder's lease expired.
   * Never waits: when another run holds it, says who and until when. Not even the same
   * invocation takes back its own lease early: Lambda may deliver one event twice at once under
   * one request id, and two such runs must not both notify.
   */
  async acquire(holder: string, purpose: string, durationMs: number): Promise<LeaseOutcome> {
    const now = this.now();
    const expiresAt = new Date(now.getTime() + durationMs);
    const acquired = await this.db.put(
      this.table,
      {
        pk: this.pk,
        sk: 'lease',
        holder,
        purpose,
        expiresAtMs: expiresAt.getTime(),
        ttl: Math.ceil(expiresAt.getTime() / 1000) + 3_600,
      },
      {
        expression: 'attribute_not_exists(pk) OR #expires < :now',
        names: { '#expires': 'expiresAtMs' },
        values: { ':now': now.getTime() },
      },
    );
    if (acquired) return { acquired: true, lease: { holder, purpose, expiresAt } };

    const current = await this.db.get(this.table, { pk: this.pk, sk: 'lease' });
    if (current === null) return { acquired: false, heldBy: null };
    return {
      acquired: false,
      heldBy: {
        holder: String(current.holder),
        purpose: String(current.purpose),
        expiresAt: new Date(Number(current.expiresAtMs)),
      },
    };
  }

  /** Gives the lease back; false when it had expired and someone else took it meanwhile. */
  release(lease: LeaseHolder): Promise<boolean> {
    return this.db.delete(
      this.table,
      { pk: this.pk, sk: 'lease' },
      {
        expression: '#holder = :holder',
        names: { '#holder': 'holder' },
        values: { ':holder': lease.holder },
      },
    );
  }
}
