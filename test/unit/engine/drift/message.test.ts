import fc from 'fast-check';
import { publishedSize, SNS_MESSAGE_LIMIT_BYTES } from '../../../../functions/engine/aws/sns';
import {
  buildMessages,
  JSON_PROTOCOLS,
  type MessageContext,
  TEXT_PROTOCOLS,
} from '../../../../functions/engine/drift/message';
import type { Notice } from '../../../../functions/engine/drift/notify';
import type { Severity } from '../../../../functions/engine/drift/types';
import { aFinding } from './run-builders';

function context(partial: Partial<MessageContext> = {}): MessageContext {
  return {
    topicArn: 'arn:aws:sns:eu-west-1:123456789012:findings',
    runId: 'run-1',
    stack: 'acme-connector',
    account: '123456789012',
    region: 'eu-west-1',
    checkedAt: '2026-12-04T10:00:00.000Z',
    trigger: 'schedule',
    coverage: { checked: 8, notChecked: 0 },
    ...partial,
  };
}

function aNotice(
  status: 'new' | 'changed' | 'reminder',
  partial: Parameters<typeof aFinding>[0] = {},
): Notice {
  const finding = aFinding(partial);
  return { status, key: `${finding.id}:${status}`, finding };
}

function aResolved(id: string, severity: Severity = 'HIGH'): Notice {
  return {
    status: 'resolved',
    key: `${id}:resolved`,
    finding: {
      id,
      kind: 'inline-policy-added',
      severity,
      resource: { type: 'AWS::IAM::Role', logicalId: 'ScannerRole', name: 'scanner', arn: null },
      summary: 'An inline policy was added.',
      firstSeenAt: '2026-12-03T10:00:00.000Z',
      reason: 'back in line with the template',
    },
  };
}

function jsonOf(message: { bodies: Record<string, string> }) {
  return JSON.parse(message.bodies.sqs as string);
}

describe('buildMessages', () => {
  it('sends nothing when there are no notices', () => {
    expect(buildMessages([], context())).toEqual([]);
  });

  it('puts readable text under default and email and the JSON under every other protocol', () => {
    const notices = [aNotice('new', { id: 'f1' }), aResolved('f2')];

    const [message] = buildMessages(notices, context());

    for (const protocol of TEXT_PROTOCOLS) {
      expect(message?.bodies[protocol]).toContain('[NEW] CRITICAL trust-policy-changed');
      expect(message?.bodies[protocol]).toContain('back in line with the template');
    }
    for (const protocol of JSON_PROTOCOLS) {
      expect(message?.bodies[protocol]).toBe(message?.bodies.sqs);
    }
    expect(jsonOf(message as never)).toMatchObject({
      runId: 'run-1',
      part: 1,
      parts: 1,
      stack: 'acme-connector',
      counts: { new: 1, changed: 0, reminder: 0, resolved: 1 },
      findings: [{ id: 'f1', status: 'new', kind: 'trust-policy-changed' }],
      resolved: [{ id: 'f2', status: 'resolved', reason: 'back in line with the template' }],
      omitted: null,
    });
  });

  it('names who made the change and how to undo it in the text', () => {
    const notice = aNotice('new', {
      actor: {
        arn: 'arn:aws:iam::123456789012:role/Admin',
        principalType: 'AssumedRole',
        sessionName: 'alice',
        eventName: 'UpdateAssumeRolePolicy',
        eventTime: '2026-12-04T09:41:00.000Z',
        sourceIp: '203.0.113.9',
      },
    });

    const [message] = buildMessages([notice], context());

    expect(message?.bodies.email).toContain(
      'Who: arn:aws:iam::123456789012:role/Admin (session alice), UpdateAssumeRolePolicy at ' +
        '2026-12-04T09:41:00.000Z from 203.0.113.9',
    );
    expect(message?.bodies.email).toContain('aws iam update-assume-role-policy');
  });

  it("gives the command that prints the full report, with the function's own name", () => {
    const [named] = buildMessages([aNotice('new')], context({ functionName: 'acme-guard-Fn1' }));
    const [unnamed] = buildMessages([aNotice('new')], context());

    expect(named?.bodies.email).toContain(
      'Full report, sending nothing: aws lambda invoke --region eu-west-1 --function-name ' +
        `acme-guard-Fn1 --cli-binary-format raw-in-base64-out --payload '{"action": ` +
        `"self-check", "notify": false}' --cli-read-timeout 900 self-check.json`,
    );
    expect(unnamed?.bodies.email).toContain(
      "Full report, sending nothing: the command in the stack's SelfCheckCommand output",
    );
  });

  it('sets the filtering attributes from the notices in the message', () => {
    const notices = [
      aNotice('new', { id: 'a', severity: 'HIGH', kind: 'inline-policy-added' }),
      aNotice('changed', { id: 'b', severity: 'CRITICAL', kind: 'trust-policy-changed' }),
      aResolved('c', 'MEDIUM'),
    ];

    const [message] = buildMessages(notices, context());

    expect(message?.attributes).toEqual({
      severity: 'CRITICAL',
      kinds: ['inline-policy-added', 'trust-policy-changed'],
      stack: 'acme-connector',
      account: '123456789012',
      region: 'eu-west-1',
      runId: 'run-1',
    });
  });

  it('keeps the subject ASCII and under 100 characters for the longest stack names', () => {
    const stack = `s${'é'.repeat(20)}${'x'.repeat(107)}`;

    const [message] = buildMessages([aNotice('new')], context({ stack }));

    expect(message?.subject.length).toBeLessThan(100);
    expect(message?.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(message?.subject).toMatch(/^connector-guard CRITICAL drift in s\?+x+\.\.\.: 1 new$/);
  });

  it('says in the subject when everything sent is resolved', () => {
    const [message] = buildMessages([aResolved('r')], context());

    expect(message?.subject).toBe('connector-guard drift resolved in acme-connector: 1 resolved');
  });

  it('splits a long run into numbered parts that are each complete JSON under the limit', () => {
    const notices = Array.from({ length: 30 }, (_, i) => aNotice('new', { id: `f${i}` }));
    const maxBytes = 60_000;

    const messages = buildMessages(notices, context(), { maxBytes, maxParts: 10 });

    expect(messages.length).toBeGreaterThan(1);
    const bodies = messages.map(jsonOf);
    expect(bodies.map((b) => [b.part, b.parts])).toEqual(
      messages.map((_, i) => [i + 1, messages.length]),
    );
    expect(bodies.flatMap((b) => b.findings.map((f: { id: string }) => f.id))).toEqual(
      notices.map((n) => n.finding.id),
    );
    for (const message of messages) expect(publishedSize(message)).toBeLessThanOrEqual(maxBytes);
    expect(messages[1]?.subject).toMatch(/\(2\/\d+\)$/);
  });

  it('summarises with counts what does not fit in the most parts allowed', () => {
    const notices = Array.from({ length: 40 }, (_, i) =>
      aNotice('new', { id: `f${i}`, severity: i % 2 === 0 ? 'HIGH' : 'CRITICAL' }),
    );

    const messages = buildMessages(notices, context(), { maxBytes: 60_000, maxParts: 3 });

    expect(messages).toHaveLength(3);
    const last = jsonOf(messages[2] as never);
    const listed = messages.map(jsonOf).flatMap((b) => b.findings).length;
    expect(last.omitted.count).toBe(40 - listed);
    expect(
      Object.values(last.omitted.bySeverity as Record<string, number>).reduce((a, b) => a + b),
    ).toBe(40 - listed);
    expect(messages[2]?.bodies.email).toContain(`${40 - listed} more notices are not listed`);
    expect(messages[2]?.attributes.severity).toBe('CRITICAL');
  });

  it('drops the documents of a finding too large for a part, and says so', () => {
    const huge = { Statement: [{ Sid: 'x'.repeat(30_000) }] };
    const notice = aNotice('new', { expected: huge, actual: huge });

    const [message] = buildMessages([notice], context(), { maxBytes: 60_000, maxParts: 10 });

    const [finding] = jsonOf(message as never).findings;
    expect(finding.expected).toBeUndefined();
    expect(finding.omitted).toEqual(['expected', 'actual']);
    expect(finding.summary).toBe(notice.finding.summary);
  });

  it('always fits SNS and accounts for every notice, whatever the notices', () => {
    const aNoticeArb = fc.record({
      status: fc.constantFrom('new', 'changed', 'reminder') as fc.Arbitrary<'new'>,
      size: fc.integer({ min: 0, max: 40_000 }),
      severity: fc.constantFrom<Severity>('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
    });
    fc.assert(
      fc.property(fc.array(aNoticeArb, { minLength: 1, maxLength: 60 }), (specs) => {
        const notices = specs.map((spec, i) =>
          aNotice(spec.status, {
            id: `f${i}`,
            severity: spec.severity,
            actual: { Statement: [{ Sid: 'é'.repeat(spec.size) }] },
          }),
        );

        const messages = buildMessages(notices, context());

        const bodies = messages.map(jsonOf);
        const listed = bodies.flatMap((b) => b.findings).length;
        const omitted = bodies.at(-1).omitted?.count ?? 0;
        expect(listed + omitted).toBe(notices.length);
        for (const m of messages) {
          expect(publishedSize(m)).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
        }
      }),
      { numRuns: 25 },
    );
  });
});
