import {
  customResourceProvider,
  type ProviderOptions,
  RequestFailure,
  stablePhysicalId,
} from '../../../../functions/engine/cfn';
import { clearSecrets } from '../../../../functions/engine/log';
import { buildEvent, captureLog, lambdaContext, STACK_ID, snsWrapped } from './events';
import { type ResponseServer, startResponseServer } from './response-server';

let server: ResponseServer;

beforeEach(async () => {
  server = await startResponseServer();
});

afterEach(async () => {
  await server.close();
  clearSecrets();
});

function provider(partial: Partial<ProviderOptions> = {}) {
  const capture = captureLog();
  const handler = customResourceProvider({
    service: 'test-resource',
    onCreate: jest.fn(async () => ({ data: { Answer: '42' } })),
    onUpdate: jest.fn(async () => ({})),
    createLog: () => capture.log,
    delivery: { baseDelayMs: 10 },
    ...partial,
  });
  return { handler, capture };
}

const event = (partial: Record<string, unknown> = {}) =>
  buildEvent({ ResponseURL: server.url, ...partial });

describe('customResourceProvider', () => {
  it('answers a Create with SUCCESS, its data and a stable physical ID', async () => {
    const { handler } = provider();

    await handler(event(), lambdaContext());

    const [response] = server.accepted();
    expect(response.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: stablePhysicalId({
        StackId: STACK_ID,
        LogicalResourceId: 'InstallValidation',
      }),
      StackId: STACK_ID,
      RequestId: 'c7a4a1f2-0000-4000-8000-000000000001',
      LogicalResourceId: 'InstallValidation',
      Data: { Answer: '42' },
    });
    expect(String(response.json?.PhysicalResourceId)).not.toMatch(/\d{4}\/\d{2}\/\d{2}\/\[/);
  });

  it('derives the same physical ID on every delivery and a different one per stack', () => {
    const first = stablePhysicalId({ StackId: STACK_ID, LogicalResourceId: 'InstallValidation' });
    const again = stablePhysicalId({ StackId: STACK_ID, LogicalResourceId: 'InstallValidation' });
    const other = stablePhysicalId({
      StackId: `${STACK_ID}x`,
      LogicalResourceId: 'InstallValidation',
    });

    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('uses the physical ID a Create handler gives', async () => {
    const { handler } = provider({ onCreate: async () => ({ physicalResourceId: 'chosen-id' }) });

    await handler(event(), lambdaContext());

    expect(server.accepted()[0].json?.PhysicalResourceId).toBe('chosen-id');
  });

  it('answers an Update with the physical ID it received, whatever the handler says', async () => {
    const { handler } = provider({ onUpdate: async () => ({ physicalResourceId: 'new-id' }) });

    await handler(event({ RequestType: 'Update', PhysicalResourceId: 'kept-id' }), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'kept-id',
    });
  });

  it.each([
    'kept-id',
    'connector-InstallValidation-1A2B3C4D5E6F',
    '2026/12/04/[$LATEST]0123456789abcdef',
  ])('answers Delete of %s with SUCCESS and that ID without calling any handler', async (id) => {
    const onCreate = jest.fn();
    const onUpdate = jest.fn();
    const { handler } = provider({ onCreate, onUpdate });

    await handler(event({ RequestType: 'Delete', PhysicalResourceId: id }), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(onCreate).not.toHaveBeenCalled();
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it('answers Delete with SUCCESS even when the ID is missing', async () => {
    const { handler } = provider();

    await handler(event({ RequestType: 'Delete', PhysicalResourceId: undefined }), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({ Status: 'SUCCESS' });
    expect(server.accepted()[0].json?.PhysicalResourceId).not.toBe('');
  });

  it('answers a failed Create with FAILED, the reason and a non-empty physical ID', async () => {
    const { handler } = provider({
      onCreate: async () => {
        throw new RequestFailure('Two problems.', ['First.', 'Second.']);
      },
    });

    await handler(event(), lambdaContext());

    const [response] = server.accepted();
    expect(response.json).toMatchObject({
      Status: 'FAILED',
      Reason: 'Two problems. First. Second.',
    });
    expect(response.json?.PhysicalResourceId).toEqual(expect.stringMatching(/^InstallValidation-/));
    expect(response.json).not.toHaveProperty('Data');
  });

  it('answers FAILED naming the error when a handler throws unexpectedly', async () => {
    const { handler, capture } = provider({
      onCreate: async () => {
        throw new TypeError('configuration could not load');
      },
    });

    await handler(event(), lambdaContext());

    expect(server.accepted()).toHaveLength(1);
    expect(server.accepted()[0].json?.Reason).toMatch(
      /^Create failed with an unexpected error: TypeError: configuration could not load\./,
    );
    expect(capture.entries.some((e) => e.level === 'error')).toBe(true);
  });

  it('answers FAILED when a handler throws before returning a promise', async () => {
    const { handler } = provider({
      onCreate: () => {
        throw new Error('thrown synchronously');
      },
    });

    await handler(event(), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({ Status: 'FAILED' });
  });

  it('refuses an unknown RequestType by naming the allowed ones and what it got', async () => {
    const { handler } = provider();

    await handler(event({ RequestType: 'Upgrade' }), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({
      Status: 'FAILED',
      Reason: 'RequestType must be one of Create, Update, Delete; received "Upgrade".',
    });
  });

  it('serves a request wrapped in an SNS notification', async () => {
    const { handler } = provider();

    await handler(snsWrapped(event()), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({ Status: 'SUCCESS', Data: { Answer: '42' } });
  });

  it('answers every SNS record that has a response URL when another record is malformed', async () => {
    const { handler, capture } = provider();
    const payload = snsWrapped(
      event({ RequestId: 'first' }),
      event({ RequestId: 'second', RequestType: 'Delete' }),
      event({ RequestId: 'third' }),
    );
    (payload.Records as { Sns: { Message: string } }[])[0].Sns.Message = '{not json';

    await handler(payload, lambdaContext());

    expect(server.received.map((r) => [r.json?.RequestId, r.json?.Status])).toEqual([
      ['second', 'SUCCESS'],
      ['third', 'SUCCESS'],
    ]);
    expect(capture.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'request cannot be answered' }),
    );
  });

  it('logs an SNS delivery without records and sends nothing', async () => {
    const { handler, capture } = provider();

    await handler({ Records: [] }, lambdaContext());

    expect(server.received).toHaveLength(0);
    expect(capture.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'invocation cannot be answered' }),
    );
  });

  it('answers a Delete SUCCESS whatever its properties hold', async () => {
    const { handler } = provider();

    await handler(event({ RequestType: 'Delete', ResourceProperties: 'x' }), lambdaContext());

    expect(server.accepted()[0].json).toMatchObject({ Status: 'SUCCESS' });
  });

  it('lets the handler finish when the context reports more time than a timer can hold', async () => {
    const { handler } = provider({
      onCreate: () => new Promise((resolve) => setTimeout(() => resolve({}), 50)),
    });

    await handler(event(), { getRemainingTimeInMillis: () => 5e9 });

    expect(server.accepted()[0].json).toMatchObject({ Status: 'SUCCESS' });
  });

  it('logs and returns without any request when the payload has no response URL', async () => {
    const { handler, capture } = provider();

    await handler({ RequestType: 'Create' }, lambdaContext());

    expect(server.received).toHaveLength(0);
    expect(capture.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'invocation cannot be answered' }),
    );
  });

  it('sends exactly one response when the server fails first', async () => {
    await server.close();
    server = await startResponseServer({ statuses: [500] });
    const { handler } = provider();

    await handler(event(), lambdaContext());

    expect(server.received.map((r) => r.answered)).toEqual([500, 200]);
    expect(server.accepted()).toHaveLength(1);
  });

  it('throws after failing to deliver, so that Lambda retries the invocation', async () => {
    await server.close();
    server = await startResponseServer({ statuses: [403] });
    const { handler } = provider();

    await expect(handler(event(), lambdaContext())).rejects.toThrow(/could not be delivered/);
  });

  it('answers FAILED before the deadline when the handler hangs', async () => {
    const { handler } = provider({ onCreate: () => new Promise(() => undefined) });
    const started = Date.now();

    await handler(event(), lambdaContext(1_500));

    const [response] = server.accepted();
    expect(response.json).toMatchObject({ Status: 'FAILED' });
    expect(String(response.json?.Reason)).toMatch(
      /did not finish in the time the function had left/,
    );
    expect(response.at - started).toBeLessThan(1_500);
  });

  it('aborts the signal it gave the handler once the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const { handler } = provider({
      onCreate: (_event, context) => {
        seen = context.signal;
        return new Promise(() => undefined);
      },
    });

    await handler(event(), lambdaContext(600));

    expect(seen?.aborted).toBe(true);
  });

  it('logs a handler that stops on the aborted signal as stopped, not as a handler error', async () => {
    const { handler, capture } = provider({
      onCreate: (_event, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });

    await handler(event(), lambdaContext(600));

    const logged = capture.entries.map((e) => `${e.level} ${e.message}`);
    expect(logged).toContain('info handler stopped after the deadline answer');
    expect(logged).not.toContain('error handler error');
    expect(server.accepted()).toHaveLength(1);
    expect(server.accepted()[0].json?.Status).toBe('FAILED');
  });

  it('answers a redelivered request as it answered the first time', async () => {
    let calls = 0;
    const { handler } = provider({
      onCreate: async () => {
        calls += 1;
        if (calls === 1) throw new RequestFailure('Invalid input.');
        return {};
      },
    });

    await handler(event(), lambdaContext());
    await handler(event(), lambdaContext());

    const [first, second] = server.accepted();
    expect(calls).toBe(1);
    expect(second.json).toEqual(first.json);
  });

  it('masks registered secrets and the response URL in the reason and the logs', async () => {
    const canary = 'CANARY-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
    const { handler, capture } = provider({
      secretsOf: (e) => [String(e.ResourceProperties.Secret)],
      onCreate: async () => {
        throw new Error(`bad value ${canary}`);
      },
    });

    await handler(event({ ResourceProperties: { Secret: canary } }), lambdaContext());

    expect(server.accepted()[0].text).not.toContain(canary);
    expect(capture.text()).not.toContain(canary);
    expect(capture.text()).not.toContain('SIGNATURE-CANARY');
  });
});
