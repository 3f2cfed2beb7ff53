/**
 * Canaries: the external ID, planted in live IAM wherever a change could put it, leaves through
 * no entry point in clear: not in SNS messages, the handler's responses, its logs, nor the
 * CLI's reports in any format, live or offline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runCheckCli } from '../../../functions/cli/check';
import type { CliIo } from '../../../functions/cli/io';
import { clearSecrets } from '../../../functions/engine/log';
import {
  cleanExport,
  ENV,
  EXTERNAL_ID,
  invoke,
  PARAMETERS,
  ROOT,
  role,
  serve,
} from './stack-world';

// biome-ignore lint/suspicious/noExplicitAny: the export is free-form JSON
type Json = any;

const S = EXTERNAL_ID;
const trustOf = (e: Json, short: string) => role(e, short).AssumeRolePolicyDocument.Statement[0];
/** Changes the first statement of both trusts that hold the external ID. */
const bothTrusts = (change: (statement: Json) => void) => (e: Json) => {
  change(trustOf(e, 'tenant'));
  change(trustOf(e, 'support'));
};
const allowS3 = (resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }],
});

const VARIANTS: [string, (e: Json) => void][] = [
  [
    'a misspelt sts:ExtrenalId key in the Tenant trust',
    (e) => {
      trustOf(e, 'tenant').Condition = { StringEquals: { 'sts:ExtrenalId': S } };
    },
  ],
  [
    'the value moved to sts:RoleSessionName',
    bothTrusts((s) => {
      s.Condition = { StringEquals: { 'sts:RoleSessionName': S } };
    }),
  ],
  [
    'the value moved to aws:PrincipalTag/x',
    bothTrusts((s) => {
      s.Condition = { StringEquals: { 'aws:PrincipalTag/x': S } };
    }),
  ],
  [
    'the value inside an object under sts:ExternalId',
    bothTrusts((s) => {
      s.Condition = { StringEquals: { 'sts:ExternalId': { v: S } } };
    }),
  ],
  [
    'an unknown operator over sts:ExternalId',
    bothTrusts((s) => {
      s.Condition = { StringEqualz: { 'sts:ExternalId': S } };
    }),
  ],
  [
    'a condition given as one string',
    bothTrusts((s) => {
      s.Condition = `StringEquals sts:ExternalId ${S}`;
    }),
  ],
  [
    'the value as a Sid, the condition removed',
    bothTrusts((s) => {
      s.Sid = S;
      delete s.Condition;
    }),
  ],
  [
    'the value as the principal',
    bothTrusts((s) => {
      s.Principal = { AWS: S };
    }),
  ],
  [
    'the value as the action',
    bothTrusts((s) => {
      s.Action = S;
    }),
  ],
  [
    'the value as a condition operator',
    bothTrusts((s) => {
      s.Condition = { [S]: { 'sts:ExternalId': 'x' } };
    }),
  ],
  [
    'the value as a condition key',
    bothTrusts((s) => {
      s.Condition = { StringEquals: { [S]: 'x' } };
    }),
  ],
  [
    "in a bucket ARN of the Tenant's inline policy, the trusts intact",
    (e) => {
      const policy = role(e, 'tenant').RolePolicyList[0].PolicyDocument;
      policy.Statement.push(allowS3(`arn:aws:s3:::${S}/*`).Statement[0]);
    },
  ],
  [
    'as the name of a new inline policy',
    (e) => {
      role(e, 'scanner').RolePolicyList.push({ PolicyName: S, PolicyDocument: allowS3('*') });
    },
  ],
  [
    "removed from the trusts, in a bucket ARN of another role's inline policy",
    (e) => {
      bothTrusts((s) => {
        delete s.Condition;
      })(e);
      role(e, 'scanner').RolePolicyList.push({
        PolicyName: 'x',
        PolicyDocument: allowS3(`arn:aws:s3:::${S}/*`),
      });
    },
  ],
  [
    "removed from the trusts, a condition value of another role's inline policy",
    (e) => {
      bothTrusts((s) => {
        delete s.Condition;
      })(e);
      const document = allowS3('*');
      Object.assign(document.Statement[0], {
        Condition: { StringEquals: { 'aws:PrincipalTag/team': S } },
      });
      role(e, 'scanner').RolePolicyList.push({ PolicyName: 'x', PolicyDocument: document });
    },
  ],
  [
    'as the key and the value of role tags',
    (e) => {
      const tenant = role(e, 'tenant');
      tenant.Tags = [...(tenant.Tags ?? []), { Key: S, Value: 'x' }, { Key: 'copy', Value: S }];
    },
  ],
  [
    'kept, and also in a user-id pattern',
    bothTrusts((s) => {
      s.Condition = {
        StringEquals: { 'sts:ExternalId': S },
        StringLike: { 'aws:userid': `${S}:*` },
      };
    }),
  ],
];

beforeEach(() => clearSecrets());

describe.each(VARIANTS)('the external ID %s', (_name, plant) => {
  const changed = () => {
    const exported = cleanExport();
    plant(exported);
    return exported;
  };

  it('is in no SNS message, response or log line of a scheduled run', async () => {
    serve(changed());

    const { result, error, everything } = await invoke({ action: 'check' });

    expect(error).toBeUndefined();
    // A change below the alert minimum (a tag: LOW) is recorded and logged, not sent.
    expect(['notified', 'nothing-to-send']).toContain(result.status);
    expect(everything).not.toContain(S);
  });

  it('is in no response or log line of a self-check', async () => {
    serve(changed());

    const { result, everything } = await invoke({ action: 'self-check', notify: true });

    expect(result.findings.length).toBeGreaterThan(0);
    expect(everything).not.toContain(S);
  });

  it('is in no report of the CLI check, offline or live in both read modes, in any format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-'));
    try {
      const exported = changed();
      writeFileSync(join(dir, 'export.json'), JSON.stringify(exported));
      serve(exported);
      for (const format of ['json', 'text', 'markdown']) {
        clearSecrets();
        const offline = await cli([...offlineArgs(join(dir, 'export.json')), '--format', format]);
        expect([1, 3]).toContain(offline.code);
        expect(offline.output).not.toContain(S);
        for (const mode of ['per-role', 'account']) {
          clearSecrets();
          const live = await cli([...liveArgs(mode), '--format', format]);
          expect([1, 3]).toContain(live.code);
          expect(live.output).not.toContain(S);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is in no report of the CLI check given only its digest, offline or live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-'));
    try {
      const exported = changed();
      writeFileSync(join(dir, 'export.json'), JSON.stringify(exported));
      serve(exported);
      const files = offlineArgs(join(dir, 'export.json'), maskedParams(dir));

      const offline = await cli([...files, ...DIGEST, '--format', 'json']);
      const live = await cli(['--stack', 'acme-connector', ...DIGEST, '--format', 'json']);

      for (const { code, output } of [offline, live]) {
        expect([1, 3]).toContain(code);
        expect(output).not.toContain(S);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const PARAMS = 'examples/connector-parameters.json';
const DIGEST = ['--external-id-sha256', ENV.EXTERNAL_ID_SHA256];

/** The example parameters with the external ID as CloudFormation shows it, `****`. */
function maskedParams(dir: string): string {
  const path = join(dir, 'masked.json');
  const masked = PARAMETERS.map((p) =>
    p.ParameterKey === 'TenantExternalId' ? { ...p, ParameterValue: '****' } : p,
  );
  writeFileSync(path, JSON.stringify(masked));
  return path;
}

function offlineArgs(snapshot: string, params = PARAMS): string[] {
  return [
    '--template',
    'template/connector.yaml',
    '--params',
    params,
    '--snapshot',
    snapshot,
    '--roles',
    'examples/list-roles.json',
    '--resources',
    'examples/stack-resources.json',
  ];
}

function liveArgs(mode: string): string[] {
  return ['--stack', 'acme-connector', '--params', PARAMS, '--read-mode', mode];
}

async function cli(args: string[]): Promise<{ code: number; output: string }> {
  const chunks: string[] = [];
  const io: CliIo = {
    stdout: (t) => chunks.push(t),
    stderr: (t) => chunks.push(t),
    env: { AWS_REGION: 'eu-west-1' },
    cwd: ROOT,
    isTty: false,
  };
  const code = await runCheckCli(args, io);
  return { code, output: chunks.join('') };
}
