/**
 * A real HTTP server on 127.0.0.1 that stands in for CloudFormation's pre-signed response URL
 * and records every request it receives, exactly as sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Bytes actually received. */
  bytes: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
  at: number;
  /** The HTTP status the server answered with; 0 when it stayed silent. */
  answered: number;
}

export interface ResponseServer {
  /** A URL shaped like a pre-signed one, with a signature in its query. */
  url: string;
  received: ReceivedRequest[];
  /** The requests answered 2xx. */
  accepted(): ReceivedRequest[];
  /** Resolves with the next request (or the ones already received, in order). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export interface ServerBehaviour {
  /** HTTP statuses to answer with, one per request in order; 200 once they run out. */
  statuses?: number[];
  /** Requests (by 0-based index) to which the server never answers. */
  silentOn?: number[];
}

export async function startResponseServer(
  behaviour: ServerBehaviour = {},
): Promise<ResponseServer> {
  const received: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = received.length;
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const silent = behaviour.silentOn?.includes(index) === true;
      const answered = silent ? 0 : (behaviour.statuses?.[index] ?? 200);
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bytes: body.length,
        text,
        json: parseJson(text),
        at: Date.now(),
        answered,
      });
      for (const wake of waiters.splice(0)) wake();
      if (silent) return;
      res.statusCode = answered;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/cloudformation-custom-resource-response-useast1/arn%3Aaws%3Acloudformation/req?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=SIGNATURE-CANARY`,
    received,
    accepted: () => received.filter((r) => r.answered >= 200 && r.answered < 300),
    async waitFor(count, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = until - Date.now();
        if (left <= 0) throw new Error(`expected ${count} requests, received ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
