/**
 * Starts moto's server on a free loopback port for one test file and points the SDK at it.
 * Nothing here or in the tests that use it talks to any other host.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  endpoint: string;
  /** Forgets every resource moto holds, between cases. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s`);
}

/**
 * Starts a server and sets `AWS_ENDPOINT_URL` to it (with static fake credentials, already set
 * by the test setup). Call in `beforeAll`, and `stop()` in `afterAll`.
 */
export async function startMoto(
  options: { loadManagedPolicies?: boolean } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: options.loadManagedPolicies ? 'true' : 'false',
    },
  });
  await waitUntilUp(endpoint, child);
  process.env.AWS_ENDPOINT_URL = endpoint;

  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (process.env.AWS_ENDPOINT_URL === endpoint) delete process.env.AWS_ENDPOINT_URL;
      if (child.exitCode !== null) return;
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    },
  };
}
