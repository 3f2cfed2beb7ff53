import { createHash } from 'node:crypto';
import { GetPolicyCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { customResourceProvider, MAX_RESPONSE_BYTES } from '../../../functions/engine/cfn';
import { clearSecrets } from '../../../functions/engine/log';
import { handler } from '../../../functions/install-validator/handler';
import { installValidator } from '../../../functions/install-validator/validation';
import templateText from '../../../template/connector.yaml';
import { buildEvent, lambdaContext, snsWrapped } from '../engine/cfn/events';
import { type ResponseServer, startResponseServer } from '../engine/cfn/response-server';
import { awsError, parameters } from '../engine/validate/builders';

const iamMock = mockClient(IAMClient);
const CANARY = 'CANARY-7c1e4b9a2f6d8e3c5a0b9d7f1e2c4a6b';
let server: ResponseServer;
let output: string[];
let restore: (() => void)[];

beforeEach(async () => {
  iamMock.reset();
  iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
  iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
  server = await startResponseServer();
  output = [];
  restore = (['stdout', 'stderr'] as const).map((stream) => {
    const spy = jest.spyOn(process[stream], 'write').mockImplementation((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    });
    return () => spy.mockRestore();
  });
});

afterEach(async () => {
  for (const undo of restore) undo();
  await server.close();
  clearSecrets();
});

let requests = 0;

/** A request with a RequestId of its own: the handler remembers answers by request. */
const event = (partial: Record<string, unknown> = {}) =>
  buildEvent({
    RequestId: `request-${++requests}`,
    ResponseURL: server.url,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:v',
      ...parameters(),
    },
    ...partial,
  });

async function answer(payload: unknown, remainingMs = 30_000) {
  await handler(payload, lambdaContext(remainingMs));
  const accepted = server.accepted();
  expect(accepted).toHaveLength(1);
  return accepted[0];
}

describe('install-validator', () => {
  it('answers a valid Create with SUCCESS and the external ID digests, as given and lower-cased, masked', async () => {
    const response = await answer(event());

    expect(response.json).toMatchObject({
      Status: 'SUCCESS',
      NoEcho: true,
      Reason: 'The install inputs are valid.',
      Data: {
        ExternalIdSha256: createHash('sha256')
          .update(String(parameters().TenantExternalId))
          .digest('hex'),
        ExternalIdFoldedSha256: createHash('sha256')
          .update(String(parameters().TenantExternalId).toLowerCase())
          .digest('hex'),
      },
    });
    expect(response.json?.PhysicalResourceId).toMatch(/^InstallValidation-[0-9a-f]{16}$/);
  });

  it('sends the response as CloudFormation requires', async () => {
    const response = await answer(event());

    expect(response.method).toBe('PUT');
    expect(response.headers['content-type']).toBeUndefined();
    expect(Number(response.headers['content-length'])).toBe(response.bytes);
  });

  it('answers an invalid Create with FAILED, every problem and a non-empty physical ID', async () => {
    const props = parameters({ TenantAccountId: '123', AlertMinimumSeverity: 'loud', Extra: 'x' });

    const response = await answer(event({ ResourceProperties: props }));

    expect(response.json?.Status).toBe('FAILED');
    expect(response.json?.PhysicalResourceId).toMatch(/^InstallValidation-/);
    const reason = String(response.json?.Reason);
    expect(reason).toMatch(/^The install inputs have 3 problems; fix them and deploy again/);
    expect(reason).toMatch(
      /1\) error \[account-id-format\] TenantAccountId must be exactly 12 digits/,
    );
    expect(reason).toMatch(/2\) error \[severity-value\] AlertMinimumSeverity/);
    expect(reason).toMatch(/3\) error \[unknown-parameter\] Extra/);
    expect(response.json).not.toHaveProperty('Data');
  });

  it('answers FAILED when a global policy is AWS administrator access', async () => {
    const props = parameters({
      GlobalManagedPolicies: 'arn:aws:iam::aws:policy/AdministratorAccess',
    });

    const response = await answer(event({ ResourceProperties: props }));

    expect(response.json?.Status).toBe('FAILED');
    const reason = String(response.json?.Reason);
    expect(reason).toMatch(/1\) error \[global-policy-admin\] GlobalManagedPolicies names /);
    expect(reason).toMatch(/, AWS's policy granting every action on every resource\. /);
    expect(reason).toMatch(/attaches it to the roles the vendor can assume, .*\(connector-tenant/);
  });

  it('keeps the response under 4096 bytes when there are many problems, counting the rest', async () => {
    const extras = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`UnknownProperty${i}WithAFairlyLongName`, 'x']),
    );

    const response = await answer(event({ ResourceProperties: parameters(extras) }));

    expect(response.bytes).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(String(response.json?.Reason)).toMatch(
      /The install inputs have 21 problems.* and \d+ more\.$/,
    );
  });

  it('answers an Update with the physical ID it received', async () => {
    const props = parameters();

    const response = await answer(
      event({
        RequestType: 'Update',
        PhysicalResourceId: 'InstallValidation-original',
        OldResourceProperties: props,
      }),
    );

    expect(response.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'InstallValidation-original',
    });
  });

  it('fails an Update only on values that changed and are now invalid', async () => {
    const old = parameters({ NotificationEmail: 'not-an-address' });
    const changed = parameters({ NotificationEmail: 'not-an-address', ReminderIntervalHours: '0' });

    const rollback = await answer(
      event({ RequestType: 'Update', ResourceProperties: old, OldResourceProperties: changed }),
    );

    expect(rollback.json?.Status).toBe('SUCCESS');
    expect(String(rollback.json?.Reason)).toMatch(
      /valid, with 1 warning\. 1\) warning \[email-format\]/,
    );
  });

  it('answers SUCCESS to the rollback of a prefix change while the stack owns its roles', async () => {
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'connector-api' } as never });
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: 'connector-policy' } });

    const response = await answer(
      event({
        RequestType: 'Update',
        ResourceProperties: parameters(),
        OldResourceProperties: parameters({ IamResourceNamesPrefix: 'new-' }),
      }),
    );

    expect(response.json?.Status).toBe('SUCCESS');
    expect(iamMock.commandCalls(GetRoleCommand)).toHaveLength(0);
  });

  it('fails an Update whose changed value is invalid, keeping its physical ID', async () => {
    const response = await answer(
      event({
        RequestType: 'Update',
        PhysicalResourceId: 'InstallValidation-original',
        ResourceProperties: parameters({ ReminderIntervalHours: '0' }),
        OldResourceProperties: parameters(),
      }),
    );

    expect(response.json).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'InstallValidation-original',
    });
    expect(String(response.json?.Reason)).toMatch(/^The changed install inputs have 1 problem;/);
  });

  it.each([
    'InstallValidation-0123456789abcdef',
    'connector-InstallValidation-1XYZ0ABCDEF',
    '2026/12/04/[$LATEST]abcdef0123456789',
  ])('answers Delete of %s with SUCCESS and calls nothing', async (id) => {
    const response = await answer(
      event({ RequestType: 'Delete', PhysicalResourceId: id, ResourceProperties: { Bad: 1 } }),
    );

    expect(response.json).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('refuses an unknown request type naming the allowed ones', async () => {
    const response = await answer(event({ RequestType: 'Replace' }));

    expect(response.json?.Reason).toBe(
      'RequestType must be one of Create, Update, Delete; received "Replace".',
    );
  });

  it('serves a request delivered through SNS', async () => {
    const response = await answer(snsWrapped(event()));

    expect(response.json?.Status).toBe('SUCCESS');
  });

  it('answers a redelivered request with the same status and physical ID', async () => {
    const request = event({ ResourceProperties: parameters({ IamResourceNamesPrefix: 'acme-' }) });
    const first = await answer(request);
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'acme-connector-tenant' } as never });

    await handler(request, lambdaContext());

    const second = server.accepted()[1];
    expect(first.json?.Status).toBe('SUCCESS');
    expect(second.json?.Status).toBe(first.json?.Status);
    expect(second.json?.PhysicalResourceId).toBe(first.json?.PhysicalResourceId);
  });

  it('answers a request redelivered to a new container with the same status and physical ID', async () => {
    const request = event({ ResourceProperties: parameters({ ReminderIntervalHours: '0' }) });
    const container = () => customResourceProvider(installValidator({ templateText }));

    await container()(request, lambdaContext());
    await container()(request, lambdaContext());

    const [first, second] = server.accepted();
    expect(first.json?.Status).toBe('FAILED');
    expect(second.json).toEqual(first.json);
  });

  it('treats a role already taken by another stack as a failure on Create', async () => {
    iamMock
      .on(GetRoleCommand, { RoleName: 'connector-api' })
      .resolves({ Role: { RoleName: 'connector-api' } as never });

    const response = await answer(event({ RequestId: 'taken-1' }));

    expect(response.json?.Status).toBe('FAILED');
    expect(String(response.json?.Reason)).toMatch(
      /\[role-name-taken\] A role named "connector-api"/,
    );
  });

  it('answers FAILED before the deadline while an IAM call hangs', async () => {
    iamMock.on(GetRoleCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();

    const response = await answer(event({ RequestId: 'slow-1' }), 1_500);

    expect(response.json?.Status).toBe('FAILED');
    expect(String(response.json?.Reason)).toMatch(
      /did not finish in the time the function had left/,
    );
    expect(response.at - started).toBeLessThan(1_500);
  });

  it('answers FAILED naming each oversized value, in the time a short deadline leaves', async () => {
    const props = parameters({
      GlobalManagedPolicies: Array.from(
        { length: 50_000 },
        (_, i) => `arn:aws:iam::aws:policy/P${i}`,
      ).join(','),
      ['K'.repeat(500_000)]: 'v',
      NotificationEmail: `a@${'b'.repeat(300_000)}`,
    });

    const response = await answer(event({ ResourceProperties: props }), 1_500);

    expect(server.received).toHaveLength(1);
    const reason = String(response.json?.Reason);
    expect(reason).toMatch(/^The install inputs have 3 problems;/);
    expect(reason).toMatch(/\[value-too-long\] GlobalManagedPolicies may be at most 4096 bytes/);
    expect(reason).toMatch(/\[value-too-long\] NotificationEmail/);
    expect(reason).toMatch(/\[unknown-parameter\] "K{77}\.\.\." \(500000 characters\)/);
  });

  it('sends exactly one response when the validation throws and the server first fails', async () => {
    await server.close();
    server = await startResponseServer({ statuses: [503] });
    const failing = customResourceProvider(
      installValidator({
        templateText,
        iam: () => {
          throw new TypeError('no IAM client');
        },
      }),
    );

    await failing(event(), lambdaContext());

    expect(server.received.map((r) => r.answered)).toEqual([503, 200]);
    expect(server.received[1].text).toBe(server.received[0].text);
    expect(server.received[1].json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/unexpected error: TypeError: no IAM client\./),
    });
  });

  it('answers FAILED with a reason when its template cannot be loaded', async () => {
    const broken = customResourceProvider(
      installValidator({ templateText: 'Resources: [not, a, map' }),
    );

    await broken(event(), lambdaContext());

    expect(server.accepted()).toHaveLength(1);
    expect(server.accepted()[0].json).toMatchObject({ Status: 'FAILED' });
    expect(String(server.accepted()[0].json?.Reason)).toMatch(
      /^Create failed with an unexpected error: TemplateError/,
    );
  });

  it('never shows the external ID or the response URL in logs, reasons or data', async () => {
    const props = parameters({ TenantExternalId: CANARY, TenantAccountId: 'bad', Unknown: CANARY });
    const old = parameters({ TenantExternalId: `${CANARY}-old`, TenantAccountId: 'bad' });

    await handler(event({ RequestId: 'c-1', ResourceProperties: props }), lambdaContext());
    await handler(
      event({
        RequestId: 'c-2',
        RequestType: 'Update',
        ResourceProperties: props,
        OldResourceProperties: old,
      }),
      lambdaContext(),
    );
    await handler(
      event({
        RequestId: 'c-3',
        ResourceProperties: parameters({ TenantExternalId: `${CANARY} x` }),
      }),
      lambdaContext(),
    );

    const everything = output.join('') + server.received.map((r) => r.text).join('');
    expect(server.accepted()).toHaveLength(3);
    expect(output.join('')).toMatch(/"message":"request received"/);
    expect(everything).not.toContain('CANARY');
    expect(output.join('')).not.toContain('SIGNATURE-CANARY');
  });

  it.each([
    ['the external ID', (id: string) => id],
    ['the external ID inside it', (id: string) => `x${id}y`],
    ['part of the external ID', (id: string) => id.slice(5, 25)],
    ['the old external ID of an Update', (id: string) => `${id}-old`],
  ])('withholds or masks a property name that is %s', async (_, name) => {
    const secret = '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8';
    const props = parameters({ TenantExternalId: secret, [name(secret)]: 'x' });
    const old = parameters({ TenantExternalId: `${secret}-old` });

    await handler(
      event({ RequestType: 'Update', ResourceProperties: props, OldResourceProperties: old }),
      lambdaContext(),
    );

    const reason = String(server.accepted()[0].json?.Reason);
    const everything = output.join('') + server.received.map((r) => r.text).join('');
    expect(reason).toMatch(/1\) error \[unknown-parameter\] /);
    for (let i = 0; i + 8 <= secret.length; i += 1) {
      expect(everything).not.toContain(secret.slice(i, i + 8));
    }
  });

  it('masks the external ID inside an error IAM returns, keeping rule names whole', async () => {
    const secret = 'd41d8cd98f00b204e9800998ecf8427e5f2b9c1a';
    iamMock.on(GetRoleCommand).rejects(awsError('ServiceFailure', `broken near ${secret}`));

    const response = await answer(
      event({ ResourceProperties: parameters({ TenantExternalId: secret }) }),
    );

    const reason = String(response.json?.Reason);
    expect(response.json?.Status).toBe('SUCCESS');
    expect(reason).toMatch(/\[live-check-unavailable\] Could not check whether roles named/);
    expect(reason).toContain('broken near ****');
    expect(output.join('') + reason).not.toContain(secret.slice(0, 12));
  });

  it('keeps every piece of the external ID out when other values hold it', async () => {
    const secret = '5f3a9c1e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a';
    const props = parameters({
      TenantExternalId: secret,
      NotificationEmail: secret,
      CodeKeyPrefix: `x${secret}`,
      DriftCheckSchedule: `cron(${secret})`,
      GlobalManagedPolicies: `arn:aws:iam::aws:policy/${secret},${secret.slice(0, 40)},${secret}`,
    });

    const response = await answer(event({ ResourceProperties: props }));

    expect(response.json?.Status).toBe('FAILED');
    const everything = output.join('') + server.received.map((r) => r.text).join('');
    for (let i = 0; i + 10 <= secret.length; i += 1) {
      expect(everything).not.toContain(secret.slice(i, i + 10));
    }
  });

  it.each(['short', 'Tenant', 'rule', 'external', 'TenantExternalId', 'external-id-too-short'])(
    'answers and logs the same for the short external ID %j as for any other of its length',
    async (id) => {
      const filler = 'q'.repeat(id.length);
      const answerFor = async (externalId: string, requestId: string) => {
        output.length = 0;
        const props = parameters({ TenantExternalId: externalId, AlertMinimumSeverity: `x-${id}` });
        await handler(event({ RequestId: requestId, ResourceProperties: props }), lambdaContext());
        const reason = String(server.accepted().at(-1)?.json?.Reason);
        const logged = output
          .join('')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .filter((entry) => entry.message === 'invalid input')
          .map(({ parameter, rule, detail }) => ({ parameter, rule, detail }));
        return { reason, logged };
      };

      const given = await answerFor(id, `short-${id}`);
      const other = await answerFor(filler, `filler-${id}`);

      expect(given).toEqual(other);
      expect(given.reason).toMatch(
        /\[external-id-too-short\] TenantExternalId must be at least 32/,
      );
      expect(given.reason).toContain(`"x-${id}"`);
      expect(JSON.stringify(given)).not.toContain('****');
    },
  );

  it('logs one JSON object a line, with the problems by parameter and rule', async () => {
    await answer(
      event({ RequestId: 'log-1', ResourceProperties: parameters({ AlertMinimumSeverity: 'x' }) }),
    );

    const lines = output
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'invalid input',
        service: 'install-validator',
        parameter: 'AlertMinimumSeverity',
        rule: 'severity-value',
        detail: expect.stringMatching(/^AlertMinimumSeverity must be one of/),
      }),
    );
    expect(output.join('')).not.toMatch(/reserved key/);
  });
});

describe('loading the install-validator module', () => {
  it('runs nothing that can throw, whatever the environment', () => {
    const saved = { ...process.env };
    process.env.POWERTOOLS_LOG_LEVEL = 'NOT-A-LEVEL';
    delete process.env.AWS_REGION;

    try {
      jest.isolateModules(() => {
        const loaded = require('../../../functions/install-validator/handler');
        expect(typeof loaded.handler).toBe('function');
      });
    } finally {
      process.env = saved;
    }
    expect(iamMock.calls()).toHaveLength(0);
  });
});
