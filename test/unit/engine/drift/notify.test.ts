import {
  contentDigest,
  type PlanOptions,
  planDelivery,
  RESOLVED_REASON,
} from '../../../../functions/engine/drift/notify';
import { aFinding, aReport, aState, aStoredFinding } from './run-builders';

const NOW = new Date('2026-12-04T10:00:00.000Z');

function options(partial: Partial<PlanOptions> = {}): PlanOptions {
  return {
    minimum: 'MEDIUM',
    reminderHours: 24,
    now: NOW,
    windowStart: new Date('2026-12-04T08:40:00.000Z'),
    attributeUntil: new Date('2026-12-04T10:20:00.000Z'),
    ...partial,
  };
}

/** A stored finding exactly as a previous run would have recorded `finding`. */
function storedFrom(finding: ReturnType<typeof aFinding>, partial = {}) {
  return aStoredFinding({
    id: finding.id,
    digest: contentDigest(finding),
    kind: finding.kind,
    severity: finding.severity,
    resource: finding.resource,
    ...partial,
  });
}

describe('planDelivery', () => {
  it('sends a new finding at or above the minimum and records it as sent', () => {
    const finding = aFinding({ severity: 'HIGH' });

    const plan = planDelivery(aReport([finding]), aState(), options());

    expect(plan.notices.map((n) => [n.status, n.finding.id])).toEqual([['new', finding.id]]);
    expect(plan.writes).toEqual([
      expect.objectContaining({
        op: 'put',
        expectedVersion: null,
        finding: expect.objectContaining({
          id: finding.id,
          lastSentAt: NOW.toISOString(),
          firstSeenAt: NOW.toISOString(),
          version: 1,
        }),
      }),
    ]);
  });

  it('keeps a finding below the minimum in state without sending it', () => {
    const finding = aFinding({ kind: 'role-setting-changed', severity: 'LOW', direction: null });

    const plan = planDelivery(aReport([finding]), aState(), options({ minimum: 'MEDIUM' }));

    expect(plan.notices).toEqual([]);
    expect(plan.held).toEqual([finding]);
    expect(plan.writes).toEqual([
      expect.objectContaining({ finding: expect.objectContaining({ lastSentAt: null }) }),
    ]);
  });

  it('sends a change to a finding it sent before, even one that falls below the minimum', () => {
    const sent = aFinding({ severity: 'HIGH', direction: 'mixed' });
    const lower = aFinding({ severity: 'LOW', direction: 'narrowed', summary: 'Narrowed since.' });
    const neverSent = aFinding({ id: 'f-held', severity: 'LOW', direction: null });
    const state = aState([
      storedFrom(sent, { lastSentAt: '2026-12-03T10:00:00.000Z' }),
      storedFrom(neverSent, { lastSentAt: null }),
    ]);
    const changedHeld = { ...neverSent, summary: 'Still low, changed.' };

    const plan = planDelivery(aReport([lower, changedHeld]), state, options({ minimum: 'MEDIUM' }));

    expect(plan.notices.map((n) => [n.status, n.finding.severity])).toEqual([['changed', 'LOW']]);
    expect(plan.held).toEqual([changedHeld]);
  });

  it('sends and writes nothing for a finding whose content is unchanged', () => {
    const finding = aFinding();
    const state = aState([storedFrom(finding, { lastSentAt: '2026-12-04T09:00:00.000Z' })]);

    const plan = planDelivery(aReport([finding]), state, options());

    expect(plan.notices).toEqual([]);
    expect(plan.writes).toEqual([]);
  });

  it('sends a finding whose content changed under the same id as changed', () => {
    const before = aFinding({ severity: 'HIGH', direction: 'mixed' });
    const after = aFinding({ severity: 'CRITICAL', summary: 'The trust now allows everyone.' });
    const state = aState([storedFrom(before, { version: 4 })]);

    const plan = planDelivery(aReport([after]), state, options());

    expect(plan.notices.map((n) => n.status)).toEqual(['changed']);
    expect(plan.writes).toEqual([
      expect.objectContaining({
        expectedVersion: 4,
        finding: expect.objectContaining({ digest: contentDigest(after), version: 5 }),
      }),
    ]);
  });

  it('reminds of a finding still open once the reminder interval has passed', () => {
    const finding = aFinding();
    const state = aState([storedFrom(finding, { lastSentAt: '2026-12-03T10:00:00.000Z' })]);

    const plan = planDelivery(aReport([finding]), state, options({ reminderHours: 24 }));

    expect(plan.notices.map((n) => n.status)).toEqual(['reminder']);
    expect(plan.writes[0]).toMatchObject({
      finding: { lastSentAt: NOW.toISOString(), firstSeenAt: '2026-12-03T10:00:00.000Z' },
    });
  });

  it('does not remind before the interval has passed', () => {
    const finding = aFinding();
    const state = aState([storedFrom(finding, { lastSentAt: '2026-12-03T12:00:00.000Z' })]);

    const plan = planDelivery(aReport([finding]), state, options({ reminderHours: 24 }));

    expect(plan.notices).toEqual([]);
  });

  it('reminds a few minutes early so schedule jitter does not delay a reminder by a period', () => {
    const finding = aFinding();
    const state = aState([storedFrom(finding, { lastSentAt: '2026-12-03T10:05:00.000Z' })]);

    const plan = planDelivery(aReport([finding]), state, options({ reminderHours: 24 }));

    expect(plan.notices.map((n) => n.status)).toEqual(['reminder']);
  });

  it('sends no reminders when the interval is zero', () => {
    const finding = aFinding();
    const state = aState([storedFrom(finding, { lastSentAt: '2026-01-01T00:00:00.000Z' })]);

    const plan = planDelivery(aReport([finding]), state, options({ reminderHours: 0 }));

    expect(plan.notices).toEqual([]);
  });

  it('sends as new a held finding once the minimum is lowered to its severity', () => {
    const finding = aFinding({ severity: 'LOW', kind: 'role-setting-changed' });
    const state = aState([storedFrom(finding, { lastSentAt: null })]);

    const plan = planDelivery(aReport([finding]), state, options({ minimum: 'LOW' }));

    expect(plan.notices.map((n) => n.status)).toEqual(['new']);
  });

  it('resolves a sent finding that is gone from a resource that was checked', () => {
    const stored = aStoredFinding({ id: 'gone', version: 3 });
    const report = aReport([], {
      coverage: {
        checked: [{ type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'x' }],
        notChecked: [],
      },
    });

    const plan = planDelivery(report, aState([stored]), options());

    expect(plan.notices).toEqual([
      expect.objectContaining({
        status: 'resolved',
        finding: expect.objectContaining({ id: 'gone', reason: RESOLVED_REASON }),
      }),
    ]);
    expect(plan.writes).toEqual([{ op: 'delete', id: 'gone', expectedVersion: 3 }]);
  });

  it('forgets without a notice a finding that was never sent and is gone', () => {
    const stored = aStoredFinding({ id: 'quiet', lastSentAt: null });

    const plan = planDelivery(aReport([]), aState([stored]), options());

    expect(plan.notices).toEqual([]);
    expect(plan.writes).toEqual([{ op: 'delete', id: 'quiet', expectedVersion: 1 }]);
  });

  it('keeps a finding open when its resource could not be read this time', () => {
    const stored = aStoredFinding({ id: 'kept' });
    const unreadable = aFinding({
      kind: 'check-incomplete',
      severity: 'MEDIUM',
      resource: { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: null, arn: null },
    });

    const plan = planDelivery(aReport([unreadable]), aState([stored]), options());

    expect(plan.notices.filter((n) => n.status === 'resolved')).toEqual([]);
    expect(plan.unconfirmed.map((f) => f.id)).toEqual(['kept']);
    expect(plan.writes.filter((w) => w.op === 'delete')).toEqual([]);
  });

  it('keeps a finding open when its resource is listed as not checked', () => {
    const stored = aStoredFinding({ id: 'kept' });
    const report = aReport([], {
      coverage: {
        checked: [],
        notChecked: [
          {
            resource: { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: null },
            reason: 'x',
          },
        ],
      },
    });

    const plan = planDelivery(report, aState([stored]), options());

    expect(plan.unconfirmed.map((f) => f.id)).toEqual(['kept']);
  });

  it('says a finding closed because its resource left the stack', () => {
    const stored = aStoredFinding({ id: 'left' });
    const report = aReport([], { coverage: { checked: [], notChecked: [] } });

    const plan = planDelivery(report, aState([stored]), options());

    expect(plan.notices[0]?.finding).toMatchObject({
      reason: 'the resource is no longer part of the stack',
    });
  });

  it('plans one id once when two findings carry it, and reports the repeat', () => {
    const first = aFinding({ id: 'same' });
    const second = aFinding({ id: 'same', summary: 'another' });

    const plan = planDelivery(aReport([first, second]), aState(), options());

    expect(plan.notices.map((n) => n.finding.summary)).toEqual([first.summary]);
    expect(plan.writes).toHaveLength(1);
    expect(plan.duplicates).toEqual(['same']);
  });

  it('orders notices by status, then from the highest severity down', () => {
    const low = aFinding({ id: 'a', severity: 'MEDIUM' });
    const high = aFinding({ id: 'b', severity: 'CRITICAL' });
    const resolved = aStoredFinding({ id: 'c', severity: 'CRITICAL' });
    const report = aReport([low, high], {
      coverage: {
        checked: [{ type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: null }],
        notChecked: [],
      },
    });

    const plan = planDelivery(report, aState([resolved]), options());

    expect(plan.notices.map((n) => `${n.status}:${n.finding.id}`)).toEqual([
      'new:b',
      'new:a',
      'resolved:c',
    ]);
  });
});

describe('contentDigest', () => {
  it('ignores the actor and the order of keys', () => {
    const finding = aFinding();
    const reordered = Object.fromEntries(Object.entries(finding).reverse()) as typeof finding;
    const attributed = {
      ...finding,
      actor: {
        arn: 'arn:aws:iam::123456789012:role/Admin',
        principalType: 'AssumedRole',
        sessionName: 'alice',
        eventName: 'UpdateAssumeRolePolicy',
        eventTime: '2026-12-04T09:00:00.000Z',
        sourceIp: '203.0.113.9',
      },
    };

    expect(contentDigest(reordered)).toBe(contentDigest(finding));
    expect(contentDigest(attributed)).toBe(contentDigest(finding));
  });

  it('differs when any part of the content differs', () => {
    const finding = aFinding();

    expect(contentDigest({ ...finding, severity: 'HIGH' })).not.toBe(contentDigest(finding));
    expect(contentDigest({ ...finding, actual: { Statement: [] } })).not.toBe(
      contentDigest(finding),
    );
  });
});
