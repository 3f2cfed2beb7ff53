/**
 * The install validator's live checks against moto's IAM, through the real SDK client the
 * function builds (AWS_ENDPOINT_URL points it at moto) and a loopback server standing in for
 * CloudFormation's response URL.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { run } from '../../functions/cli/validate';
import { clearSecrets } from '../../functions/engine/log';
import { handler } from '../../functions/install-validator/handler';
import { type MotoServer, startMoto } from '../helpers/moto';
import { describeWith } from '../helpers/requirements';
import { buildEvent, lambdaContext } from '../unit/engine/cfn/events';
import { type ResponseServer, startResponseServer } from '../unit/engine/cfn/response-server';
import { parameters } from '../unit/engine/validate/builders';

const ACCOUNT = '123456789012';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/connector/0b6f4e2a-3c1d-4e5f-8a9b-0c1d2e3f4a5b`;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

describeWith(['moto'], 'install validator against IAM', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let server: ResponseServer;
  let requests = 0;

  beforeAll(async () => {
    moto = await startMoto();
    iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint });
  }, 60_000);

  afterAll(async () => {
    iam?.destroy();
    await moto?.stop();
  });

  let logs: string[];
  let quiet: jest.SpyInstance[];

  beforeEach(async () => {
    await moto.reset();
    server = await startResponseServer();
    logs = [];
    quiet = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        logs.push(String(chunk));
        return true;
      }),
    );
  });

  afterEach(async () => {
    for (const spy of quiet) spy.mockRestore();
    await server.close();
    clearSecrets();
  });

  async function createPolicy(name: string, document: object): Promise<string> {
    const out = await iam.send(
      new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }),
    );
    return out.Policy?.Arn ?? '';
  }

  async function createRole(name: string): Promise<void> {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  }

  async function answer(props: Record<string, unknown>, partial: Record<string, unknown> = {}) {
    requests += 1;
    const event = buildEvent({
      RequestId: `moto-${requests}`,
      StackId: STACK_ID,
      ResponseURL: server.url,
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:1:function:v', ...props },
      ...partial,
    });
    await handler(event, lambdaContext(20_000));
    expect(server.accepted()).toHaveLength(1);
    return server.accepted()[0].json ?? {};
  }

  it('accepts policies that exist and warns about what the boundary denies', async () => {
    const compliance = await createPolicy('OrgCompliance', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
    });
    const boundary = await createPolicy('ConnectorBoundary', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: ['ec2:CreateSnapshot', 'ec2:DescribeInstances'], Resource: '*' },
      ],
    });

    const response = await answer(
      parameters({ GlobalManagedPolicies: compliance, GlobalPermissionsBoundary: boundary }),
    );

    expect(response.Status).toBe('SUCCESS');
    expect(String(response.Reason)).toMatch(/valid, with 1 warning/);
    expect(String(response.Reason)).toMatch(
      /\[boundary-blocks-connector\].*explicit Deny.*ec2:DescribeInstances/,
    );
    expect(String(response.Reason)).toMatch(/ec2:CreateSnapshot/);
  });

  it('fails a global policy whose default version is administrator access', async () => {
    const broad = await createPolicy('OrgEverything', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });

    const response = await answer(parameters({ GlobalManagedPolicies: broad }));

    expect(response.Status).toBe('FAILED');
    expect(String(response.Reason)).toMatch(
      /\[global-policy-admin\] .*OrgEverything", which by its default version grants every action/,
    );
  });

  it('fails a global policy or boundary that IAM does not have', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/NoSuchPolicy`;

    const response = await answer(
      parameters({ GlobalManagedPolicies: missing, GlobalPermissionsBoundary: `${missing}2` }),
    );

    expect(response.Status).toBe('FAILED');
    expect(String(response.Reason)).toMatch(/The install inputs have 2 problems/);
    expect(String(response.Reason)).toMatch(/\[policy-not-found\] GlobalManagedPolicies names/);
    expect(String(response.Reason)).toMatch(/\[policy-not-found\] GlobalPermissionsBoundary names/);
  });

  it('fails when a role outside the stack has a name the stack will create', async () => {
    await createRole('acme-connector-backup-lister');
    await createRole('acme-connector-validator');

    const response = await answer(parameters({ IamResourceNamesPrefix: 'acme-' }));

    expect(response.Status).toBe('FAILED');
    expect(String(response.Reason)).toMatch(/The install inputs have 1 problem;/);
    expect(String(response.Reason)).toMatch(/"acme-connector-backup-lister" already exists/);
    expect(String(response.Reason)).not.toMatch(/acme-connector-validator/);
  });

  it("answers SUCCESS to the rollback of a prefix change while the stack's roles exist", async () => {
    await createRole('connector-tenant');
    await createRole('connector-api');
    await createPolicy('connector-backup-data-protection', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
    });

    const response = await answer(parameters({}), {
      RequestType: 'Update',
      PhysicalResourceId: 'InstallValidation-original',
      OldResourceProperties: parameters({ IamResourceNamesPrefix: 'acme-' }),
    });

    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'InstallValidation-original',
      Reason: 'The install inputs are valid.',
    });
  });

  it('fails when a managed policy the stack will create already exists', async () => {
    await createPolicy('connector-backup-data-protection', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
    });

    const response = await answer(parameters({}));

    expect(response.Status).toBe('FAILED');
    expect(String(response.Reason)).toMatch(/\[policy-name-taken\]/);
  });

  it('answers SUCCESS when nothing in IAM stands in the way', async () => {
    const response = await answer(parameters({ IamResourceNamesPrefix: 'fresh-' }));

    expect(response).toMatchObject({ Status: 'SUCCESS', Reason: 'The install inputs are valid.' });
  });

  it('keeps a canary external ID out of the logs and the response while IAM is consulted', async () => {
    const canary = 'CANARY-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    await createRole('connector-scanner');

    const response = await answer(parameters({ TenantExternalId: canary }));

    expect(response.Status).toBe('FAILED');
    expect(logs.join('')).toMatch(/"rule":"role-name-taken"/);
    expect(logs.join('') + JSON.stringify(response)).not.toContain('CANARY');
  });

  it('runs the same live checks from the CLI with --live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-live-'));
    const file = join(dir, 'params.json');
    await createRole('connector-api');
    writeFileSync(file, JSON.stringify(parameters()));
    const out: string[] = [];

    try {
      const code = await run(['--params', file, '--live', '--format', 'json'], {
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
        env: { AWS_REGION: 'us-east-1' },
        cwd: resolve(__dirname, '../..'),
        isTty: false,
      });

      expect(code).toBe(1);
      const report = JSON.parse(out.join(''));
      expect(report.errors.map((e: { rule: string }) => e.rule)).toEqual(['role-name-taken']);
      expect(report.warnings).toContainEqual(
        expect.objectContaining({
          rule: 'live-check-unavailable',
          message: expect.stringMatching(/--account/),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
