import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudTrailAdapter, RequestPacer } from '../../../../functions/engine/aws/cloudtrail';
import { type AttributionTarget, attribute } from '../../../../functions/engine/drift/attribution';
import { trailHints } from '../../../../functions/engine/drift/trail-hints';
import { aFinding, captureLog } from './run-builders';

const trail = mockClient(CloudTrailClient);
const CANARY = 'canary-external-id-5d1f0c';
const START = new Date('2026-12-04T08:40:00.000Z');
const END = new Date('2026-12-04T10:00:00.000Z');

beforeEach(() => trail.reset());

/** An adapter whose pacer never sleeps, so tests do not wait. */
function adapter(): CloudTrailAdapter {
  return new CloudTrailAdapter(
    new CloudTrailClient({}),
    new RequestPacer(2, Date.now, async () => undefined),
  );
}

function anEvent(partial: {
  name?: string;
  time?: string;
  roleName?: string;
  policyName?: string;
  policyArn?: string;
  identity?: Record<string, unknown>;
  errorCode?: string;
  source?: string;
  policyDocument?: string;
}) {
  const time = partial.time ?? '2026-12-04T09:41:07Z';
  const identity = partial.identity ?? {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:alice',
    arn: 'arn:aws:sts::123456789012:assumed-role/AdminAccess/alice',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        arn: 'arn:aws:iam::123456789012:role/AdminAccess',
        userName: 'AdminAccess',
      },
    },
  };
  return {
    EventId: `${partial.name}-${time}`,
    EventName: partial.name ?? 'UpdateAssumeRolePolicy',
    EventSource: partial.source ?? 'iam.amazonaws.com',
    EventTime: new Date(time),
    Resources: [
      { ResourceType: 'AWS::IAM::Role', ResourceName: partial.roleName ?? 'acme-tenant' },
    ],
    CloudTrailEvent: JSON.stringify({
      eventName: partial.name ?? 'UpdateAssumeRolePolicy',
      userIdentity: identity,
      sourceIPAddress: '203.0.113.9',
      errorCode: partial.errorCode,
      requestParameters: {
        roleName: partial.roleName ?? 'acme-tenant',
        policyName: partial.policyName,
        policyArn: partial.policyArn,
        policyDocument: partial.policyDocument,
      },
    }),
  };
}

function target(partial: Parameters<typeof aFinding>[0] = {}): AttributionTarget {
  return {
    finding: aFinding({ resource: { name: 'acme-tenant' } as never, ...partial }),
    start: START,
    end: END,
  };
}

describe('attribute', () => {
  it('resolves an assumed-role session to the role behind it, with the session, time and call', async () => {
    trail.on(LookupEventsCommand).resolves({ Events: [anEvent({})] });
    const { log } = captureLog();

    const outcome = await attribute(adapter(), [target()], { hints: trailHints, log });

    expect(outcome.actors.get('id-acme-tenant-trust-policy-changed')).toEqual({
      arn: 'arn:aws:iam::123456789012:role/AdminAccess',
      principalType: 'AssumedRole',
      sessionName: 'alice',
      eventName: 'UpdateAssumeRolePolicy',
      eventTime: '2026-12-04T09:41:07.000Z',
      sourceIp: '203.0.113.9',
    });
    expect(trail).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'acme-tenant' }],
      StartTime: START,
      EndTime: END,
    });
  });

  it('names an IAM user, the root user and an AWS service by their own identity', async () => {
    const identities = [
      { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/bob', userName: 'bob' },
      { type: 'Root', arn: 'arn:aws:iam::123456789012:root' },
      { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' },
    ];
    const actors = [];
    for (const identity of identities) {
      trail.reset();
      trail.on(LookupEventsCommand).resolves({ Events: [anEvent({ identity })] });
      const outcome = await attribute(adapter(), [target()], {
        hints: trailHints,
        log: captureLog().log,
      });
      actors.push(outcome.actors.get('id-acme-tenant-trust-policy-changed'));
    }

    expect(actors.map((a) => [a?.arn, a?.principalType, a?.sessionName])).toEqual([
      ['arn:aws:iam::123456789012:user/bob', 'IAMUser', null],
      ['arn:aws:iam::123456789012:root', 'Root', null],
      ['cloudformation.amazonaws.com', 'AWSService', null],
    ]);
  });

  it('chooses the call that names the finding policy among calls on the same role', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        anEvent({
          name: 'AttachRolePolicy',
          time: '2026-12-04T09:50:00Z',
          policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        }),
        anEvent({
          name: 'AttachRolePolicy',
          time: '2026-12-04T09:30:00Z',
          policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          identity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
        }),
      ],
    });
    const attached = target({
      kind: 'managed-policy-attached',
      actual: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });

    const outcome = await attribute(adapter(), [attached], {
      hints: trailHints,
      log: captureLog().log,
    });

    expect(outcome.actors.get(attached.finding.id)).toMatchObject({
      arn: 'arn:aws:iam::123456789012:user/mallory',
      eventName: 'AttachRolePolicy',
    });
  });

  it('tells apart two inline policies added to one role by their names', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        anEvent({ name: 'PutRolePolicy', time: '2026-12-04T09:50:00Z', policyName: 'harmless' }),
        anEvent({
          name: 'PutRolePolicy',
          time: '2026-12-04T09:20:00Z',
          policyName: 'backdoor',
          identity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
        }),
      ],
    });
    const added = target({
      kind: 'inline-policy-added',
      expected: null,
      actual: { policyName: 'backdoor', document: {} },
    });

    const outcome = await attribute(adapter(), [added], {
      hints: trailHints,
      log: captureLog().log,
    });

    expect(outcome.actors.get(added.finding.id)?.arn).toBe(
      'arn:aws:iam::123456789012:user/mallory',
    );
  });

  it('takes an event CloudTrail found for the resource even if it names it differently', async () => {
    const event = anEvent({ roleName: 'shown-otherwise' });
    event.Resources = [];
    trail.on(LookupEventsCommand).resolves({ Events: [event] });

    const outcome = await attribute(adapter(), [target()], {
      hints: trailHints,
      log: captureLog().log,
    });

    expect(outcome.actors.size).toBe(1);
  });

  it('ignores failed calls, other services, other kinds of call and events outside the window', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        anEvent({ errorCode: 'AccessDenied' }),
        anEvent({ source: 'sts.amazonaws.com' }),
        anEvent({ name: 'TagRole' }),
        anEvent({ time: '2026-12-04T08:00:00Z' }),
      ],
    });

    const outcome = await attribute(adapter(), [target()], {
      hints: trailHints,
      log: captureLog().log,
    });

    expect(outcome.actors.size).toBe(0);
  });

  it('leaves the actor unknown and carries on when the look-up is refused', async () => {
    trail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const { log, entries } = captureLog();

    const outcome = await attribute(adapter(), [target()], { hints: trailHints, log });

    expect(outcome.actors.size).toBe(0);
    expect(outcome.failed).toContain('acme-tenant');
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ resource: 'acme-tenant' }),
      }),
    );
  });

  it('stops searching for the rest of the run after a look-up fails', async () => {
    trail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const first = target({ id: 'a', resource: { name: 'role-a' } as never });
    const second = target({ id: 'b', resource: { name: 'role-b' } as never });

    const outcome = await attribute(adapter(), [first, second], {
      hints: (f) => ({
        resourceNames: [f.resource.name ?? ''],
        eventNames: ['UpdateAssumeRolePolicy'],
      }),
      log: captureLog().log,
    });

    expect(outcome.failed).toHaveLength(1);
    expect(outcome.notLookedUp).toBe(2);
    expect(trail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
  });

  it('searches each resource once for all the findings that name it', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        anEvent({ name: 'PutRolePolicy', policyName: 'extra' }),
        anEvent({ name: 'UpdateAssumeRolePolicy' }),
      ],
    });
    const targets = [
      target(),
      target({ kind: 'inline-policy-added', severity: 'HIGH', id: 'inline' }),
    ];

    const outcome = await attribute(adapter(), targets, {
      hints: () => ({
        resourceNames: ['acme-tenant'],
        eventNames: ['UpdateAssumeRolePolicy', 'PutRolePolicy'],
      }),
      log: captureLog().log,
    });

    expect(outcome.actors.size).toBe(2);
    expect(trail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
  });

  it('follows pages up to its bound', async () => {
    trail.on(LookupEventsCommand).resolves({ Events: [], NextToken: 'more' });

    const outcome = await attribute(adapter(), [target()], {
      hints: () => ({ resourceNames: ['acme-tenant'], eventNames: ['UpdateAssumeRolePolicy'] }),
      log: captureLog().log,
      pagesPerLookup: 3,
    });

    expect(trail).toHaveReceivedCommandTimes(LookupEventsCommand, 3);
    expect(trail).toHaveReceivedNthSpecificCommandWith(2, LookupEventsCommand, {
      NextToken: 'more',
    });
    expect(outcome.requests).toBe(3);
  });

  it('spends its request budget on the most severe findings first', async () => {
    trail.on(LookupEventsCommand).callsFake((input) => {
      const roleName = input.LookupAttributes[0].AttributeValue;
      return { Events: [anEvent({ roleName })] };
    });
    const low = target({ id: 'low', severity: 'LOW', resource: { name: 'low-role' } as never });
    const critical = target({
      id: 'critical',
      severity: 'CRITICAL',
      resource: { name: 'top-role' } as never,
    });

    const outcome = await attribute(adapter(), [low, critical], {
      hints: (f) => ({
        resourceNames: [f.resource.name ?? ''],
        eventNames: ['UpdateAssumeRolePolicy'],
      }),
      log: captureLog().log,
      requestBudget: 1,
    });

    expect([...outcome.actors.keys()]).toEqual(['critical']);
    expect(outcome.notLookedUp).toBe(1);
  });

  it('does not look up findings no call explains', async () => {
    const incomplete = target({ kind: 'check-incomplete', severity: 'MEDIUM' });

    await attribute(adapter(), [incomplete], { hints: trailHints, log: captureLog().log });

    expect(trail).not.toHaveReceivedCommand(LookupEventsCommand);
  });

  it('keeps nothing of the request, so an external ID in it goes nowhere', async () => {
    const document = JSON.stringify({ Condition: { StringEquals: { 'sts:ExternalId': CANARY } } });
    trail.on(LookupEventsCommand).resolves({ Events: [anEvent({ policyDocument: document })] });
    const { log, text } = captureLog();

    const outcome = await attribute(adapter(), [target()], { hints: trailHints, log });

    expect(JSON.stringify([...outcome.actors.values()])).not.toContain(CANARY);
    expect(text()).not.toContain(CANARY);
  });
});

describe('RequestPacer', () => {
  it('lets no more than the given number of calls start in a second', async () => {
    let now = 0;
    const starts: number[] = [];
    const pacer = new RequestPacer(
      2,
      () => now,
      async (ms) => {
        now += ms;
      },
    );

    for (let i = 0; i < 5; i += 1) {
      await pacer.turn();
      starts.push(now);
    }

    expect(starts).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('does not wait when calls are already further apart', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new RequestPacer(
      2,
      () => now,
      async (ms) => {
        sleeps.push(ms);
      },
    );

    await pacer.turn();
    now = 2_000;
    await pacer.turn();

    expect(sleeps).toEqual([]);
  });
});
