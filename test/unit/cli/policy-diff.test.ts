import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../functions/cli/io';
import { main } from '../../../functions/cli/main';
import { run } from '../../../functions/cli/policy-diff';
import { CANARY_EXTERNAL_ID, policy, statement, trustStatement } from '../engine/policy/builders';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-diff-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd: dir,
    isTty: false,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

/** Writes a file in the test folder: objects as JSON, strings as they are. */
function file(name: string, content: unknown): string {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

const readBackupsStatement = statement({
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::backups-*',
});
const readBackups = policy(readBackupsStatement);
const deleteBackups = policy(
  statement({ Action: ['s3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::backups-*' }),
);

describe('policy-diff', () => {
  it('exits 0 and says so when the documents grant the same', async () => {
    const a = file('a.json', readBackups);
    const b = file('b.json', encodeURIComponent(JSON.stringify(readBackups)));
    const cli = io();

    const code = await run([a, b], cli.io);

    expect(code).toBe(0);
    expect(cli.out()).toBe('b.json grants exactly what a.json grants.\n');
  });

  it('exits 1 and prints each change as text', async () => {
    const cli = io();

    const code = await run([file('a.json', readBackups), file('b.json', deleteBackups)], cli.io);

    expect(code).toBe(1);
    expect(cli.out()).toBe(
      [
        'b.json allows more than a.json (1 change):',
        '  widened  statement 0 of b.json, Action: added s3:DeleteObject on arn:aws:s3:::backups-*',
        '',
      ].join('\n'),
    );
  });

  it('colours directions on a terminal unless NO_COLOR is set', async () => {
    const a = file('a.json', readBackups);
    const b = file('b.json', deleteBackups);
    const terminal = io();
    const plain = io();
    terminal.io.isTty = true;
    plain.io.isTty = true;
    plain.io.env = { NO_COLOR: '1' };

    await run([a, b], terminal.io);
    await run([a, b], plain.io);

    expect(terminal.out()).toContain('\u001b[31mwidened \u001b[0m');
    expect(plain.out()).not.toContain('\u001b[');
  });

  it('prints the comparison as JSON in the documented shape', async () => {
    const cli = io();

    const code = await run(
      [file('a.json', readBackups), file('b.json', deleteBackups), '--format', 'json'],
      cli.io,
    );

    expect(code).toBe(1);
    expect(JSON.parse(cli.out())).toEqual({
      equivalent: false,
      direction: 'widened',
      changes: [
        {
          direction: 'widened',
          statement: { index: 0, sid: null, document: 'live' },
          element: 'Action',
          before: 's3:GetObject',
          after: ['s3:DeleteObject', 's3:GetObject'],
          summary: 'added s3:DeleteObject on arn:aws:s3:::backups-*',
        },
      ],
      unread: [],
      warnings: [],
    });
  });

  it('warns on stderr of an action the catalogue does not list, keeping the exit status', async () => {
    const typo = policy(
      statement({ Sid: 'Read', Action: ['s3:GetObjekt', 's3:Gett*', 's3x:Get', 'GetObject'] }),
    );
    const cli = io();

    const code = await run([file('a.json', readBackups), file('b.json', typo)], cli.io);

    expect(code).toBe(1);
    expect(cli.err()).toBe(
      [
        'policy-diff: warning: b.json, statement 0 (Read): Action GetObject has no service prefix (service:action).',
        'policy-diff: warning: b.json, statement 0 (Read): Action s3:GetObjekt is not one of the s3 actions in the catalogue.',
        'policy-diff: warning: b.json, statement 0 (Read): Action s3:Gett* matches none of the s3 actions in the catalogue.',
        'policy-diff: warning: b.json, statement 0 (Read): Action s3x:Get names the service s3x, which the catalogue does not know.',
        '',
      ].join('\n'),
    );
  });

  it('lists the warnings in JSON and still exits 0 for documents that grant the same', async () => {
    const typo = policy(statement({ NotAction: 's3:DeleteObjekt', Resource: '*' }));
    const cli = io();

    const code = await run(
      [file('a.json', typo), file('b.json', typo), '--format', 'json'],
      cli.io,
    );

    expect(code).toBe(0);
    expect(cli.err()).toBe('');
    const summary = (name: string) =>
      `${name}, statement 0: NotAction s3:DeleteObjekt is not one of the s3 actions in the catalogue.`;
    expect(JSON.parse(cli.out()).warnings).toEqual([
      {
        document: 'expected',
        statement: { index: 0, sid: null },
        element: 'NotAction',
        action: 's3:DeleteObjekt',
        summary: summary('a.json'),
      },
      {
        document: 'live',
        statement: { index: 0, sid: null },
        element: 'NotAction',
        action: 's3:DeleteObjekt',
        summary: summary('b.json'),
      },
    ]);
  });

  it('does not judge action names without the catalogue', async () => {
    const typo = policy(statement({ Action: 's3:GetObjekt' }));
    const cli = io();

    await run([file('a.json', readBackups), file('b.json', typo), '--no-catalogue'], cli.io);

    expect(cli.err()).toBe('');
  });

  it('is routed from the main entry point', async () => {
    const cli = io();

    const code = await main(
      ['policy-diff', file('a.json', readBackups), file('b.json', readBackups)],
      cli.io,
    );

    expect(code).toBe(0);
  });

  it('exits 1 with the reason when the difference cannot be decided', async () => {
    const expected = policy(
      statement({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
    );
    const live = policy(
      statement({ Condition: { StringLike: { 'aws:SourceIp': '203.0.113.*' } } }),
    );
    const cli = io();

    const code = await run(
      [file('a.json', expected), file('b.json', live), '--format', 'json'],
      cli.io,
    );

    expect(code).toBe(1);
    expect(JSON.parse(cli.out())).toMatchObject({
      equivalent: false,
      direction: 'unknown',
      reason: 'how the two conditions relate cannot be decided',
    });
  });

  it('uses the trust rules for a trust policy and never prints the external ID', async () => {
    const expected = policy(
      trustStatement('111122223333', {
        Condition: { StringEquals: { 'sts:ExternalId': CANARY_EXTERNAL_ID } },
      }),
    );
    const live = policy(
      trustStatement('111122223333', {
        Condition: { StringEquals: { 'sts:ExternalId': `${CANARY_EXTERNAL_ID}-x` } },
      }),
    );
    const text = io();
    const json = io();

    await run([file('a.json', expected), file('b.json', live)], text.io);
    await run(['a.json', 'b.json', '--format', 'json'], json.io);

    expect(text.out()).toContain('changed condition sts:ExternalId');
    expect(text.out() + text.err() + json.out() + json.err()).not.toContain(CANARY_EXTERNAL_ID);
    expect(json.out()).toContain('<secret:sts:ExternalId>');
  });

  it('reads a policy out of AWS CLI output for get-role and get-policy-version', async () => {
    const trust = policy(trustStatement('111122223333'));
    const role = file('role.json', {
      Role: { RoleName: 'Tenant', AssumeRolePolicyDocument: trust },
    });
    const version = file('version.json', {
      PolicyVersion: { Document: encodeURIComponent(JSON.stringify(trust)), VersionId: 'v1' },
    });
    const cli = io();

    expect(await run([role, version], cli.io)).toBe(0);
  });

  it('compares wildcards against the action catalogue unless told not to', async () => {
    const wildcard = file('a.json', policy(statement({ Action: 's3:*Object' })));
    const listed = file('b.json', policy(statement({ Action: ['s3:GetObject', 's3:PutObject'] })));
    const withCatalogue = io();
    const withoutCatalogue = io();

    await run([listed, wildcard], withCatalogue.io);
    await run([listed, wildcard, '--no-catalogue'], withoutCatalogue.io);

    expect(withCatalogue.out()).toMatch(/added s3:\*Object on \* \(granting s3:DeleteObject, /);
    expect(withoutCatalogue.out()).toContain('added s3:*Object on *\n');
  });

  it.each([
    [[], 'policy-diff: EXPECTED and LIVE: expected two files, received none.'],
    [
      ['only-one.json'],
      'policy-diff: EXPECTED and LIVE: expected two files, received 1: only-one.json.',
    ],
    [
      ['a.json', 'b.json', '--format', 'yaml'],
      'policy-diff: --format: expected one of text, json, received "yaml".',
    ],
    [
      ['a.json', 'b.json', '--kind', 'resource'],
      'policy-diff: --kind: expected one of auto, permissions, trust, received "resource".',
    ],
    [['a.json', 'b.json', '--colour'], "policy-diff: Unknown option '--colour'"],
    [['--expected', 'x'], "policy-diff: Unknown option '--expected'"],
    [['a.json', 'b.json', '--format'], "policy-diff: Option '--format <value>' argument missing"],
  ])(
    'exits 2 for the arguments %j, the error first, then the synopsis alone',
    async (args, message) => {
      const cli = io();

      const code = await run(args, cli.io);

      expect(code).toBe(2);
      expect(cli.err()).toBe(
        `${message}\n\nUsage: connector-guard policy-diff EXPECTED LIVE [options]\n` +
          'More: connector-guard policy-diff --help\n',
      );
    },
  );

  it('reads a file whose name starts with - after --', async () => {
    const cli = io();
    file('-a.json', readBackups);

    const code = await run(['--', '-a.json', file('b.json', readBackups)], cli.io);

    expect(code).toBe(0);
  });

  it.each([
    [
      'a missing file',
      null,
      'policy-diff: LIVE file missing.json: expected a readable file, received no such file.',
    ],
    [
      'a file that is not JSON',
      '{"Version": ',
      'policy-diff: LIVE file bad.json: expected JSON, received text that does not parse (it ends before the JSON does).',
    ],
    [
      'JSON broken on its second line',
      '{"Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow"},]}',
      'policy-diff: LIVE file bad.json: expected JSON, received text that does not parse (unexpected character at line 2, column 37).',
    ],
    [
      'JSON that is not an object',
      '[{"Effect": "Allow"}]',
      'policy-diff: LIVE file bad.json: expected a policy document (a JSON object), received a list.',
    ],
    [
      'an invalid Version',
      { Version: '2012-10-18', Statement: [] },
      'policy-diff: LIVE file bad.json: Version: expected "2012-10-17" or "2008-10-17", received the string "2012-10-18".',
    ],
    [
      'a URL-encoded document nested thousands of levels deep',
      encodeURIComponent(
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",` +
          `"Condition":{"StringEquals":{"aws:a":${'['.repeat(4000)}"x"${']'.repeat(4000)}}}}]}`,
      ),
      'policy-diff: LIVE file bad.json: expected a policy document nested at most 64 levels deep',
    ],
    [
      'a policy wrapped in get-role output',
      { Role: { AssumeRolePolicyDocument: { Statement: [], Extra: 1 } } },
      'policy-diff: LIVE file bad.json (Role.AssumeRolePolicyDocument): unknown top-level element "Extra"',
    ],
  ])('exits 2 naming the file and its side for %s', async (_, content, message) => {
    const name = content === null ? 'missing.json' : file('bad.json', content);
    const cli = io();

    const code = await run([file('a.json', readBackups), name], cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toContain(message);
    expect(cli.out()).toBe('');
  });

  it('exits 2 naming a statement it cannot read with its file, and prints the rest compared', async () => {
    const live = policy(
      statement({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::backups-*' }),
      { Effect: 'Allow', Resource: '*' },
      statement({ Action: 's3:DeleteObject' }),
    );
    const cli = io();

    const code = await run([file('a.json', readBackups), file('b.json', live)], cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toBe(
      'policy-diff: not compared: LIVE file b.json: Statement[1]: needs an Action or a NotAction element.\n',
    );
    expect(cli.out()).toBe(
      [
        'b.json allows more than a.json in the statements read (1 change):',
        '  widened  statement 2 of b.json, Statement: added statement 2 allowing s3:DeleteObject on *',
        '',
      ].join('\n'),
    );
  });

  it('does not read a permissions statement without Resource as every resource', async () => {
    const anyResource = policy(statement({ Action: 's3:GetObject', Resource: '*' }));
    const noResource = policy({ Effect: 'Allow', Action: 's3:GetObject' });
    const cli = io();

    const code = await run([file('a.json', anyResource), file('b.json', noResource)], cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toBe(
      'policy-diff: not compared: LIVE file b.json: Statement[0]: expected a Resource or NotResource element in a permissions policy statement, received neither.\n',
    );
    expect(cli.out()).not.toContain('grants exactly what');
  });

  it('lists the statements it cannot read in JSON, each with its document', async () => {
    const noResource = policy(
      statement({ Sid: 'Typo', Action: 's3:GetObject', Resource: undefined }),
    );
    const cli = io();

    const code = await run(
      [file('a.json', noResource), file('b.json', readBackups), '--format', 'json'],
      cli.io,
    );

    expect(code).toBe(2);
    expect(JSON.parse(cli.out()).unread).toEqual([
      {
        document: 'expected',
        statement: { index: 0, sid: 'Typo' },
        reason:
          'EXPECTED file a.json: Statement[0]: expected a Resource or NotResource element in a permissions policy statement, received neither.',
      },
    ]);
  });

  it('says which file each statement number is from', async () => {
    const expected = policy(
      readBackupsStatement,
      statement({ Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject' }),
    );
    const live = policy(readBackupsStatement, statement({ Sid: 'Typo', Action: 's3:PutObject' }));
    const text = io();
    const json = io();

    await run([file('a.json', expected), file('b.json', live)], text.io);
    await run(['a.json', 'b.json', '--format', 'json'], json.io);

    expect(text.out()).toContain('statement 1 (NoDelete) of a.json, Statement: removed');
    expect(text.out()).toContain('statement 1 (Typo) of b.json, Statement: added');
    const statements = JSON.parse(json.out()).changes.map(
      (c: { statement: unknown }) => c.statement,
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        { index: 1, sid: 'NoDelete', document: 'expected' },
        { index: 1, sid: 'Typo', document: 'live' },
      ]),
    );
  });

  it('exits 2 naming the file and its side when --kind trust meets a statement without principal', async () => {
    const cli = io();

    const code = await main(
      ['policy-diff', '--kind', 'trust', file('p.json', readBackups), file('q.json', readBackups)],
      cli.io,
    );

    expect(code).toBe(2);
    expect(cli.err()).toBe(
      'policy-diff: EXPECTED file p.json: Statement[0]: expected a Principal or NotPrincipal element in a trust policy statement, received neither.\n',
    );
  });

  it('does not quote a malformed file, which may hold the external ID', async () => {
    const broken = `{"Statement": [{"Condition": {"StringEquals": {"sts:ExternalId": ${CANARY_EXTERNAL_ID}}}}]}`;
    const cli = io();

    const code = await run([file('a.json', readBackups), file('bad.json', broken)], cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toContain('policy-diff: LIVE file bad.json: expected JSON, received text');
    expect(cli.err()).not.toContain(CANARY_EXTERNAL_ID);
  });

  it('prints its usage for --help and exits 0', async () => {
    const cli = io();

    expect(await run(['--help'], cli.io)).toBe(0);
    expect(cli.out()).toContain('Usage: connector-guard policy-diff EXPECTED LIVE');
  });

  describe('with the external ID of the expected trust policy elsewhere in the live one', () => {
    const SECRET = CANARY_EXTERNAL_ID;
    const expected = policy(
      trustStatement('111122223333', {
        Condition: { StringEquals: { 'sts:ExternalId': SECRET } },
      }),
    );
    const trustWith = (partial: Record<string, unknown>) =>
      policy(trustStatement('111122223333', partial));
    const places: [string, Record<string, unknown>][] = [
      ['a misspelt key', trustWith({ Condition: { StringEquals: { 'sts:ExtrenalId': SECRET } } })],
      [
        'a principal tag, case folded',
        trustWith({
          Condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/x': SECRET.toUpperCase() } },
        }),
      ],
      ['a Sid', trustWith({ Sid: SECRET })],
      ['a condition key', trustWith({ Condition: { StringEquals: { [SECRET]: 'x' } } })],
      ['a key ending in it', trustWith({ Condition: { Bool: { [`aws:${SECRET}`]: 'true' } } })],
      ['an operator', trustWith({ Condition: { [SECRET]: { 'aws:SourceIp': '10.0.0.0/8' } } })],
      ['a longer value', trustWith({ Condition: { StringLike: { 'aws:userid': `a${SECRET}*` } } })],
    ];

    it.each(places)('masks it under %s in text and JSON output', async (_, live) => {
      const text = io();
      const json = io();

      await run([file('a.json', expected), file('b.json', live)], text.io);
      await run(['a.json', 'b.json', '--format', 'json'], json.io);

      const printed = text.out() + text.err() + json.out() + json.err();
      expect(printed.toLowerCase()).not.toContain(SECRET.toLowerCase());
      expect(printed).toContain('<secret:sts:ExternalId>');
    });

    it('masks it in the live document when the expected one is URL-encoded', async () => {
      const cli = io();
      const live = trustWith({ Condition: { StringEquals: { 'sts:ExtrenalId': SECRET } } });

      const encoded = file('a.txt', encodeURIComponent(JSON.stringify(expected)));

      await run([encoded, file('b.json', live), '--format', 'json'], cli.io);

      expect(cli.out()).toContain('<secret:sts:ExternalId>');
      expect(cli.out() + cli.err()).not.toContain(SECRET);
    });
  });
});
