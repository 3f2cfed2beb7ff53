import { execFileSync, spawnSync } from 'node:child_process';
import { compareState } from '../../../../functions/engine/drift/compare';
import {
  cli,
  runnableCommands,
  secretVariable,
} from '../../../../functions/engine/drift/remediation';
import { secretPlaceholder, UnknownValue } from '../../../../functions/engine/values';
import {
  ACCOUNT,
  CANARY_EXTERNAL_ID,
  liveRole,
  liveState,
  promisedRole,
  promisedState,
  trustWith,
  VENDOR,
} from './builders';

/** A stand-in for the AWS CLI: prints each call's arguments, separated by control characters. */
const FAKE_AWS = `aws() { printf '%s\\037' "$@"; printf '\\036'; }`;

/** Runs commands in bash with `typed` on standard input; the `aws` calls they made. */
function runInBash(commands: string[], typed: string): { calls: string[][]; status: number } {
  const script = [FAKE_AWS, ...commands].join('\n');
  const result = spawnSync('bash', ['-c', script], { input: typed, encoding: 'utf8' });
  const calls = result.stdout
    .split('\u001e')
    .filter(Boolean)
    .map((call) => call.split('\u001f').slice(0, -1));
  return { calls, status: result.status ?? -1 };
}

function parsesInBash(command: string): boolean {
  try {
    execFileSync('bash', ['-n', '-c', command], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const TRUST = trustWith(secretPlaceholder('TenantExternalId'));

describe('runnableCommands', () => {
  it('leaves commands without placeholders as they are', () => {
    const commands = [cli.deleteInline('acme-tenant', 'debug')];

    expect(runnableCommands(commands)).toEqual(commands);
  });

  it('asks for the secret first, splices it into the document, and forgets it at the end', () => {
    const commands = runnableCommands([cli.updateTrust('acme-tenant', TRUST)]);

    expect(commands).toHaveLength(3);
    expect(commands[0]).toMatch(
      /^read -rs TENANT_EXTERNAL_ID {2}# type or paste the value of stack parameter TenantExternalId/,
    );
    expect(commands[2]).toBe('unset TENANT_EXTERNAL_ID');
    for (const command of commands) expect(parsesInBash(command)).toBe(true);
  });

  it('runs in bash with the typed secret in the document, and never holds the secret itself', () => {
    const commands = runnableCommands([cli.updateTrust('acme-tenant', TRUST)]);

    const { calls, status } = runInBash(commands, `${CANARY_EXTERNAL_ID}\n`);

    expect(status).toBe(0);
    expect(calls).toHaveLength(1);
    const [call] = calls as [string[]];
    expect(call.slice(0, 4)).toEqual([
      'iam',
      'update-assume-role-policy',
      '--role-name',
      'acme-tenant',
    ]);
    expect(JSON.parse(call[5] as string)).toEqual(trustWith(CANARY_EXTERNAL_ID));
    expect(commands.join('\n')).not.toContain(CANARY_EXTERNAL_ID);
  });

  it('splices the typed secret in where it stands bare, as a policy name found by its digest', () => {
    const bare = `aws iam delete-role-policy --role-name acme-scanner --policy-name ${secretPlaceholder('TenantExternalId')}`;
    const commands = runnableCommands([bare]);

    const { calls, status } = runInBash(commands, `${CANARY_EXTERNAL_ID}\n`);

    expect(status).toBe(0);
    expect(calls).toEqual([
      [
        'iam',
        'delete-role-policy',
        '--role-name',
        'acme-scanner',
        '--policy-name',
        CANARY_EXTERNAL_ID,
      ],
    ]);
  });

  it('refuses to run a command whose secret was left empty', () => {
    const commands = runnableCommands([cli.updateTrust('acme-tenant', TRUST)]);

    const { calls, status } = runInBash(commands, '\n');

    expect(calls).toEqual([]);
    expect(status).not.toBe(0);
  });

  it('asks once for each secret, whichever commands use it', () => {
    const commands = runnableCommands([
      cli.updateTrust('acme-tenant', TRUST),
      cli.tagRole('acme-tenant', { 'external-id': '<secret:TenantExternalId>' }),
      cli.tagRole('acme-support', { token: '<secret:SupportToken>' }),
    ]);

    const reads = commands.filter((c) => c.startsWith('read '));

    expect(reads.map((c) => c.split(' ')[2])).toEqual(['TENANT_EXTERNAL_ID', 'SUPPORT_TOKEN']);
    expect(commands.at(-1)).toBe('unset TENANT_EXTERNAL_ID SUPPORT_TOKEN');
    const { calls } = runInBash(commands, `${CANARY_EXTERNAL_ID}\nsupport-token-0000\n`);
    expect(calls.map((c) => c.at(-1))).toEqual([
      expect.stringContaining(`"sts:ExternalId":"${CANARY_EXTERNAL_ID}"`),
      `[{"Key":"external-id","Value":"${CANARY_EXTERNAL_ID}"}]`,
      '[{"Key":"token","Value":"support-token-0000"}]',
    ]);
  });

  it('comments out a command holding an unknown value, after saying what to fill in', () => {
    const unknown = new UnknownValue('Ref DriftGuardFunction', 'known only after deploy');
    const document = JSON.parse(JSON.stringify({ Resource: unknown }));

    const commands = runnableCommands([cli.putInline('acme-api', 'invoke', document)]);

    expect(commands).toEqual([
      expect.stringMatching(
        /^# Cannot run as it is: replace <unknown: Ref DriftGuardFunction> below with /,
      ),
      expect.stringMatching(/^# aws iam put-role-policy --role-name acme-api /),
    ]);
    expect(runInBash(commands, '').calls).toEqual([]);
  });

  it.each([
    ['TenantExternalId', 'TENANT_EXTERNAL_ID'],
    ['sts:ExternalId', 'STS_EXTERNAL_ID'],
    ['Path', 'SECRET_PATH'],
    ['AwsRegion', 'SECRET_AWS_REGION'],
    ['2ndKey', 'SECRET_2ND_KEY'],
  ])('names the variable for %s %s, never a shell or AWS variable', (parameter, variable) => {
    expect(secretVariable(parameter)).toBe(variable);
  });
});

describe('remediation of a finding', () => {
  it('restores the trust policy with the external ID the user types, which no finding holds', () => {
    const widened = trustWith(CANARY_EXTERNAL_ID, [
      `arn:aws:iam::${VENDOR}:root`,
      'arn:aws:iam::444455556666:root',
    ]);
    const { findings } = compareState({
      stack: 'acme-connector',
      promised: promisedState({ roles: [promisedRole()] }),
      live: liveState([liveRole({ trustPolicy: widened })]),
      parameters: { TenantAccountId: VENDOR },
      accountId: ACCOUNT,
    });
    const [finding] = findings;

    const { calls } = runInBash(finding?.remediation ?? [], `${CANARY_EXTERNAL_ID}\n`);

    expect(JSON.stringify(findings)).not.toContain(CANARY_EXTERNAL_ID);
    expect(JSON.parse(calls[0]?.at(-1) as string)).toEqual(trustWith(CANARY_EXTERNAL_ID));
  });
});
