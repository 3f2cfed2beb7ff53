/**
 * A whole drift check against moto's server on loopback, through the real SDK clients: the
 * stack's metadata from moto's CloudFormation, the live IAM state built with IAM calls (moto's
 * CloudFormation stores inline policies as Python text and attaches no managed policies, so the
 * roles are put right through IAM after the stack is created), documents URL-encoded as IAM
 * sends them, pages followed. A small proxy in front of moto injects throttling and access
 * denied for chosen IAM actions.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { run as cli } from '../../functions/cli/check';
import { clientConfig, DEFAULT_MAX_ATTEMPTS } from '../../functions/engine/aws/clients';
import { CloudFormationAdapter } from '../../functions/engine/aws/cloudformation';
import { IamAdapter, iamRetryStrategy } from '../../functions/engine/aws/iam';
import { runCheck } from '../../functions/engine/drift';
import { readPlan } from '../../functions/engine/drift/check';
import { readLiveState } from '../../functions/engine/drift/live-read';
import { parseTemplate, promisedState } from '../../functions/engine/template';
import { sha256Hex } from '../../functions/engine/values';
import { type MotoServer, startMoto } from '../helpers/moto';
import { describeWith } from '../helpers/requirements';

const ACCOUNT = '123456789012';
const VENDOR = '111122223333';
const EXTERNAL_ID = 'integration-canary-ExtId-5b7c9d1e3f5a7b9c';
const STACK = 'guarded';

const TEMPLATE = `
Parameters:
  VendorAccount: { Type: String }
  TenantExternalId: { Type: String, NoEcho: true }
Resources:
  Guard:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: !Sub '\${AWS::StackName}-guard'
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - { Effect: Deny, Action: ['s3:DeleteBucket', 's3:DeleteObject'], Resource: '*' }
  Tenant:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${AWS::StackName}-tenant'
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub 'arn:aws:iam::\${VendorAccount}:root' }
            Action: sts:AssumeRole
            Condition: { StringEquals: { 'sts:ExternalId': !Ref TenantExternalId } }
      ManagedPolicyArns: [!Ref Guard]
      Policies:
        - PolicyName: list-things
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - { Effect: Allow, Action: ['ec2:DescribeInstances', 's3:ListAllMyBuckets'], Resource: '*' }
  Worker:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${AWS::StackName}-worker'
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }
      Policies:
        - PolicyName: read-backups
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - { Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::backups-*/*' }
`;

/** Which IAM actions the proxy answers with an error instead of passing them to moto. */
interface Fault {
  action: string;
  code: 'Throttling' | 'AccessDenied';
  /** How many requests to fail; every one when absent. */
  times?: number;
}

class FaultProxy {
  private server: Server | undefined;
  faults: Fault[] = [];
  readonly injected = new Map<string, number>();

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      });
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private async handle(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
    const fault = this.faults.find((f) => f.action === action && (f.times ?? 1) > 0);
    if (fault !== undefined) {
      if (fault.times !== undefined) fault.times -= 1;
      this.injected.set(fault.code, (this.injected.get(fault.code) ?? 0) + 1);
      const message =
        fault.code === 'Throttling'
          ? 'Rate exceeded'
          : `User is not authorized to perform: iam:${action}`;
      return {
        status: fault.code === 'Throttling' ? 400 : 403,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
      };
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const response = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' ? undefined : body,
    });
    return {
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type') ?? 'text/xml' },
      body: Buffer.from(await response.arrayBuffer()),
    };
  }
}

describeWith(['moto'], 'drift check against moto', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let endpoint: string;

  const direct = () => new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint });
  const deps = (maxAttempts = 3, retryMode = 'adaptive') => {
    const config = { ...clientConfig({ region: 'us-east-1', maxAttempts }), retryMode, endpoint };
    return {
      iam: new IamAdapter(new IAMClient(config)),
      cloudformation: new CloudFormationAdapter(new CloudFormationClient(config)),
    };
  };
  const check = (d = deps(), readMode: 'per-role' | 'account' = 'per-role') =>
    runCheck(d, { stack: STACK, externalIdSha256: sha256Hex(EXTERNAL_ID), readMode });

  beforeAll(async () => {
    moto = await startMoto();
    proxy = new FaultProxy(moto.endpoint);
    endpoint = await proxy.start();
  }, 60_000);

  afterAll(async () => {
    await proxy.stop();
    await moto.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    proxy.faults = [];
    proxy.injected.clear();
    const cfn = new CloudFormationClient({ region: 'us-east-1', endpoint: moto.endpoint });
    await cfn.send(
      new CreateStackCommand({
        StackName: STACK,
        TemplateBody: TEMPLATE,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Parameters: [
          { ParameterKey: 'VendorAccount', ParameterValue: VENDOR },
          { ParameterKey: 'TenantExternalId', ParameterValue: EXTERNAL_ID },
        ],
      }),
    );
    await putRolesRight();
  }, 30_000);

  /** Sets every role's documents and attachments as the template says, through IAM. */
  async function putRolesRight(): Promise<void> {
    const iam = direct();
    const promised = promisedState(parseTemplate(TEMPLATE), {
      accountId: ACCOUNT,
      region: 'us-east-1',
      stackName: STACK,
      parameters: { VendorAccount: VENDOR, TenantExternalId: EXTERNAL_ID },
    });
    const clear = (doc: unknown) =>
      JSON.stringify(doc).replace('"<secret:TenantExternalId>"', JSON.stringify(EXTERNAL_ID));
    for (const role of promised.roles) {
      const name = role.name as string;
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: name,
          PolicyDocument: clear(role.trustPolicy),
        }),
      );
      for (const p of role.inlinePolicies) {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: name,
            PolicyName: p.name as string,
            PolicyDocument: clear(p.document),
          }),
        );
      }
      for (const a of role.managedPolicyArns) {
        await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: a.arn as string }));
      }
    }
  }

  it('finds nothing when the live roles match, reading per role or account-wide', async () => {
    const perRole = await check();
    const account = await check(deps(), 'account');

    expect(perRole.findings).toEqual([]);
    expect(account.findings.filter((f) => f.kind !== 'check-incomplete')).toEqual([]);
    expect(perRole.coverage.checked.map((c) => c.logicalId).sort()).toEqual([
      'Guard',
      'Tenant',
      'Worker',
    ]);
    expect(perRole).toMatchObject({ stack: STACK, account: ACCOUNT, region: 'us-east-1' });
  }, 30_000);

  it('finds each change made through IAM, and never shows the external ID', async () => {
    const iam = direct();
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${VENDOR}:root`, 'arn:aws:iam::444455556666:root'] },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        },
      ],
    };
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: `${STACK}-tenant`,
        PolicyDocument: JSON.stringify(trust),
      }),
    );
    const admin = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'break-glass',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: `${STACK}-worker`, PolicyArn: admin.Policy?.Arn }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: `${STACK}-worker`,
        PolicyName: 'debug',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }],
        }),
      }),
    );

    const report = await check();

    expect(
      report.findings.map((f) => `${f.severity} ${f.kind} ${f.resource.logicalId}`).sort(),
    ).toEqual([
      'CRITICAL managed-policy-attached Worker',
      'CRITICAL trust-policy-changed Tenant',
      'HIGH inline-policy-added Worker',
    ]);
    expect(JSON.stringify(report)).not.toContain(EXTERNAL_ID);
  }, 30_000);

  it("follows every page of a role's attached policies and of the account's roles", async () => {
    const iam = direct();
    for (let i = 0; i < 105; i += 1) {
      const p = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `extra-${i}`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sqs:SendMessage',
                Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q${i}`,
              },
            ],
          }),
        }),
      );
      await iam.send(
        new AttachRolePolicyCommand({ RoleName: `${STACK}-worker`, PolicyArn: p.Policy?.Arn }),
      );
    }
    const d = deps();

    const report = await check(d);
    const promised = promisedState(parseTemplate(TEMPLATE), {
      accountId: ACCOUNT,
      region: 'us-east-1',
      stackName: STACK,
      parameters: { VendorAccount: VENDOR, TenantExternalId: EXTERNAL_ID },
    });
    const paged = deps();
    await readLiveState(paged.iam, readPlan(promised), { mode: 'account', pageSize: 1 });

    expect(report.findings.filter((f) => f.kind === 'managed-policy-attached')).toHaveLength(105);
    expect(d.iam.calls.get('ListAttachedRolePolicies')).toBe(3);
    expect(paged.iam.calls.get('ListRoles')).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('retries throttled reads with backoff and still finds nothing', async () => {
    proxy.faults = [{ action: 'GetRole', code: 'Throttling', times: 3 }];
    const config = { ...clientConfig({ region: 'us-east-1' }), endpoint };
    const iam = new IamAdapter(
      new IAMClient({ ...config, retryStrategy: iamRetryStrategy(DEFAULT_MAX_ATTEMPTS) }),
    );

    // As the functions build it: more attempts than the SDK's 3, so three throttles in a row pass.
    const report = await check({ ...deps(), iam });

    expect(proxy.injected.get('Throttling')).toBe(3);
    expect(report.findings).toEqual([]);
  }, 30_000);

  it('reports a read still throttled after the retries as check-incomplete, not drift', async () => {
    proxy.faults = [{ action: 'GetRolePolicy', code: 'Throttling' }];

    // Standard retries: adaptive mode would also slow every later call, which only costs time here.
    const report = await check(deps(2, 'standard'));

    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.kind === 'check-incomplete')).toBe(true);
    expect(report.findings[0]?.summary).toContain('still throttling');
  }, 30_000);

  it('reports access denied as check-incomplete naming what could not be read', async () => {
    proxy.faults = [{ action: 'ListAttachedRolePolicies', code: 'AccessDenied' }];

    // Standard retries: adaptive mode would also slow every later call, which only costs time here.
    const report = await check(deps(2, 'standard'));

    expect(report.findings.map((f) => [f.kind, f.resource.logicalId]).sort()).toEqual([
      ['check-incomplete', 'Tenant'],
      ['check-incomplete', 'Worker'],
    ]);
    expect(report.findings[0]?.summary).toMatch(
      /managed policies attached to role .* could not be read: access denied/,
    );
  }, 30_000);

  it('runs live from the CLI through AWS_ENDPOINT_URL, comparing the external ID from --params', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-live-'));
    const params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify({ TenantExternalId: EXTERNAL_ID }));
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: {},
      cwd: dir,
      isTty: false,
    };

    const code = await cli(
      ['--stack', STACK, '--region', 'us-east-1', '--params', params, '--format', 'json'],
      io,
    );
    rmSync(dir, { recursive: true, force: true });

    // moto's DescribeStacks shows NoEcho values in clear where CloudFormation shows ****, so
    // the check without --params is covered by the unit tests, not here.
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ stack: STACK, findings: [] });
    expect(out.join('')).not.toContain(EXTERNAL_ID);
  }, 30_000);
  it('prints neither the external ID nor another put in its place, in any format', async () => {
    const replacement = 'integration-canary-Swapped-0d2e4f6a8c0e';
    await direct().send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: `${STACK}-tenant`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${VENDOR}:root` },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': replacement } },
            },
          ],
        }),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'cg-live-'));
    const params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify({ TenantExternalId: EXTERNAL_ID }));
    const printed: string[] = [];
    const codes: number[] = [];

    for (const format of ['text', 'json', 'markdown']) {
      const io = {
        stdout: (t: string) => printed.push(t),
        stderr: (t: string) => printed.push(t),
        env: {},
        cwd: dir,
        isTty: format === 'text',
      };
      codes.push(
        await cli(
          ['--stack', STACK, '--region', 'us-east-1', '--params', params, '--format', format],
          io,
        ),
      );
    }
    rmSync(dir, { recursive: true, force: true });

    expect(codes).toEqual([1, 1, 1]);
    expect(printed.join('')).toContain('<secret:TenantExternalId>');
    for (const text of printed) {
      expect(text).not.toContain(EXTERNAL_ID);
      expect(text).not.toContain(replacement);
    }
  }, 30_000);
});
