import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../../functions/cli/io';
import { run } from '../../../functions/cli/self-check';
import { CloudFormationAdapter } from '../../../functions/engine/aws/cloudformation';
import { LambdaAdapter } from '../../../functions/engine/aws/lambda';
import type { CheckReport } from '../../../functions/engine/drift/types';
import { aFinding, aReport } from '../engine/drift/run-builders';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);

function io(partial: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: { AWS_REGION: 'eu-west-1' },
      cwd: '/',
      isTty: false,
      ...partial,
    } satisfies CliIo,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const clients = () => ({
  cloudformation: new CloudFormationAdapter(new CloudFormationClient({})),
  lambda: new LambdaAdapter(new LambdaClient({})),
});

function answers(payload: unknown, functionError?: string) {
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    FunctionError: functionError,
    Payload: Buffer.from(JSON.stringify(payload)) as never,
  });
}

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'DriftGuardFunction',
        PhysicalResourceId: 'acme-DriftGuardFunction-1A2B',
        ResourceType: 'AWS::Lambda::Function',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
});

describe('self-check', () => {
  it('invokes the stack drift guard without notifying and prints its report as JSON', async () => {
    const report = aReport([aFinding()]);
    answers(report);
    const cli = io();

    const code = await run(['--stack', 'acme', '--format', 'json'], cli.io, clients);

    expect(code).toBe(1);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'acme-DriftGuardFunction-1A2B',
      InvocationType: 'RequestResponse',
    });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(Buffer.from(sent).toString())).toEqual({
      action: 'self-check',
      notify: false,
    });
    expect(JSON.parse(cli.stdout())).toMatchObject({
      stack: 'acme-connector',
      findings: [{ kind: 'trust-policy-changed' }],
    });
  });

  it('exits 0 for a stack in line with its template and 3 when something was not checked', async () => {
    answers(aReport([]));
    const clean = await run(['--stack', 'acme'], io().io, clients);
    answers(aReport([aFinding({ kind: 'check-incomplete', severity: 'MEDIUM' })]));
    const incomplete = await run(['--stack', 'acme'], io().io, clients);

    expect([clean, incomplete]).toEqual([0, 3]);
  });

  it('applies --fail-on as check does', async () => {
    answers(aReport([aFinding({ severity: 'MEDIUM', kind: 'role-setting-changed' })]));

    const code = await run(['--stack', 'acme', '--fail-on', 'high'], io().io, clients);

    expect(code).toBe(0);
  });

  it('asks the function to notify with --notify and says what it sent', async () => {
    const report: CheckReport & { notification: unknown } = {
      ...aReport([aFinding()]),
      notification: {
        status: 'notified',
        runId: 'r-1',
        messages: 1,
        notices: { new: 1, resolved: 0 },
        leaseHeldBy: null,
      },
    };
    answers(report);
    const cli = io();

    await run(['--stack', 'acme', '--notify', '--format', 'json'], cli.io, clients);

    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(Buffer.from(sent).toString())).toEqual({
      action: 'self-check',
      notify: true,
    });
    expect(cli.stderr()).toBe('Sent 1 message(s) under run r-1: 1 new.\n');
    expect(JSON.parse(cli.stdout())).not.toHaveProperty('notification');
  });

  it('says nothing was sent when a scheduled run held the lease', async () => {
    answers({
      ...aReport([]),
      notification: {
        status: 'reported',
        leaseHeldBy: { holder: 'x', purpose: 'check', expiresAt: '2026-12-04T10:10:00.000Z' },
      },
    });
    const cli = io();

    await run(['--stack', 'acme', '--notify'], cli.io, clients);

    expect(cli.stderr()).toContain(
      'Nothing was sent: another run (check) held the lease until 2026-12-04T10:10:00.000Z',
    );
  });

  it('reports a function error and exits 2', async () => {
    answers(
      { errorType: 'StackNotFoundError', errorMessage: 'Stack "acme" was not found.' },
      'Unhandled',
    );
    const cli = io();

    const code = await run(['--stack', 'acme'], cli.io, clients);

    expect(code).toBe(2);
    expect(cli.stderr()).toContain('failed: StackNotFoundError: Stack "acme" was not found.');
  });

  it('refuses an answer that is not a report', async () => {
    answers({ status: 'notified' });
    const cli = io();

    const code = await run(['--stack', 'acme'], cli.io, clients);

    expect(code).toBe(2);
    expect(cli.stderr()).toContain('answered with something other than a report');
  });

  it('says so when the stack has no drift guard, and invokes --function when given', async () => {
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    answers(aReport([]));
    const missing = io();

    const first = await run(['--stack', 'other'], missing.io, clients);
    const second = await run(['--stack', 'other', '--function', 'my-guard'], io().io, clients);

    expect(first).toBe(2);
    expect(missing.stderr()).toContain(
      'expected a connector stack with an AWS::Lambda::Function DriftGuardFunction',
    );
    expect(second).toBe(0);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'my-guard' });
  });

  it.each([
    [
      ['--format', 'yaml', '--stack', 'a'],
      '--format: expected one of text, json, markdown, received "yaml"',
    ],
    [[], '--stack: expected the name of the connector stack (or --function with the'],
    [['--stack', 'a', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with exit 2', async (args, message) => {
    const cli = io();

    const code = await run(args, cli.io, clients);

    expect(code).toBe(2);
    expect(cli.stderr()).toContain(message);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });

  it('says plainly that the stack does not exist, as check does', async () => {
    cfn
      .on(ListStackResourcesCommand)
      .rejects(
        Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }),
      );
    const cli = io();

    const code = await run(['--stack', 'nope', '--region', 'eu-west-1'], cli.io, (region) => ({
      ...clients(),
      cloudformation: new CloudFormationAdapter(new CloudFormationClient({ region })),
    }));

    expect(code).toBe(2);
    expect(cli.stderr()).toBe(
      'Stack "nope": expected an existing CloudFormation stack in region eu-west-1 of the ' +
        'account of the credentials used, and ListStackResources found none there (a stack is ' +
        'found only in the region it was created in).\n',
    );
  });

  it('invokes --function without --stack, reading no stack resources', async () => {
    answers(aReport([]));
    const cli = io();

    const code = await run(['--function', 'my-guard'], cli.io, clients);

    expect(code).toBe(0);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'my-guard' });
    expect(cfn).not.toHaveReceivedCommand(ListStackResourcesCommand);
  });

  it('names the region searched when the function does not exist there', async () => {
    lambda.on(InvokeCommand).rejects(
      Object.assign(new Error('Function not found: my-guard'), {
        name: 'ResourceNotFoundException',
      }),
    );
    const cli = io();

    const code = await run(['--function', 'my-guard', '--region', 'us-east-1'], cli.io, clients);

    expect(code).toBe(2);
    expect(cli.stderr()).toContain(
      'Function "my-guard": expected a Lambda function in region us-east-1 of the account of ' +
        'the credentials used, and Invoke found none there',
    );
  });

  it('shows --function in the synopsis of its help and of a wrong flag, without the options', async () => {
    const help = io();
    const wrong = io();

    await run(['--help'], help.io, clients);
    const code = await run(['--stack', 'a', '--bogus'], wrong.io, clients);

    expect(help.stdout()).toContain('connector-guard self-check --function NAME');
    expect(code).toBe(2);
    expect(wrong.stderr()).toMatch(/^Unknown option '--bogus'/);
    expect(wrong.stderr()).toContain('connector-guard self-check --function NAME');
    expect(wrong.stderr()).toContain('More: connector-guard self-check --help');
    expect(wrong.stderr()).not.toContain('Options:');
  });

  it('colours text only on a terminal, and not when NO_COLOR is set', async () => {
    answers(aReport([aFinding()]));
    const tty = io({ isTty: true });
    const noColor = io({ isTty: true, env: { AWS_REGION: 'eu-west-1', NO_COLOR: '1' } });

    await run(['--stack', 'acme'], tty.io, clients);
    await run(['--stack', 'acme'], noColor.io, clients);

    expect(tty.stdout()).toContain('\u001b[');
    expect(noColor.stdout()).not.toContain('\u001b[');
  });

  it('states in its help which permissions it needs and which failures it retries', async () => {
    const cli = io();

    await run(['--help'], cli.io, clients);

    expect(cli.stdout()).toContain('lambda:InvokeFunction on the function');
    expect(cli.stdout()).toContain('cloudformation:ListStackResources on the stack');
    expect(cli.stdout()).not.toContain('DescribeStacks');
    expect(cli.stdout()).toContain('never after it was sent');
  });

  it('needs a region', async () => {
    const cli = io({ env: {} });

    const code = await run(['--stack', 'acme'], cli.io, clients);

    expect(code).toBe(2);
    expect(cli.stderr()).toContain('--region');
  });
});
