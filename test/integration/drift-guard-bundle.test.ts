/**
 * The built drift-guard bundle, run as Lambda would run it (a fresh Node process importing
 * dist/drift-guard/index.mjs and calling `handler`), against moto's server for CloudFormation,
 * IAM, SNS, SQS and DynamoDB, and a CloudTrail stand-in on loopback that answers LookupEvents
 * (moto has none). The built CLI's self-check is run too, against a Lambda stand-in that
 * invokes the bundle. Everything the processes print (Powertools' JSON logs included) is
 * searched for the external ID.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type MotoServer, startMoto } from '../helpers/moto';
import { describeWith } from '../helpers/requirements';
import { ACCOUNT, createGuardStack, type GuardStack, TENANT } from './drift-guard-stack';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const CANARY = 'canary-external-id-9b2f14aa';

/** Answers LookupEvents with one UpdateAssumeRolePolicy by an assumed-role session. */
function cloudTrailStandIn(requests: Record<string, unknown>[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ target: req.headers['x-amz-target'], ...JSON.parse(body || '{}') });
      const detail = {
        eventName: 'UpdateAssumeRolePolicy',
        userIdentity: {
          type: 'AssumedRole',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BreakGlass/mallory`,
          sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass` } },
        },
        sourceIPAddress: '198.51.100.7',
        requestParameters: {
          roleName: TENANT,
          policyDocument: `{"Condition":{"StringEquals":{"sts:ExternalId":"${CANARY}"}}}`,
        },
      };
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          Events: [
            {
              EventId: 'e-1',
              EventName: 'UpdateAssumeRolePolicy',
              EventSource: 'iam.amazonaws.com',
              EventTime: Math.floor(Date.now() / 1000) - 60,
              Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: TENANT }],
              CloudTrailEvent: JSON.stringify(detail),
            },
          ],
        }),
      );
    });
  });
}

describeWith(['moto'], 'the built drift-guard bundle against moto', () => {
  let moto: MotoServer;
  let stack: GuardStack;
  let trail: Server;
  let trailUrl: string;
  let dist: string;
  const trailRequests: Record<string, unknown>[] = [];
  const printed: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'drift-guard-bundle-'));
    const built = run(
      process.execPath,
      ['esbuild.config.mjs', '--outdir', dist, '--skip-load-check'],
      {
        cwd: ROOT,
      },
    );
    moto = await startMoto();
    stack = await createGuardStack(moto.endpoint, CANARY);
    trail = cloudTrailStandIn(trailRequests);
    await new Promise<void>((ready) => trail.listen(0, '127.0.0.1', ready));
    trailUrl = `http://127.0.0.1:${(trail.address() as AddressInfo).port}`;
    await built;
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    await new Promise((closed) => trail?.close(closed));
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  /** Invokes the bundle's handler in a new process; returns its result and what it printed. */
  async function invoke(
    event: unknown,
  ): Promise<{ result: Record<string, unknown>; logs: string[] }> {
    const bundle = pathToFileURL(join(dist, 'drift-guard', 'index.mjs')).href;
    const script = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const context = { awsRequestId: 'req-bundle', getRemainingTimeInMillis: () => 120000 };
      const result = await handler(JSON.parse(process.env.EVENT), context);
      process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ...stack.env,
        EVENT: JSON.stringify(event),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ENDPOINT_URL_CLOUDTRAIL: trailUrl,
        POWERTOOLS_SERVICE_NAME: 'drift-guard',
      },
    });
    printed.push(stdout, stderr);
    const lines = stdout.split('\n').filter(Boolean);
    const resultLine = lines.find((line) => line.startsWith('RESULT ')) as string;
    return {
      result: JSON.parse(resultLine.slice('RESULT '.length)),
      logs: lines.filter((line) => line.startsWith('{')),
    };
  }

  it('alerts with the actor CloudTrail names, logging each notice as JSON', async () => {
    await stack.widenTheTenant();

    const { result, logs } = await invoke({ action: 'check' });

    expect(result).toMatchObject({ status: 'notified', notices: { new: 2 } });
    expect(trailRequests[0]).toMatchObject({
      target: 'CloudTrail_20131101.LookupEvents',
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: TENANT }],
    });
    const [message] = await stack.drain();
    printed.push(JSON.stringify(message));
    const body = JSON.parse(message?.Body as string);
    const trust = body.findings.find((f: { kind: string }) => f.kind === 'trust-policy-changed');
    expect(trust.actor).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
      sessionName: 'mallory',
      sourceIp: '198.51.100.7',
    });
    const notices = logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === 'Notice');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatchObject({ level: 'INFO', service: 'drift-guard', role: TENANT });
  }, 60_000);

  it('returns the report from a self-check and sends nothing', async () => {
    const { result } = await invoke({ action: 'self-check', notify: false });

    expect((result.findings as unknown[]).length).toBe(2);
    expect(await stack.drain()).toEqual([]);
  }, 60_000);

  it('prints through the built CLI what the deployed function reports, in every format, with exit 1 for drift', async () => {
    const invocations: unknown[] = [];
    const lambda = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', async () => {
        invocations.push({ path: req.url, payload: JSON.parse(body) });
        const { result } = await invoke(JSON.parse(body));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(result));
      });
    });
    await new Promise<void>((ready) => lambda.listen(0, '127.0.0.1', ready));
    const lambdaUrl = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;

    const selfCheck = (format: string) =>
      run(
        process.execPath,
        [
          join(dist, 'cli.mjs'),
          'self-check',
          '--stack',
          'guard-it',
          '--function',
          'guard-fn',
          '--format',
          format,
        ],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_ENDPOINT_URL_LAMBDA: lambdaUrl,
          },
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const exit = await selfCheck('json');
    const others = [await selfCheck('text'), await selfCheck('markdown')];
    await new Promise((closed) => lambda.close(closed));

    expect(exit.code).toBe(1);
    expect(invocations).toHaveLength(3);
    expect(invocations[0]).toEqual({
      path: '/2015-03-31/functions/guard-fn/invocations',
      payload: { action: 'self-check', notify: false },
    });
    const printedReport = JSON.parse(exit.stdout);
    expect(printedReport).toMatchObject({ stack: 'guard-it', findings: [{}, {}] });
    expect(others.map((o) => o.code)).toEqual([1, 1]);
    expect(others[0]?.stdout).toContain('trust-policy-changed');
    expect(others[1]?.stdout).toContain('# Drift check of stack `guard-it`');
    for (const printedBy of [exit, ...others]) {
      expect(printedBy.stderr).not.toContain('NodeVersionSupportWarning');
    }
    printed.push(exit.stdout, exit.stderr, ...others.flatMap((o) => [o.stdout, o.stderr]));
  }, 60_000);

  it('refuses an unknown payload with the accepted ones', async () => {
    const refused = invoke({ action: 'scan' });

    await expect(refused).rejects.toThrow(/expected \{"action": "check"\}/);
  }, 60_000);

  it('prints the external ID nowhere', () => {
    expect(printed.length).toBeGreaterThan(3);
    for (const text of printed) expect(text).not.toContain(CANARY);
  });
});
