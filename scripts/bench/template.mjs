/**
 * The template engine on a template at CloudFormation's limits: just under 1,000,000 bytes of
 * YAML (the most CloudFormation accepts) holding 500 resources (roles with inline policies full
 * of Sub, Join, If and FindInMap, managed policies attached through Roles, policies, topics,
 * queues) and 200 parameters. It times, in one run and
 * on the same text:
 *
 *   yaml parse     the `yaml` package's parseDocument alone, with the schema, tag declarations
 *                  and error options the engine uses: the floor
 *   parseTemplate  the engine's reading: YAML, CloudFormation scalars, short tags, shape checks
 *   promisedState  resolving the parsed template into the IAM state it promises
 *   both           parseTemplate + promisedState, what the drift guard does per check
 *
 * and reports the median of each and the ratio of `both` to the YAML parse.
 *
 * A second table is a parameter list of tens of thousands of managed policy ARNs (what
 * `check --params` gets with a huge GlobalManagedPolicies), attached to ten roles as the
 * connector template attaches it, beside a stack policy whose Roles name them, under a rule and
 * an AllowedPattern that read every member. It times promisedState with N and with 4N ARNs and
 * reports the ratio: about 4 when the work grows linearly, 16 when it grows with the square.
 * A ratio above 8 fails the benchmark.
 *
 * The engine is bundled with esbuild's JS API into a temporary directory first, as the Lambda
 * bundles are.
 *
 * Each step is timed after a full garbage collection (the script re-runs itself with
 * --expose-gc). Usage: node scripts/bench/template.mjs [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle, runsOption } from '../bench-support.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const RUNS = runsOption(15);

function bundleEngine(outdir) {
  return loadBundle(outdir, 'engine', {
    stdin: {
      contents: [
        `export * from '${join(ROOT, 'functions/engine/template/index.ts')}';`,
        `export { YAML_TAGS } from '${join(ROOT, 'functions/engine/template/yaml-reader.ts')}';`,
        `export { parseDocument } from 'yaml';`,
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: join(outdir, 'entry.ts'),
      loader: 'ts',
    },
  });
}

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  'sqs:SendMessage',
  'sns:Publish',
  'kms:Decrypt',
  'logs:PutLogEvents',
];

function role(i) {
  const actions = Array.from(
    { length: 46 },
    (_, k) => `      - ${ACTIONS[k % ACTIONS.length]}${k}`,
  ).join('\n');
  return `  Role${i}:
    Type: AWS::IAM::Role
    Condition: ${i % 7 === 0 ? 'IsProd' : 'Always'}
    Properties:
      RoleName: !Sub '\${Prefix}-role-${i}-\${AWS::Region}'
      Path: /connector/
      MaxSessionDuration: 3600
      PermissionsBoundary: !If [HasBoundary, !Ref Boundary, !Ref AWS::NoValue]
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub
                - 'arn:\${AWS::Partition}:iam::\${Vendor}:root'
                - Vendor: !FindInMap [Vendors, !Ref Site, Account]
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: !Ref ExternalId
      Tags:
        - Key: index
          Value: '${i}'
        - Key: owner
          Value: !Join ['-', [!Ref Prefix, owner, '${i}']]
      Policies:
        - PolicyName: !Sub '\${Prefix}-inline-${i}'
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Sid: Data${i}
                Effect: Allow
                Action:
${actions.replace(/^ {6}/gm, '                  ')}
                Resource:
                  - !Sub 'arn:\${AWS::Partition}:s3:::\${Prefix}-bucket-${i}/*'
                  - !GetAtt Queue${i % 50}.Arn
                  - !Ref Topic${i % 50}
              - Effect: Allow
                Action: iam:PassRole
                Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/connector/\${Prefix}-*'
                Condition:
                  StringEquals:
                    iam:PassedToService: !Select [0, !Split [',', 'lambda.amazonaws.com,states.amazonaws.com']]
`;
}

function managedPolicy(i) {
  const actions = Array.from(
    { length: 72 },
    (_, k) => `              - ${ACTIONS[k % ACTIONS.length]}Extra${k}`,
  ).join('\n');
  return `  Managed${i}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: !Sub '\${Prefix}-managed-${i}'
      Roles:
        - !Ref Role${(i * 3 + 1) % 150 === 0 ? 1 : (i * 3 + 1) % 150}
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action:
${actions}
            Resource: '*'
`;
}

function generateTemplate() {
  const parameters = [
    "  Prefix:\n    Type: String\n    Default: acme\n    AllowedPattern: '[a-z0-9-]+'",
    '  ExternalId:\n    Type: String\n    NoEcho: true\n    MinLength: 8',
    '  Site:\n    Type: String\n    Default: eu\n    AllowedValues: [eu, us]',
    "  Boundary:\n    Type: String\n    Default: ''",
    '  Env:\n    Type: String\n    Default: prod',
    ...Array.from(
      { length: 195 },
      (_, i) => `  Extra${i}:\n    Type: String\n    Default: value-${i}`,
    ),
  ];
  const resources = [];
  for (let i = 0; i < 150; i++) resources.push(role(i));
  for (let i = 0; i < 100; i++) resources.push(managedPolicy(i));
  for (let i = 0; i < 50; i++) {
    resources.push(
      `  Topic${i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '\${Prefix}-topic-${i}'\n`,
    );
    resources.push(
      `  Queue${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '\${Prefix}-queue-${i}'\n`,
    );
  }
  for (let i = 0; i < 150; i++) {
    resources.push(`  Extra${i}:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: !Sub '\${Prefix}-extra-${i}'
      Roles: [!Ref Role${i}]
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: [${Array.from({ length: 44 }, (_, k) => `'${ACTIONS[k % 6]}More${k}'`).join(', ')}]
            Resource: !Join ['', ['arn:aws:sqs:', !Ref AWS::Region, ':', !Ref AWS::AccountId, ':q-${i}']]
`);
  }
  return [
    'AWSTemplateFormatVersion: 2010-09-09',
    'Description: Benchmark template at CloudFormation limits',
    'Parameters:',
    parameters.join('\n'),
    'Mappings:',
    '  Vendors:',
    "    eu: { Account: '012345678901' }",
    '    us: { Account: 210987654321 }',
    'Conditions:',
    "  HasBoundary: !Not [!Equals [!Ref Boundary, '']]",
    '  IsProd: !Equals [!Ref Env, prod]',
    '  Always: !Or [!Condition IsProd, !Not [!Condition IsProd]]',
    'Resources:',
    resources.join(''),
  ].join('\n');
}

const ARN_COUNT = 10_000;
const ARN_GROWTH_LIMIT = 8;

/** Ten roles given the whole ARN list, as the connector template gives GlobalManagedPolicies. */
function arnTemplate() {
  const roles = Array.from(
    { length: 10 },
    (_, i) => `  Role${i}:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${AWS::StackName}-role-${i}'
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }
      ManagedPolicyArns: !If [HasGlobal, !Ref GlobalManagedPolicies, !Ref AWS::NoValue]
`,
  );
  const names = Array.from({ length: 10 }, (_, i) => `!Ref Role${i}`).join(', ');
  return [
    'Parameters:',
    '  GlobalManagedPolicies:',
    '    Type: CommaDelimitedList',
    "    AllowedPattern: '^arn:aws[a-z-]*:iam::(aws|\\d{12}):policy/.+$'",
    'Rules:',
    '  NoEmptyEntry:',
    '    Assertions:',
    "      - Assert: !Not [!Contains [!Ref GlobalManagedPolicies, '']]",
    'Conditions:',
    "  HasGlobal: !Not [!Equals [!Join ['', !Ref GlobalManagedPolicies], '']]",
    'Resources:',
    roles.join(''),
    '  Protection:',
    '    Type: AWS::IAM::ManagedPolicy',
    '    Properties:',
    `      Roles: [${names}]`,
    '      PolicyDocument:',
    '        Version: 2012-10-17',
    "        Statement: [{ Effect: Deny, Action: 's3:DeleteBucket', Resource: '*' }]",
  ].join('\n');
}

/** Median milliseconds of promisedState with `count` ARNs, and the state of the last run. */
function timeArns(engine, doc, count) {
  const arns = Array.from(
    { length: count },
    (_, i) => `arn:aws:iam::111122223333:policy/global-${i}`,
  );
  const ctx = {
    accountId: '111122223333',
    region: 'eu-west-1',
    stackName: 'bench',
    parameters: { GlobalManagedPolicies: arns.join(',') },
  };
  const samples = [];
  let state;
  for (let run = 0; run < RUNS + 2; run++) {
    const resolved = time(() => engine.promisedState(doc, ctx));
    state = resolved.result;
    if (run >= 2) samples.push(resolved.ms);
  }
  const attached = state.roles.map((role) => role.managedPolicyArns.length);
  if (attached.length !== 10 || attached.some((n) => n !== count + 1)) {
    throw new Error(`expected 10 roles with ${count + 1} managed policies each, got ${attached}`);
  }
  return median(samples);
}

function arnScaling(engine) {
  const doc = engine.parseTemplate(arnTemplate(), 'arns.yaml');
  const small = timeArns(engine, doc, ARN_COUNT);
  const large = timeArns(engine, doc, ARN_COUNT * 4);
  const ratio = large / small;
  console.log('');
  console.log(`managed policy ARN list: 10 roles, ${RUNS} runs`);
  console.log('');
  console.log('ARNs      promisedState median ms');
  console.log(`${String(ARN_COUNT).padEnd(9)} ${small.toFixed(1).padStart(24)}`);
  console.log(`${String(ARN_COUNT * 4).padEnd(9)} ${large.toFixed(1).padStart(24)}`);
  console.log('');
  console.log(`ratio 4x ARNs / 1x ARNs: ${ratio.toFixed(2)} (linear about 4, square 16)`);
  if (ratio > ARN_GROWTH_LIMIT) {
    throw new Error(
      `four times the ARNs took ${ratio.toFixed(1)} times as long, more than ` +
        `${ARN_GROWTH_LIMIT}: the work grows faster than the list`,
    );
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times one step after a full collection, so garbage left by the previous step is not billed. */
function time(run) {
  globalThis.gc?.();
  const started = process.hrtime.bigint();
  const result = run();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

async function main() {
  const outdir = mkdtempSync(join(tmpdir(), 'cg-bench-template-'));
  try {
    const engine = await bundleEngine(outdir);
    const text = generateTemplate();
    const bytes = Buffer.byteLength(text, 'utf8');
    const ctx = {
      accountId: '111122223333',
      region: 'eu-west-1',
      stackName: 'bench',
      parameters: { ExternalId: 'bench-external-id-0001' },
    };
    const samples = { yaml: [], parse: [], resolve: [], both: [] };
    let state;
    let doc;
    for (let run = 0; run < RUNS + 2; run++) {
      const warm = run < 2;
      const yaml = time(() =>
        engine.parseDocument(text, {
          schema: 'failsafe',
          customTags: engine.YAML_TAGS,
          prettyErrors: false,
        }),
      );
      const parsed = time(() => engine.parseTemplate(text, 'bench.yaml'));
      const resolved = time(() => engine.promisedState(parsed.result, ctx));
      doc = parsed.result;
      state = resolved.result;
      if (warm) continue;
      samples.yaml.push(yaml.ms);
      samples.parse.push(parsed.ms);
      samples.resolve.push(resolved.ms);
      samples.both.push(parsed.ms + resolved.ms);
    }
    const resourceCount = Object.keys(doc.template.Resources).length;
    const floor = median(samples.yaml);
    console.log(
      `template: ${bytes} bytes, ${resourceCount} resources, ` +
        `${Object.keys(doc.template.Parameters).length} parameters; ` +
        `promised ${state.roles.length} roles, ${state.managedPolicies.length} managed policies; ${RUNS} runs`,
    );
    console.log('');
    console.log('step            median ms   x yaml parse');
    for (const [label, key] of [
      ['yaml parse', 'yaml'],
      ['parseTemplate', 'parse'],
      ['promisedState', 'resolve'],
      ['both', 'both'],
    ]) {
      const value = median(samples[key]);
      console.log(
        `${label.padEnd(15)} ${value.toFixed(1).padStart(9)}   ${(value / floor).toFixed(2).padStart(12)}`,
      );
    }
    console.log('');
    console.log(
      `ratio (parseTemplate + promisedState) / yaml parse: ${(median(samples.both) / floor).toFixed(2)}`,
    );
    const parameterCount = Object.keys(doc.template.Parameters).length;
    if (bytes < 900_000 || resourceCount !== 500 || parameterCount !== 200) {
      throw new Error(
        `the generated template is ${bytes} bytes with ${resourceCount} resources and ` +
          `${parameterCount} parameters; expected 0.9 to 1 million bytes, 500 and 200`,
      );
    }
    arnScaling(engine);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (typeof globalThis.gc !== 'function') {
  // Run again with the collector exposed, so each timed step starts from a clean heap.
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(child.status ?? 1);
} else {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
