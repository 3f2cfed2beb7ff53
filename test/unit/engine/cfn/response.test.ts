import {
  deliverResponse,
  MAX_RESPONSE_BYTES,
  maskResponseUrl,
  type ResponseBody,
  ResponseDeliveryError,
  withReason,
} from '../../../../functions/engine/cfn';
import { captureLog } from './events';
import { type ResponseServer, startResponseServer } from './response-server';

const identity = {
  PhysicalResourceId: 'InstallValidation-0123456789abcdef',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/connector/id',
  RequestId: 'request-1',
  LogicalResourceId: 'InstallValidation',
};

function body(partial: Partial<ResponseBody> = {}): ResponseBody {
  return { Status: 'SUCCESS', Reason: 'ok', ...identity, ...partial };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('withReason', () => {
  it('keeps a short reason whole with every detail', () => {
    const out = withReason({ Status: 'FAILED', ...identity }, 'Two problems.', ['One.', 'Two.']);

    expect(out.Reason).toBe('Two problems. One. Two.');
  });

  it('lists the details that fit and counts the rest when they do not', () => {
    const details = Array.from({ length: 60 }, (_, i) => `Problem ${i}: ${'x'.repeat(100)}.`);

    const out = withReason({ Status: 'FAILED', ...identity }, '60 problems.', details);

    expect(bytes(out)).toBeLessThan(MAX_RESPONSE_BYTES);
    const shown = (out.Reason ?? '').match(/Problem \d+:/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(out.Reason).toMatch(new RegExp(`\\.\\.\\. and ${60 - shown} more\\.$`));
  });

  it('cuts a single detail too long for the limit, counting multi-byte characters as bytes', () => {
    const out = withReason({ Status: 'FAILED', ...identity }, 'One problem.', ['é'.repeat(5000)]);

    expect(bytes(out)).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(bytes(out)).toBeGreaterThan(MAX_RESPONSE_BYTES - 10);
    expect(out.Reason?.endsWith('…')).toBe(true);
  });

  it('counts the data in the budget', () => {
    const data = { Big: 'd'.repeat(3000) };

    const out = withReason({ Status: 'SUCCESS', ...identity, Data: data }, 'ok', [
      'w'.repeat(2000),
    ]);

    expect(bytes(out)).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(out.Data).toEqual(data);
  });
});

describe('maskResponseUrl', () => {
  it('keeps only the scheme and host of a pre-signed URL', () => {
    const url =
      'https://bucket.s3.amazonaws.com/arn%3Aaws/req?X-Amz-Signature=abc&X-Amz-Credential=k';

    expect(maskResponseUrl(url)).toBe('https://bucket.s3.amazonaws.com/****');
  });

  it('says so instead of echoing text that is not a URL', () => {
    expect(maskResponseUrl('not a url ?X-Amz-Signature=abc')).toBe('<unparseable URL>');
  });
});

describe('deliverResponse', () => {
  let server: ResponseServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends one PUT with the byte length, no content type and the body as JSON', async () => {
    server = await startResponseServer();
    const sent = body({ Reason: 'Validé ✓' });

    await deliverResponse(server.url, sent, {
      deadlineAt: Date.now() + 5_000,
      log: captureLog().log,
    });

    const [request] = await server.waitFor(1);
    expect(server.received).toHaveLength(1);
    expect(request.method).toBe('PUT');
    expect(request.headers['content-type']).toBeUndefined();
    expect(Number(request.headers['content-length'])).toBe(request.bytes);
    expect(request.bytes).toBe(bytes(sent));
    expect(request.json).toEqual(sent);
    expect(request.url).toContain('X-Amz-Signature=SIGNATURE-CANARY');
  });

  it('retries after a 5xx answer and stops at the first accepted one', async () => {
    server = await startResponseServer({ statuses: [503, 500] });

    await deliverResponse(server.url, body(), {
      deadlineAt: Date.now() + 5_000,
      log: captureLog().log,
      baseDelayMs: 10,
    });

    expect(server.received.map((r) => r.answered)).toEqual([503, 500, 200]);
    expect(server.accepted()).toHaveLength(1);
  });

  it('retries when the server does not answer within the socket timeout', async () => {
    server = await startResponseServer({ silentOn: [0] });

    await deliverResponse(server.url, body(), {
      deadlineAt: Date.now() + 5_000,
      log: captureLog().log,
      socketTimeoutMs: 200,
      baseDelayMs: 10,
    });

    expect(server.received).toHaveLength(2);
    expect(server.accepted()).toHaveLength(1);
  });

  it('does not retry an answer that retrying cannot change, such as an expired URL', async () => {
    server = await startResponseServer({ statuses: [403] });

    const sending = deliverResponse(server.url, body(), {
      deadlineAt: Date.now() + 5_000,
      log: captureLog().log,
      baseDelayMs: 10,
    });

    await expect(sending).rejects.toThrow(/HTTP 403/);
    expect(server.received).toHaveLength(1);
  });

  it('gives up after the attempts allowed, without the URL in the error or the log', async () => {
    server = await startResponseServer({ statuses: [500, 500, 500] });
    const capture = captureLog();

    const sending = deliverResponse(server.url, body(), {
      deadlineAt: Date.now() + 5_000,
      log: capture.log,
      maxAttempts: 3,
      baseDelayMs: 10,
    });

    await expect(sending).rejects.toBeInstanceOf(ResponseDeliveryError);
    await expect(sending).rejects.not.toThrow(/SIGNATURE-CANARY/);
    expect(server.received).toHaveLength(3);
    expect(capture.text()).not.toContain('SIGNATURE-CANARY');
  });

  it('starts no attempt once the deadline has passed', async () => {
    server = await startResponseServer();

    const sending = deliverResponse(server.url, body(), {
      deadlineAt: Date.now() - 1,
      log: captureLog().log,
    });

    await expect(sending).rejects.toThrow(/deadline/);
    expect(server.received).toHaveLength(0);
  });

  it('refuses plain http to any host but the loopback', async () => {
    const sending = deliverResponse('http://example.com/response', body(), {
      deadlineAt: Date.now() + 1_000,
      log: captureLog().log,
    });

    await expect(sending).rejects.toThrow(
      /expected an https URL, received one with the scheme http:/,
    );
  });
});
