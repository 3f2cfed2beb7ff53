import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { LookupRequest, LookupResult } from '../../../../functions/engine/aws/cloudtrail';
import { SnsAdapter } from '../../../../functions/engine/aws/sns';
import {
  PublishError,
  type RunOptions,
  runDriftGuard,
} from '../../../../functions/engine/drift/run';
import { StateWriteError } from '../../../../functions/engine/drift/state';
import { trailHints } from '../../../../functions/engine/drift/trail-hints';
import type { CheckReport, Finding } from '../../../../functions/engine/drift/types';
import { clearSecrets, registerSecret } from '../../../../functions/engine/log';
import { sha256Hex } from '../../../../functions/engine/values';
import { aFinding, aReport, captureLog, MemoryTable } from './run-builders';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme-connector/0a1b';
const CANARY = 'canary-external-id-7f3e9a';
const sns = mockClient(SNSClient);

const options = (partial: Partial<RunOptions> = {}): RunOptions => ({
  stackId: STACK_ID,
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:findings',
  table: 'state',
  externalIdSha256: 'a'.repeat(64),
  minimum: 'MEDIUM',
  reminderHours: 24,
  trigger: 'schedule',
  notify: true,
  holder: 'req-1',
  leaseMs: 60_000,
  ...partial,
});

/** A world for several runs: one table, a clock, and a check whose findings a test sets. */
function world() {
  const table = new MemoryTable();
  const captured = captureLog();
  const lookups: LookupRequest[] = [];
  let now = new Date('2026-12-04T10:00:00.000Z');
  let findings: Finding[] = [];
  let report = (): CheckReport =>
    aReport(structuredClone(findings), {
      coverage: {
        checked: [
          { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'acme-connector-tenant' },
        ],
        notChecked: [],
      },
    });
  let ids = 0;
  const check = jest.fn(async () => report());
  const deps = {
    check,
    trail: {
      lookupByResourceName: async (request: LookupRequest): Promise<LookupResult> => {
        lookups.push(request);
        return { events: [], requests: 1, truncated: false };
      },
    },
    sns: new SnsAdapter(new SNSClient({})),
    db: table,
    hints: trailHints,
    log: captured.log,
    now: () => now,
    newRunId: () => `run-${++ids}`,
  };
  return {
    table,
    deps,
    check,
    lookups,
    captured,
    setFindings: (next: Finding[]) => {
      findings = next;
    },
    setReport: (next: () => CheckReport) => {
      report = next;
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

function published(): { subject: string; json: Record<string, unknown> }[] {
  return sns.commandCalls(PublishCommand).map((call) => {
    const input = call.args[0].input;
    const bodies = JSON.parse(input.Message as string);
    return { subject: input.Subject as string, json: JSON.parse(bodies.sqs) };
  });
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  clearSecrets();
});

describe('runDriftGuard on a schedule', () => {
  it('alerts on the first run, stays quiet on the second and reports the fix on the third', async () => {
    const w = world();
    const drift = aFinding({ resource: { name: 'acme-connector-tenant' } as never });
    w.setFindings([drift]);

    const first = await runDriftGuard(w.deps, options());
    w.advance(3_600_000);
    const second = await runDriftGuard(w.deps, options());
    w.setFindings([]);
    w.advance(3_600_000);
    const third = await runDriftGuard(w.deps, options());

    expect([first.status, second.status, third.status]).toEqual([
      'notified',
      'nothing-to-send',
      'notified',
    ]);
    const [alert, fixed] = published();
    expect(alert?.json).toMatchObject({
      runId: 'run-1',
      findings: [{ id: drift.id, status: 'new' }],
    });
    expect(fixed?.json).toMatchObject({
      runId: 'run-2',
      resolved: [{ id: drift.id, reason: 'back in line with the template' }],
    });
    expect(published()).toHaveLength(2);
    expect(w.table.bySortKey('finding#')).toEqual([]);
    expect(w.table.bySortKey('lease')).toEqual([]);
    expect(w.table.bySortKey('outbox')).toEqual([]);
  });

  it('fails without touching finding state when SNS refuses, and the retry sends under the same run id', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }))
      .resolves({ MessageId: 'm-2' });

    const failed = runDriftGuard(w.deps, options());
    await expect(failed).rejects.toThrow(PublishError);
    await expect(failed).rejects.toThrow(/part 1 of 1 .* no finding state was changed/);
    const stateAfterFailure = w.table.bySortKey('finding#');
    const retry = await runDriftGuard(w.deps, options());

    expect(stateAfterFailure).toEqual([]);
    expect(w.table.bySortKey('lease')).toEqual([]);
    expect(retry.status).toBe('notified');
    expect(published().map((p) => p.json.runId)).toEqual(['run-1', 'run-1']);
    expect(w.table.bySortKey('finding#')).toHaveLength(1);
  });

  it('fails when state cannot be written after SNS accepted, and the repeat carries the same run id', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    w.table.failWrites = (key) =>
      key.sk.startsWith('finding#')
        ? Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' })
        : null;

    await expect(runDriftGuard(w.deps, options())).rejects.toThrow(StateWriteError);
    w.table.failWrites = null;
    await runDriftGuard(w.deps, options());
    await runDriftGuard(w.deps, options());

    expect(published().map((p) => p.json.runId)).toEqual(['run-1', 'run-1']);
  });

  it('does not check while another run holds the lease', async () => {
    const w = world();
    await w.table.put('state', {
      pk: `stack#${STACK_ID}`,
      sk: 'lease',
      holder: 'other',
      purpose: 'check',
      expiresAtMs: Date.parse('2026-12-04T10:05:00.000Z'),
    });

    const outcome = await runDriftGuard(w.deps, options());

    expect(outcome).toMatchObject({
      status: 'skipped-lease-held',
      leaseHeldBy: { holder: 'other' },
    });
    expect(w.check).not.toHaveBeenCalled();
  });

  it('sends nothing and keeps state while the stack is being deployed', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    await runDriftGuard(w.deps, options());
    w.setReport(() =>
      aReport([], {
        skipped: { reason: 'a deploy is in progress', stackStatus: 'UPDATE_IN_PROGRESS' },
      }),
    );

    const outcome = await runDriftGuard(w.deps, options());

    expect(outcome.status).toBe('skipped-busy-stack');
    expect(published()).toHaveLength(1);
    expect(w.table.bySortKey('finding#')).toHaveLength(1);
  });

  it('looks up CloudTrail from shortly before the previous check on later runs', async () => {
    const w = world();
    await runDriftGuard(w.deps, options());
    w.advance(3_600_000);
    w.setFindings([aFinding()]);

    await runDriftGuard(w.deps, options());

    expect(w.lookups[0]?.start.toISOString()).toBe('2026-12-04T09:40:00.000Z');
    expect(w.lookups[0]?.end.toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });

  it('delivers without actors when attribution itself fails', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    w.deps.trail.lookupByResourceName = async () => {
      throw new Error('CloudTrail is unreachable');
    };
    const hints = w.deps.hints;
    w.deps.hints = (finding) => {
      if (finding.kind === 'trust-policy-changed') throw new Error('no hints for this finding');
      return hints(finding);
    };

    const outcome = await runDriftGuard(w.deps, options());

    expect(outcome.status).toBe('notified');
    expect(published()[0]?.json).toMatchObject({ findings: [{ actor: null }] });
    expect(w.captured.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('Attribution failed'),
      }),
    );
  });

  it('logs one line per notice with its role, kind, severity and status, and no document', async () => {
    const w = world();
    const finding = aFinding({ expected: { Statement: [{ Sid: 'DocumentMarker' }] } });
    w.setFindings([finding]);

    await runDriftGuard(w.deps, options());

    const lines = w.captured.entries.filter((e) => e.message === 'Notice');
    expect(lines).toEqual([
      expect.objectContaining({
        fields: expect.objectContaining({
          role: 'acme-connector-tenant',
          kind: 'trust-policy-changed',
          severity: 'CRITICAL',
          status: 'new',
        }),
      }),
    ]);
    expect(w.captured.text()).not.toContain('DocumentMarker');
  });
});

describe('runDriftGuard as a self-check', () => {
  it('returns the report without notifying, taking the lease or writing state', async () => {
    const w = world();
    w.setFindings([aFinding()]);

    const outcome = await runDriftGuard(w.deps, options({ trigger: 'self-check', notify: false }));

    expect(outcome.status).toBe('reported');
    expect(outcome.report?.findings).toHaveLength(1);
    expect(published()).toEqual([]);
    expect(w.table.items.size).toBe(0);
  });

  it('checks but neither waits nor notifies when a scheduled run holds the lease', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    await w.table.put('state', {
      pk: `stack#${STACK_ID}`,
      sk: 'lease',
      holder: 'scheduled',
      purpose: 'check',
      expiresAtMs: Date.parse('2026-12-04T10:05:00.000Z'),
    });

    const outcome = await runDriftGuard(w.deps, options({ trigger: 'self-check', notify: true }));

    expect(outcome).toMatchObject({ status: 'reported', leaseHeldBy: { holder: 'scheduled' } });
    expect(outcome.report?.findings).toHaveLength(1);
    expect(published()).toEqual([]);
    expect(w.table.bySortKey('lease')[0]).toMatchObject({ holder: 'scheduled' });
  });

  it('notifies when asked and the lease is free', async () => {
    const w = world();
    w.setFindings([aFinding()]);

    const outcome = await runDriftGuard(w.deps, options({ trigger: 'self-check', notify: true }));

    expect(outcome.status).toBe('notified');
    expect(published()[0]?.json).toMatchObject({ trigger: 'self-check' });
  });
});

describe('secrets', () => {
  it('lets a registered external ID reach no message, log or report', async () => {
    registerSecret(CANARY);
    const w = world();
    const leaky = aFinding({
      summary: `External ID ${CANARY} was removed`,
      actual: { id: CANARY },
    });
    w.setFindings([leaky]);

    const outcome = await runDriftGuard(w.deps, options());

    const messages = JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input));
    expect(messages).not.toContain(CANARY);
    expect(JSON.stringify(outcome.report)).not.toContain(CANARY);
    expect(w.captured.text()).not.toContain(CANARY);
    expect(JSON.stringify([...w.table.items.values()])).not.toContain(CANARY);
  });
  it('stores an actor whose session name is the external ID, known by digest only, masked', async () => {
    const w = world();
    const session = `arn:aws:sts::123456789012:assumed-role/ops/${CANARY}`;
    w.setFindings([aFinding()]);
    w.deps.trail.lookupByResourceName = async (request) => ({
      events: [
        {
          eventId: 'e-1',
          eventName: 'UpdateAssumeRolePolicy',
          eventSource: 'iam.amazonaws.com',
          eventTime: new Date('2026-12-04T09:59:00.000Z'),
          resourceNames: [request.resourceName],
          userIdentity: {
            type: 'AssumedRole',
            arn: session,
            principalId: `AROAEXAMPLE:${CANARY}`,
            sessionIssuerArn: 'arn:aws:iam::123456789012:role/ops',
            invokedBy: null,
            userName: null,
          },
          sourceIp: '10.0.0.1',
          errorCode: null,
        },
      ],
      requests: 1,
      truncated: false,
    });

    const outcome = await runDriftGuard(w.deps, options({ externalIdSha256: sha256Hex(CANARY) }));

    const stored = w.table.bySortKey('finding#');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(CANARY);
    expect(JSON.parse(String(stored[0]?.actor))).toMatchObject({
      arn: 'arn:aws:iam::123456789012:role/ops',
      sessionName: '<secret:external-id>',
    });
    const messages = JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input));
    expect(messages).toContain('role/ops');
    expect(messages).not.toContain(CANARY);
    expect(JSON.stringify(outcome.report)).not.toContain(CANARY);
    expect(w.captured.text()).not.toContain(CANARY);
  });

  it('masks an actor read back from state before it is sent again', async () => {
    const w = world();
    w.setFindings([aFinding()]);
    await runDriftGuard(w.deps, options({ externalIdSha256: sha256Hex(CANARY) }));
    const [item] = w.table.bySortKey('finding#');
    const actor = {
      arn: 'arn:aws:iam::1:role/ops',
      principalType: 'AssumedRole',
      sessionName: CANARY,
    };
    await w.table.put('state', { ...item, actor: JSON.stringify(actor) } as never);
    w.advance(25 * 3_600_000);

    const outcome = await runDriftGuard(w.deps, options({ externalIdSha256: sha256Hex(CANARY) }));

    expect(published()[1]?.json).toMatchObject({ findings: [{ status: 'reminder' }] });
    const messages = JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input));
    expect(messages).toContain('<secret:external-id>');
    expect(messages).not.toContain(CANARY);
    expect(JSON.stringify(outcome.report)).not.toContain(CANARY);
    expect(JSON.stringify([...w.table.items.values()])).not.toContain(CANARY);
  });
});

describe('runDriftGuard over many runs', () => {
  /** Five findings, each in two versions of its content, all at or above the minimum. */
  const pool = Array.from({ length: 5 }, (_, i) =>
    [0, 1].map((version) =>
      aFinding({
        id: `f${i}`,
        severity: i % 2 === 0 ? 'CRITICAL' : 'HIGH',
        summary: `finding ${i}, content ${version}`,
      }),
    ),
  );
  /** Each run: for each finding, absent (-1) or present in version 0 or 1. */
  const runs = fc.array(fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 5, maxLength: 5 }), {
    minLength: 1,
    maxLength: 8,
  });

  it('sends exactly what changed since the last run and remembers exactly what is open', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (sequence) => {
        sns.reset();
        sns.on(PublishCommand).resolves({ MessageId: 'm' });
        const w = world();
        let open = new Map<string, string>();

        for (const picks of sequence) {
          const present = picks.flatMap((v, i) => (v < 0 ? [] : [pool[i]?.[v] as Finding]));
          w.setFindings(present);
          const before = sns.commandCalls(PublishCommand).length;

          await runDriftGuard(w.deps, options({ reminderHours: 0 }));

          const sent = sns
            .commandCalls(PublishCommand)
            .slice(before)
            .map((c) => JSON.parse(JSON.parse(c.args[0].input.Message as string).sqs));
          const statuses = new Map<string, string>();
          for (const body of sent) {
            for (const f of body.findings) statuses.set(f.id, f.status);
            for (const f of body.resolved) statuses.set(f.id, f.status);
          }
          const expected = new Map<string, string>();
          for (const f of present) {
            if (!open.has(f.id)) expected.set(f.id, 'new');
            else if (open.get(f.id) !== f.summary) expected.set(f.id, 'changed');
          }
          for (const id of open.keys()) {
            if (!present.some((f) => f.id === id)) expected.set(id, 'resolved');
          }
          expect(statuses).toEqual(expected);

          open = new Map(present.map((f) => [f.id, f.summary]));
          const stored = w.table.bySortKey('finding#').map((item) => item.id);
          expect(stored.sort()).toEqual([...open.keys()].sort());
          w.advance(3_600_000);
        }
      }),
      { numRuns: 40 },
    );
  });
});
