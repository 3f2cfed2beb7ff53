/**
 * Whole scheduled runs of the drift guard against moto's server: the real SDK clients read the
 * stack from CloudFormation and the roles from IAM, keep state and the lease in DynamoDB, and
 * publish to SNS, which delivers to an SQS queue the test reads. moto has no CloudTrail event
 * history, so look-ups are answered by a stand-in; and it cannot run custom resources, so the
 * stack is a small one of the test's own, its live IAM state set with IAM calls.
 */

import type { DriftGuardConfig } from '../../functions/drift-guard/config';
import { createRunDeps } from '../../functions/drift-guard/deps';
import { handle, type Services } from '../../functions/drift-guard/handler';
import type {
  LookupRequest,
  LookupResult,
  TrailEvent,
} from '../../functions/engine/aws/cloudtrail';
import { formatReport } from '../../functions/engine/drift/format';
import type { CheckReport } from '../../functions/engine/drift/types';
import { clearSecrets, type Log } from '../../functions/engine/log';
import { type MotoServer, startMoto } from '../helpers/moto';
import { describeWith } from '../helpers/requirements';
import { captureLog } from '../unit/engine/drift/run-builders';
import {
  ACCOUNT,
  createGuardStack,
  type GuardStack,
  REGION,
  STACK,
  TENANT,
} from './drift-guard-stack';

const CANARY = 'canary-external-id-c41d7e2b';

describeWith(['moto'], 'drift guard scheduled runs against moto', () => {
  let moto: MotoServer;
  let stack: GuardStack;
  const trailEvents: TrailEvent[] = [];
  const lookups: LookupRequest[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    stack = await createGuardStack(moto.endpoint, CANARY);
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(() => clearSecrets());

  function services(log: Log, overrides: Record<string, string> = {}): Services {
    return {
      env: { ...stack.env, ...overrides },
      log,
      deps: (config: DriftGuardConfig, runLog: Log) => ({
        ...createRunDeps(config, runLog),
        trail: {
          lookupByResourceName: async (request: LookupRequest): Promise<LookupResult> => {
            lookups.push(request);
            const events = trailEvents.filter((e) =>
              e.resourceNames.includes(request.resourceName),
            );
            return { events, requests: 1, truncated: false };
          },
        },
      }),
    };
  }

  /** Everything that left the function: results, published messages and log entries. */
  const seen: string[] = [];

  async function run(event: unknown, overrides: Record<string, string> = {}) {
    const captured = captureLog();
    try {
      const result = await handle(
        event,
        { awsRequestId: `req-${seen.length}` },
        services(captured.log, overrides),
      );
      seen.push(JSON.stringify(result));
      return result as Record<string, unknown>;
    } finally {
      seen.push(captured.text());
    }
  }

  async function published() {
    const messages = await stack.drain();
    seen.push(JSON.stringify(messages));
    return messages.map((m) => ({
      json: JSON.parse(m.Body as string),
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
    }));
  }

  function assumedRoleEvent(eventName: string, resourceNames: string[]): TrailEvent {
    return {
      eventId: `${eventName}-1`,
      eventName,
      eventSource: 'iam.amazonaws.com',
      eventTime: new Date(Date.now() - 60_000),
      resourceNames,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BreakGlass/mallory`,
        principalId: 'AROAEXAMPLE:mallory',
        sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
        invokedBy: null,
        userName: null,
      },
      sourceIp: '198.51.100.7',
      errorCode: null,
    };
  }

  // The cases below run in order against one account, as successive scheduled runs would.

  it('sends nothing while the roles are as the template promises', async () => {
    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'nothing-to-send', findings: 0 });
    expect(await published()).toEqual([]);
    expect(await stack.stateKeys()).toEqual(['check']);
  });

  it('alerts once on a widened trust and an added admin policy, naming who changed the trust', async () => {
    await stack.widenTheTenant();
    trailEvents.push(assumedRoleEvent('UpdateAssumeRolePolicy', [TENANT]));

    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'notified', messages: 1, notices: { new: 2 } });
    const [message, ...more] = await published();
    expect(more).toEqual([]);
    expect(message?.attributes).toEqual({
      severity: 'CRITICAL',
      kinds: '["inline-policy-added","trust-policy-changed"]',
      stack: STACK,
      account: ACCOUNT,
      region: REGION,
      runId: result.runId,
    });
    const findings = message?.json.findings as { kind: string; status: string; actor: unknown }[];
    expect(findings.map((f) => [f.kind, f.status]).sort()).toEqual([
      ['inline-policy-added', 'new'],
      ['trust-policy-changed', 'new'],
    ]);
    expect(findings.find((f) => f.kind === 'trust-policy-changed')?.actor).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
      sessionName: 'mallory',
      eventName: 'UpdateAssumeRolePolicy',
      sourceIp: '198.51.100.7',
    });
    expect(lookups[0]).toMatchObject({ resourceName: TENANT });
    expect((await stack.stateKeys()).filter((sk) => sk?.startsWith('finding#'))).toHaveLength(2);
  });

  it('sends nothing on the next run when nothing changed', async () => {
    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'nothing-to-send', findings: 2 });
    expect(await published()).toEqual([]);
  });

  it('reports the fix as resolved once the roles are back in line', async () => {
    await stack.restoreTheTenant();

    const result = await run({ action: 'check' });

    expect(result).toMatchObject({ status: 'notified', notices: { resolved: 2 } });
    const [message] = await published();
    expect(message?.json.findings).toEqual([]);
    expect(
      ((message?.json.resolved ?? []) as { kind: string; reason: string }[])
        .map((r) => [r.kind, r.reason])
        .sort(),
    ).toEqual([
      ['inline-policy-added', 'back in line with the template'],
      ['trust-policy-changed', 'back in line with the template'],
    ]);
    expect(await stack.stateKeys()).toEqual(['check']);
  });

  it('returns the same report JSON as the CLI from a self-check, sending and recording nothing', async () => {
    await stack.widenTheTenant();

    const report = await run({ action: 'self-check', notify: false });

    expect((report.findings as unknown[]).length).toBe(2);
    expect(JSON.parse(formatReport(report as unknown as CheckReport, 'json'))).toEqual(report);
    expect(await published()).toEqual([]);
    expect(await stack.stateKeys()).toEqual(['check']);
  });

  it('fails without recording a finding when SNS refuses, and the retry repeats the run id', async () => {
    const missingTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:no-such-topic`;

    await expect(run({ action: 'check' }, { TOPIC_ARN: missingTopic })).rejects.toThrow(
      /Publishing part 1 of 1 .* no finding state was changed/,
    );
    expect(await stack.stateKeys()).toEqual(['check', 'outbox']);
    const retry = await run({ action: 'check' });

    expect(retry).toMatchObject({ status: 'notified', notices: { new: 2 } });
    const [message] = await published();
    expect(message?.json.runId).toBe(retry.runId);
    expect((await stack.stateKeys()).filter((sk) => !sk?.startsWith('finding#'))).toEqual([
      'check',
    ]);
  });

  it('keeps the external ID out of every message, log and result', async () => {
    await stack.restoreTheTenant();
    await run({ action: 'check' });
    await run({ action: 'self-check', notify: true });
    await published();

    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(CANARY);
  });
});
