import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSafeToRetry, LambdaAdapter } from '../../../../functions/engine/aws/lambda';

/** A Lambda stand-in on loopback answering each invocation with the next of `answers`. */
async function standIn(answers: ((res: ServerResponse) => void)[]) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    req.resume();
    req.on('end', () => answers[Math.min(requests.length, answers.length) - 1]?.(res));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  };
  return { url, requests, close };
}

function report(res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end('{"stack":"acme"}');
}

function error(status: number, type: string) {
  return (res: ServerResponse) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-amzn-errortype', type);
    res.end(JSON.stringify({ message: type }));
  };
}

/** Points the Lambda client at `url` while `act` runs. */
async function against<T>(url: string, act: () => Promise<T>): Promise<T> {
  process.env.AWS_ENDPOINT_URL_LAMBDA = url;
  try {
    return await act();
  } finally {
    delete process.env.AWS_ENDPOINT_URL_LAMBDA;
  }
}

describe('LambdaAdapter retries', () => {
  it('retries a throttled invocation', async () => {
    const lambda = await standIn([error(429, 'TooManyRequestsException'), report]);

    const answer = await against(lambda.url, () =>
      LambdaAdapter.create({ region: 'eu-west-1' }).invoke('guard', { action: 'self-check' }),
    );
    await lambda.close();

    expect(answer.payload).toEqual({ stack: 'acme' });
    expect(lambda.requests).toHaveLength(2);
  });

  it('does not retry an invocation that timed out waiting for its answer', async () => {
    const lambda = await standIn([() => {}]);

    const invoked = against(lambda.url, () =>
      LambdaAdapter.create({ region: 'eu-west-1', requestTimeoutMs: 200 }).invoke('guard', {}),
    );

    await expect(invoked).rejects.toMatchObject({ name: 'TimeoutError' });
    await lambda.close();
    expect(lambda.requests).toHaveLength(1);
  });

  it('does not retry a server error, after which the function may have run', async () => {
    const lambda = await standIn([error(500, 'ServiceException'), report]);

    const invoked = against(lambda.url, () =>
      LambdaAdapter.create({ region: 'eu-west-1' }).invoke('guard', {}),
    );

    await expect(invoked).rejects.toMatchObject({ name: 'ServiceException' });
    await lambda.close();
    expect(lambda.requests).toHaveLength(1);
  });

  it('retries a refused connection, which never reached Lambda', async () => {
    const closed = await standIn([]);
    await closed.close();

    const invoked = against(closed.url, () =>
      LambdaAdapter.create({ region: 'eu-west-1', maxAttempts: 3 }).invoke('guard', {}),
    );

    const error = (await invoked.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('Could not connect to Lambda');
    expect(error.cause).toMatchObject({
      message: expect.stringContaining('ECONNREFUSED'),
      $metadata: { attempts: 3 },
    });
  });

  it('counts a connection that never opened as safe to retry, and a read timeout not', () => {
    const connect = Object.assign(
      new Error('the request socket did not establish a connection with the server'),
      { name: 'TimeoutError' },
    );
    const read = Object.assign(new Error('the request socket timed out after 930000 ms'), {
      name: 'TimeoutError',
    });

    expect(isSafeToRetry({ error: connect as never, errorType: 'TRANSIENT' })).toBe(true);
    expect(isSafeToRetry({ error: read as never, errorType: 'TRANSIENT' })).toBe(false);
  });
});
