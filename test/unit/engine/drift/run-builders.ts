/**
 * Builders for the delivery tests: findings, reports and state from partial values, a log that
 * keeps what it was given, and an in-memory stand-in for the state table that honours the
 * condition expressions the state and the lease write.
 */
import type {
  Condition,
  Item,
  ItemKey,
  ItemStore,
  ItemValue,
} from '../../../../functions/engine/aws/dynamodb';
import type { StoredFinding, StoredState } from '../../../../functions/engine/drift/state';
import type { CheckReport, Finding } from '../../../../functions/engine/drift/types';
import type { LogFields } from '../../../../functions/engine/log';

export function aFinding(partial: Partial<Finding> = {}): Finding {
  const name = partial.resource?.name ?? 'acme-connector-tenant';
  return {
    id: partial.id ?? `id-${name}-${partial.kind ?? 'trust-policy-changed'}`,
    kind: 'trust-policy-changed',
    severity: 'CRITICAL',
    direction: 'widened',
    summary: `The trust policy of ${name} lets a new principal assume it.`,
    expected: { Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' } }] },
    actual: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' } }] },
    changes: [],
    actor: null,
    remediation: [`aws iam update-assume-role-policy --role-name ${name} --policy-document '{}'`],
    ...partial,
    resource: {
      type: 'AWS::IAM::Role',
      logicalId: 'TenantRole',
      name,
      arn: `arn:aws:iam::123456789012:role/${name}`,
      ...partial.resource,
    },
  };
}

export function aReport(findings: Finding[] = [], partial: Partial<CheckReport> = {}): CheckReport {
  const checked = new Map<string, { type: string; logicalId: string; name: string | null }>();
  for (const f of findings) {
    if (f.resource.logicalId !== null && f.kind !== 'check-incomplete') {
      checked.set(f.resource.logicalId, {
        type: f.resource.type,
        logicalId: f.resource.logicalId,
        name: f.resource.name,
      });
    }
  }
  return {
    stack: 'acme-connector',
    account: '123456789012',
    region: 'eu-west-1',
    checkedAt: '2026-12-04T10:00:00.000Z',
    findings,
    coverage: { checked: [...checked.values()], notChecked: [] },
    ...partial,
  };
}

export function aStoredFinding(partial: Partial<StoredFinding> = {}): StoredFinding {
  return {
    id: 'id-stored',
    digest: 'digest-stored',
    kind: 'inline-policy-added',
    severity: 'HIGH',
    resource: {
      type: 'AWS::IAM::Role',
      logicalId: 'TenantRole',
      name: 'acme-connector-tenant',
      arn: null,
    },
    summary: 'An inline policy was added.',
    firstSeenAt: '2026-12-03T10:00:00.000Z',
    changedAt: '2026-12-03T10:00:00.000Z',
    lastSentAt: '2026-12-03T10:00:00.000Z',
    actor: null,
    windowStart: '2026-12-03T09:00:00.000Z',
    attributeUntil: '2026-12-03T10:20:00.000Z',
    version: 1,
    expiresAt: Math.floor(Date.parse('2027-03-01T00:00:00Z') / 1000),
    ...partial,
  };
}

export function aState(findings: StoredFinding[] = [], partial: Partial<StoredState> = {}) {
  return {
    findings: new Map(findings.map((f) => [f.id, f])),
    check: null,
    outbox: null,
    ...partial,
  } satisfies StoredState;
}

export interface LogEntry {
  level: string;
  message: string;
  fields: LogFields;
}

/** A Log that keeps its entries; `text()` is everything it was given, as JSON. */
export function captureLog() {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) => {
      entries.push({ level, message, fields });
    };
  return {
    entries,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    text: () => JSON.stringify(entries),
  };
}

/**
 * The state table in memory. It understands the conditions state.ts and lease.ts write:
 * `attribute_not_exists(pk)`, `#a = :v`, `#a < :v`, joined by `OR`.
 */
export class MemoryTable implements ItemStore {
  readonly items = new Map<string, Item>();
  /** Makes the next matching write throw, to inject failures. */
  failWrites: ((item: ItemKey) => Error | null) | null = null;

  async queryPartition(_table: string, pk: string): Promise<Item[]> {
    return [...this.items.values()].filter((item) => item.pk === pk).map((item) => ({ ...item }));
  }

  async get(_table: string, key: ItemKey): Promise<Item | null> {
    const item = this.items.get(this.id(key));
    return item === undefined ? null : { ...item };
  }

  async put(_table: string, item: Item & ItemKey, condition?: Condition): Promise<boolean> {
    const failure = this.failWrites?.(item) ?? null;
    if (failure !== null) throw failure;
    if (!this.holds(this.items.get(this.id(item)), condition)) return false;
    const stored: Item = {};
    for (const [k, v] of Object.entries(item)) if (v !== null) stored[k] = v;
    this.items.set(this.id(item), stored);
    return true;
  }

  async delete(_table: string, key: ItemKey, condition?: Condition): Promise<boolean> {
    const failure = this.failWrites?.(key) ?? null;
    if (failure !== null) throw failure;
    if (!this.holds(this.items.get(this.id(key)), condition)) return false;
    this.items.delete(this.id(key));
    return true;
  }

  /** Items whose sort key starts with `prefix`. */
  bySortKey(prefix: string): Item[] {
    return [...this.items.values()].filter((item) => String(item.sk).startsWith(prefix));
  }

  private id(key: ItemKey): string {
    return `${key.pk}\u0000${key.sk}`;
  }

  private holds(current: Item | undefined, condition: Condition | undefined): boolean {
    if (condition === undefined) return true;
    return condition.expression.split(' OR ').some((clause) => {
      const term = clause.trim();
      if (term === 'attribute_not_exists(pk)') return current === undefined;
      const match = /^(#\w+) (=|<) (:\w+)$/.exec(term);
      if (match === null) throw new Error(`MemoryTable does not understand "${term}"`);
      const [, nameRef, op, valueRef] = match as unknown as [string, string, string, string];
      const name = condition.names?.[nameRef] ?? nameRef;
      const expected = condition.values?.[valueRef] as ItemValue;
      const actual = current?.[name];
      if (current === undefined || actual === undefined) return false;
      return op === '=' ? actual === expected : (actual as number) < (expected as number);
    });
  }
}
