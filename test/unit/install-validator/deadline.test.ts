/**
 * The install validator at its deadline, against an IAM stand-in on loopback that never answers:
 * a real SDK client, so that what is asserted is the abort of the calls themselves. Apart from
 * handler.test.ts, whose mocked IAM client would stand in for the whole SDK.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig } from '../../../functions/engine/aws/clients';
import { IamAdapter } from '../../../functions/engine/aws/iam';
import { customResourceProvider } from '../../../functions/engine/cfn';
import { clearSecrets } from '../../../functions/engine/log';
import { installValidator } from '../../../functions/install-validator/validation';
import templateText from '../../../template/connector.yaml';
import { buildEvent, captureLog, lambdaContext } from '../engine/cfn/events';
import { type ResponseServer, startResponseServer } from '../engine/cfn/response-server';
import { parameters } from '../engine/validate/builders';

let responses: ResponseServer;
let iamServer: Server;
let iamRequests: IncomingMessage[];

beforeEach(async () => {
  responses = await startResponseServer();
  iamRequests = [];
  iamServer = createServer((req) => {
    iamRequests.push(req);
  });
  await new Promise<void>((ready) => iamServer.listen(0, '127.0.0.1', ready));
});

afterEach(async () => {
  iamServer.closeAllConnections();
  await new Promise((closed) => iamServer.close(closed));
  await responses.close();
  clearSecrets();
});

/** An adapter on the silent stand-in, whose sockets would stay open for a minute unaborted. */
function hangingIam(): IamAdapter {
  const endpoint = `http://127.0.0.1:${(iamServer.address() as AddressInfo).port}`;
  const config = clientConfig({ region: 'us-east-1', requestTimeoutMs: 60_000, maxAttempts: 1 });
  return new IamAdapter(new IAMClient({ ...config, endpoint }));
}

/** Whether a promise has settled once the events already queued have run. */
async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  const pending = new Promise<string>((resolve) => setImmediate(() => resolve('pending')));
  const settled = promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  );
  return Promise.race([settled, pending]);
}

describe('install-validator at its deadline', () => {
  it('aborts the IAM look-ups still running once it has answered FAILED, and starts no more', async () => {
    const iam = hangingIam();
    const getRole = jest.spyOn(iam, 'getRole');
    const capture = captureLog();
    const handler = customResourceProvider({
      ...installValidator({ templateText, iam: () => iam }),
      createLog: () => capture.log,
    });
    const event = buildEvent({ ResponseURL: responses.url, ResourceProperties: parameters() });

    await handler(event, lambdaContext(2_000));

    const [answer] = responses.accepted();
    expect(answer.json?.Status).toBe('FAILED');
    expect(String(answer.json?.Reason)).toMatch(/did not finish in the time the function had left/);
    const calls = getRole.mock.calls.length;
    expect(calls).toBeGreaterThan(0);
    const signals = getRole.mock.calls.map(([, options]) => options?.abortSignal?.aborted);
    expect(signals).toEqual(Array(calls).fill(true));
    const outcomes = await Promise.all(getRole.mock.results.map((r) => outcomeOf(r.value)));
    expect(outcomes).toEqual(Array(calls).fill('AbortError'));
    expect(iamRequests.length).toBe(calls);
    await Promise.all(iamRequests.map((req) => req.destroyed || once(req, 'close')));
    const logged = capture.entries.map((e) => `${e.level} ${e.message}`);
    expect(logged).toContain('info handler stopped after the deadline answer');
  });
});
