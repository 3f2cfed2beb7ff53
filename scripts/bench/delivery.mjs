/**
 * What delivering findings costs on top of the check: the built drift-guard bundle, each run a
 * fresh Node process as a cold Lambda would be, against moto's server (CloudFormation, IAM,
 * DynamoDB, SNS delivering to SQS) and a CloudTrail stand-in on loopback that answers every
 * look-up with the change it asks about. For stacks of N roles, each drifted by one added
 * admin inline policy, it runs in turn:
 *
 *   report    a self-check without notify: the check and attribution, nothing sent or stored
 *   first     the scheduled check: N new findings published and recorded
 *   quiet     the same again: nothing to send
 *   resolved  after every role is put back: N resolved findings published, state emptied
 *
 * and reports each run's wall time as a ratio to the report-only run, the SNS messages and
 * bytes, the CloudTrail requests with the time they took against the floor set by CloudTrail's
 * 2 requests a second, the state items left and the process's peak memory. moto itself is
 * slow, so absolute times are not the point; the ratios measured in one run are. Attribution
 * spends at most 40 requests a run (20 seconds at CloudTrail's rate); findings it could not
 * reach are looked up again on runs within 20 minutes of being first seen, which is why a
 * quiet run straight after a large first one still makes requests.
 *
 * Usage: node scripts/bench/delivery.mjs [--roles 10,100]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist');
const BUNDLE = join(DIST, 'drift-guard', 'index.mjs');
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench-secret' };

const { values } = parseArgs({ options: { roles: { type: 'string', default: '10,100' } } });
const SIZES = values.roles.split(',').map(Number);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`--roles: expected whole numbers separated by commas, received ${values.roles}`);
}

function available(command) {
  try {
    execFileSync(command, ['--help'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

async function freePort() {
  return new Promise((done, fail) => {
    const server = netServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function startMoto() {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return { endpoint, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('moto_server did not start');
}

/** Answers each LookupEvents with one PutRolePolicy of the `extra` policy on the role asked. */
function startTrail() {
  const counts = { requests: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      counts.requests += 1;
      const name = JSON.parse(body).LookupAttributes?.[0]?.AttributeValue ?? '';
      const detail = {
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/bench' },
        sourceIPAddress: '198.51.100.7',
        requestParameters: { roleName: name, policyName: 'extra' },
      };
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          Events: [
            {
              EventId: `e-${counts.requests}`,
              EventName: 'PutRolePolicy',
              EventSource: 'iam.amazonaws.com',
              EventTime: Math.floor(Date.now() / 1000) - 60,
              Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: name }],
              CloudTrailEvent: JSON.stringify(detail),
            },
          ],
        }),
      );
    });
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ server, counts, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

const INLINE = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'backup:ListBackupVaults', Resource: '*' }],
};
const ADMIN = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** A stack of `n` roles in moto, its topic, queue and table; returns the drift-guard env. */
async function setUp(endpoint, n, tag) {
  const config = { endpoint, region: REGION, credentials: CREDENTIALS };
  const iam = new IAMClient(config);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const names = Array.from({ length: n }, (_, i) => `bench-${tag}-r${i}`);

  const resources = Object.fromEntries(
    names.map((name, i) => [
      `Role${i}`,
      {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: name,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ecs-tasks.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          Policies: [{ PolicyName: 'base', PolicyDocument: INLINE }],
        },
      },
    ]),
  );
  const stack = await new CloudFormationClient(config).send(
    new CreateStackCommand({
      StackName: `bench-${tag}`,
      TemplateBody: JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: resources,
      }),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  // moto's CloudFormation stores inline policies as Python text; IAM calls set real JSON.
  for (const name of names) {
    const doc = JSON.stringify(INLINE);
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'base', PolicyDocument: doc }),
    );
  }

  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `inbox-${tag}` }))).QueueUrl;
  const queueArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes.QueueArn;
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: `findings-${tag}` }))).TopicArn;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const table = `state-${tag}`;
  await new DynamoDBClient(config).send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );

  const setDrift = async (drifted) => {
    for (const name of names) {
      if (drifted) {
        const doc = JSON.stringify(ADMIN);
        await iam.send(
          new PutRolePolicyCommand({ RoleName: name, PolicyName: 'extra', PolicyDocument: doc }),
        );
      } else {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'extra' }));
      }
    }
  };
  const drain = async () => {
    const bodies = [];
    for (;;) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (!got.Messages?.length) return bodies;
      bodies.push(...got.Messages.map((m) => m.Body));
    }
  };
  const stateItems = async () =>
    (await new DynamoDBClient(config).send(new ScanCommand({ TableName: table }))).Count;

  return {
    env: {
      STACK_ID: stack.StackId,
      TOPIC_ARN: topicArn,
      STATE_TABLE: table,
      EXTERNAL_ID_SHA256: '0'.repeat(64),
      ALERT_MINIMUM_SEVERITY: 'MEDIUM',
      REMINDER_INTERVAL_HOURS: '24',
    },
    setDrift,
    drain,
    stateItems,
  };
}

/** One invocation of the bundle in a fresh process; its wall time, result and peak memory. */
function invoke(env, event) {
  const script = `
    const started = performance.now();
    const { handler } = await import(${JSON.stringify(pathToFileURL(BUNDLE).href)});
    const result = await handler(${JSON.stringify(event)}, {
      awsRequestId: 'bench', getRemainingTimeInMillis: () => 600000,
    });
    const ms = performance.now() - started;
    process.stdout.write('RESULT ' + JSON.stringify({ ms, rssKb: process.resourceUsage().maxRSS,
      result: { status: result.status ?? 'reported', messages: result.messages ?? 0 } }) + '\\n');`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || line === undefined)
        return fail(new Error(`run failed (${code}): ${err.slice(-800)}`));
      const attribution = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .find((entry) => entry.message === 'Attribution');
      done({ ...JSON.parse(line.slice(7)), attribution });
    });
  });
}

function row(cells, widths) {
  return cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
}

async function main() {
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run npm run build (or npm run bench)`);
  if (!available('moto_server')) {
    console.log('skipped: moto_server is not installed (pip install "moto[server]")');
    return;
  }
  const moto = await startMoto();
  const trail = await startTrail();
  const widths = [5, 9, 8, 8, 6, 9, 8, 9, 7, 6];
  console.log(
    row(
      [
        'roles',
        'run',
        'wall s',
        'x report',
        'msgs',
        'bytes',
        'CT reqs',
        'CT s/floor',
        'state',
        'RSS MB',
      ],
      widths,
    ),
  );

  try {
    for (const n of SIZES) {
      const stack = await setUp(moto.endpoint, n, `n${n}`);
      const env = {
        ...stack.env,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ENDPOINT_URL_CLOUDTRAIL: trail.url,
        POWERTOOLS_SERVICE_NAME: 'drift-guard',
      };
      await stack.setDrift(true);

      const runs = [
        ['report', { action: 'self-check', notify: false }, null],
        ['first', { action: 'check' }, null],
        ['quiet', { action: 'check' }, null],
        ['resolved', { action: 'check' }, () => stack.setDrift(false)],
      ];
      let reportMs = 0;
      for (const [name, event, before] of runs) {
        if (before) await before();
        trail.counts.requests = 0;
        const measured = await invoke(env, event);
        const bodies = await stack.drain();
        const bytes = bodies.reduce((sum, b) => sum + Buffer.byteLength(b), 0);
        if (name === 'report') reportMs = measured.ms;
        const requests = trail.counts.requests;
        const ctSeconds = (measured.attribution?.durationMs ?? 0) / 1000;
        const floor = requests / 2;
        console.log(
          row(
            [
              n,
              name,
              (measured.ms / 1000).toFixed(2),
              (measured.ms / reportMs).toFixed(2),
              bodies.length,
              bytes,
              requests,
              floor > 0 ? (ctSeconds / floor).toFixed(2) : '-',
              await stack.stateItems(),
              (measured.rssKb / 1024).toFixed(0),
            ],
            widths,
          ),
        );
      }
    }
  } finally {
    moto.child.kill('SIGTERM');
    trail.server.close();
  }
  console.log(
    '\nx report: wall time over the report-only self-check of the same stack, in this run.' +
      "\nCT s/floor: time attribution took over requests / 2 per second (CloudTrail's limit)." +
      '\nstate: items in the state table after the run (findings, check, lease, outbox).',
  );
}

await main();
