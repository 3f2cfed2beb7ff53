import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { handle, type Services } from '../../../functions/drift-guard/handler';
import { SnsAdapter } from '../../../functions/engine/aws/sns';
import type { RunDeps } from '../../../functions/engine/drift/run';
import { trailHints } from '../../../functions/engine/drift/trail-hints';
import type { Finding } from '../../../functions/engine/drift/types';
import { clearSecrets, registerSecret } from '../../../functions/engine/log';
import { sha256Hex } from '../../../functions/engine/values';
import { aFinding, aReport, captureLog, MemoryTable } from '../engine/drift/run-builders';

const sns = mockClient(SNSClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme-connector/0a1b';

const ENV = {
  STACK_ID,
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:findings',
  STATE_TABLE: 'acme-connector-state',
  EXTERNAL_ID_SHA256: 'ab'.repeat(32),
  ALERT_MINIMUM_SEVERITY: 'MEDIUM',
  REMINDER_INTERVAL_HOURS: '24',
};

const CONTEXT = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 };

function services(findings: Finding[] = [aFinding()], env: Record<string, string> = ENV) {
  const table = new MemoryTable();
  const captured = captureLog();
  const check = jest.fn(async () => aReport(structuredClone(findings)));
  const made: { deps: RunDeps | null } = { deps: null };
  const built: Services = {
    env,
    log: captured.log,
    deps: (_config, log) => {
      made.deps = {
        check,
        trail: {
          lookupByResourceName: async () => ({ events: [], requests: 1, truncated: false }),
        },
        sns: new SnsAdapter(new SNSClient({})),
        db: table,
        hints: trailHints,
        log,
      };
      return made.deps;
    },
  };
  return { built, table, captured, check };
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  clearSecrets();
});

describe('drift-guard handler', () => {
  it('checks and notifies on the scheduled payload', async () => {
    const { built, check } = services();

    const result = await handle({ action: 'check' }, CONTEXT, built);

    expect(result).toMatchObject({
      status: 'notified',
      stack: 'acme-connector',
      findings: 1,
      notices: { new: 1, changed: 0, reminder: 0, resolved: 0 },
      messages: 1,
    });
    expect(check).toHaveBeenCalledWith({ stack: STACK_ID, externalIdSha256: 'ab'.repeat(32) });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: ENV.TOPIC_ARN,
      MessageStructure: 'json',
    });
  });

  it("shows in the email the command that reports in full, with the function's own name", async () => {
    const { built } = services();

    await handle({ action: 'check' }, { ...CONTEXT, functionName: 'acme-guard-Fn1' }, built);

    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '');
    expect(message.email).toContain(
      'aws lambda invoke --region eu-west-1 --function-name acme-guard-Fn1 ',
    );
  });

  it('returns the report itself on a self-check and sends nothing', async () => {
    const { built, table } = services();

    const result = await handle({ action: 'self-check', notify: false }, CONTEXT, built);

    expect(result).toMatchObject({
      stack: 'acme-connector',
      findings: [{ kind: 'trust-policy-changed' }],
    });
    expect(result).not.toHaveProperty('notification');
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(table.items.size).toBe(0);
  });

  it('treats a self-check without notify as one that does not notify', async () => {
    const { built } = services();

    await handle({ action: 'self-check' }, CONTEXT, built);

    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('adds what was sent to the report of a notifying self-check', async () => {
    const { built } = services();

    const result = await handle({ action: 'self-check', notify: true }, CONTEXT, built);

    expect(result).toMatchObject({
      findings: [{}],
      notification: { status: 'notified', messages: 1, notices: { new: 1 } },
    });
  });

  it.each([
    [{ action: 'scan' }, 'its "action" is not one of them'],
    [{}, 'it has no "action"'],
    ['check', 'the payload is not a JSON object'],
    [{ action: 'self-check', notify: 'yes' }, '"notify" must be true or false'],
    [{ action: 'self-check', notfy: true }, 'unknown members "notfy"'],
    [{ action: 'check', notify: true }, '"check" takes no other members, and got "notify"'],
  ])('refuses the payload %j, naming the accepted ones', async (event, why) => {
    const { built, check } = services();

    const run = handle(event, CONTEXT, built);

    await expect(run).rejects.toThrow(
      /^Payload: expected \{"action": "check"\} .* or \{"action": "self-check", "notify": false\}/,
    );
    await expect(run).rejects.toThrow(why);
    expect(check).not.toHaveBeenCalled();
  });

  it.each([
    ['STACK_ID', undefined, 'Environment variable STACK_ID: expected a value, received none.'],
    ['STACK_ID', 'acme', 'Environment variable STACK_ID: expected a CloudFormation stack ID'],
    [
      'TOPIC_ARN',
      'arn:aws:sqs:eu-west-1:123456789012:q',
      'TOPIC_ARN: expected the ARN of a standard SNS topic, received "arn:aws:sqs',
    ],
    ['STATE_TABLE', 'a b', 'STATE_TABLE: expected a DynamoDB table name'],
    ['EXTERNAL_ID_SHA256', 'xyz', 'EXTERNAL_ID_SHA256: expected 64 hexadecimal digits'],
    [
      'EXTERNAL_ID_FOLDED_SHA256',
      'xyz',
      'EXTERNAL_ID_FOLDED_SHA256: expected 64 hexadecimal digits (the SHA-256 of the external ' +
        'ID lower-cased), received 3 characters',
    ],
    [
      'ALERT_MINIMUM_SEVERITY',
      'URGENT',
      'ALERT_MINIMUM_SEVERITY: expected one of LOW, MEDIUM, HIGH, CRITICAL, received "URGENT"',
    ],
    ['REMINDER_INTERVAL_HOURS', 'daily', 'REMINDER_INTERVAL_HOURS: expected a number of hours'],
    ['REMINDER_INTERVAL_HOURS', '-1', 'received "-1"'],
  ])('refuses a bad %s with an error naming it', async (name, value, message) => {
    const env: Record<string, string> = { ...ENV };
    if (value === undefined) delete env[name];
    else env[name] = value;
    const { built, check } = services([], env);

    await expect(handle({ action: 'check' }, CONTEXT, built)).rejects.toThrow(message);
    expect(check).not.toHaveBeenCalled();
  });

  it('lets a failed run raise so that Lambda retries it, with no secret in the error', async () => {
    registerSecret('canary-external-id-41c2');
    const { built, captured } = services();
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('denied for canary-external-id-41c2'), {
        name: 'AuthorizationErrorException',
      }),
    );

    const run = handle({ action: 'check' }, CONTEXT, built);

    await expect(run).rejects.toThrow(/Publishing part 1 of 1/);
    const error = (await run.catch((e: unknown) => e)) as Error;
    expect(`${error.message} ${error.stack}`).not.toContain('canary-external-id-41c2');
    expect(captured.text()).not.toContain('canary-external-id-41c2');
    expect(captured.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Run failed' }),
    );
  });

  it("masks in a failed run's error an external ID known only by its digest", async () => {
    const secret = 'canary-ExtId-found-by-digest-only-7e3a9b1c';
    const env = { ...ENV, EXTERNAL_ID_SHA256: sha256Hex(secret) };
    const { built, captured } = services([aFinding()], env);
    sns
      .on(PublishCommand)
      .rejects(
        Object.assign(new Error(`denied for "${secret}"`), { name: 'AuthorizationErrorException' }),
      );

    const error = (await handle({ action: 'check' }, CONTEXT, built).catch((e) => e)) as Error;

    expect(error.message).toContain('denied for "<secret:external-id>"');
    expect(`${error.message} ${error.stack}`).not.toContain(secret);
    expect(captured.text()).not.toContain(secret);
  });

  it('leases for the time the invocation has left plus a margin', async () => {
    const { built, table } = services();
    let leaseSeen: unknown = null;
    const put = table.put.bind(table);
    table.put = async (name, item, condition) => {
      if (item.sk === 'lease') leaseSeen = item;
      return put(name, item, condition);
    };
    const before = Date.now();

    await handle({ action: 'check' }, CONTEXT, built);

    const expires = (leaseSeen as { expiresAtMs: number }).expiresAtMs;
    expect(expires - before).toBeGreaterThanOrEqual(330_000);
    expect(expires - before).toBeLessThan(335_000);
  });
});
