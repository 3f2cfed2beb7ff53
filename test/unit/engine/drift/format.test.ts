import { exitCodeFor, formatReport, trailHints } from '../../../../functions/engine/drift';
import type { CheckReport, Finding } from '../../../../functions/engine/drift/types';
import { clearSecrets, registerSecret } from '../../../../functions/engine/log';
import { CANARY_EXTERNAL_ID } from './builders';

function finding(partial: Partial<Finding> = {}): Finding {
  return {
    id: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    kind: 'trust-policy-changed',
    severity: 'CRITICAL',
    direction: 'widened',
    resource: {
      type: 'AWS::IAM::Role',
      logicalId: 'TenantRole',
      name: 'acme-tenant',
      arn: 'arn:aws:iam::123456789012:role/acme-tenant',
    },
    summary: 'Role TenantRole (acme-tenant): trust policy widened: principal 444455556666 added.',
    expected: {},
    actual: {},
    changes: [
      {
        direction: 'widened',
        statement: { index: 0, sid: null },
        element: 'Principal',
        before: null,
        after: '444455556666',
        summary: 'principal 444455556666 added',
      },
    ],
    actor: null,
    remediation: [
      "aws iam update-assume-role-policy --role-name acme-tenant --policy-document '{}'",
    ],
    ...partial,
  };
}

function report(partial: Partial<CheckReport> = {}): CheckReport {
  return {
    stack: 'acme',
    account: '123456789012',
    region: 'eu-west-1',
    checkedAt: '2026-12-04T10:00:00.000Z',
    findings: [finding()],
    coverage: {
      checked: [{ type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'acme-tenant' }],
      notChecked: [],
    },
    ...partial,
  };
}

const incomplete = finding({
  id: 'ffff',
  kind: 'check-incomplete',
  severity: 'MEDIUM',
  direction: null,
  changes: [],
  remediation: [],
  summary: 'Not checked: access denied.',
});

afterEach(() => clearSecrets());

describe('formatReport', () => {
  it('writes the JSON shape of the issue, keys in order', () => {
    const json = JSON.parse(formatReport(report(), 'json'));

    expect(Object.keys(json)).toEqual([
      'stack',
      'account',
      'region',
      'checkedAt',
      'findings',
      'coverage',
    ]);
    expect(Object.keys(json.findings[0])).toEqual([
      'id',
      'kind',
      'severity',
      'direction',
      'resource',
      'summary',
      'expected',
      'actual',
      'changes',
      'actor',
      'remediation',
    ]);
    expect(Object.keys(json.coverage)).toEqual(['checked', 'notChecked']);
  });

  it('puts the most severe finding first', () => {
    const low = finding({
      id: 'low',
      kind: 'role-setting-changed',
      severity: 'LOW',
      direction: null,
    });

    const json = JSON.parse(
      formatReport(report({ findings: [low, incomplete, finding()] }), 'json'),
    );

    expect(json.findings.map((f: Finding) => f.severity)).toEqual(['CRITICAL', 'MEDIUM', 'LOW']);
  });

  it('colours text only when asked', () => {
    const plain = formatReport(report(), 'text');
    const coloured = formatReport(report(), 'text', { color: true });

    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[1;31mCRITICAL');
    expect(plain).toContain('1 drift finding (1 CRITICAL)');
    expect(plain).toContain('    widens   principal 444455556666 added');
    expect(plain).toContain('  To restore the template:\n    aws iam update-assume-role-policy');
  });

  it('says in words whether each change widens or narrows, a Deny added included', () => {
    const denyAdded = finding({
      kind: 'policy-attached-elsewhere',
      severity: 'MEDIUM',
      direction: 'narrowed',
      changes: [
        {
          direction: 'narrowed',
          statement: { index: 0, sid: null },
          element: 'Statement',
          before: null,
          after: { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
          summary: 'added statement 0 denying s3:DeleteBucket',
        },
      ],
    });

    const text = formatReport(report({ findings: [denyAdded] }), 'text');

    expect(text).toContain('    narrows  added statement 0 denying s3:DeleteBucket');
    expect(text).not.toMatch(/^ +[-+] /m);
  });

  it('says a mixed change widens and narrows, in text and Markdown, its column aligned', () => {
    const guard = 'changed condition aws:SourceAccount from 123456789012 to 999988887777';
    const swapped = finding({
      direction: 'mixed',
      changes: [
        { ...finding().changes[0], direction: 'mixed', element: 'Condition', summary: guard },
        { ...finding().changes[0], direction: 'widened', summary: 'principal 444455556666 added' },
      ],
    });

    const text = formatReport(report({ findings: [swapped] }), 'text');
    const md = formatReport(report({ findings: [swapped] }), 'markdown');

    expect(text).toContain(
      `    widens and narrows  ${guard}\n    widens              principal 444455556666 added\n`,
    );
    expect(text).not.toMatch(/^ +mixed /m);
    expect(md).toContain(`- widened and narrowed: ${guard}\n- widened: principal 444455556666`);
  });

  it('counts incomplete checks as such, and the resources they left checked in part', () => {
    const partial = report({
      findings: [finding(), incomplete],
      coverage: {
        checked: [
          { type: 'AWS::IAM::Role', logicalId: 'TenantRole', name: 'acme-tenant' },
          { type: 'AWS::IAM::Role', logicalId: 'ApiRole', name: 'acme-api' },
        ],
        notChecked: [],
      },
    });

    const text = formatReport(partial, 'text');
    const md = formatReport(partial, 'markdown');

    expect(text).toContain('1 drift finding (1 CRITICAL); 1 check incomplete\n');
    expect(text).toContain('MEDIUM   check-incomplete  TenantRole (acme-tenant)');
    expect(text).toContain('Checked 2 resources, 1 of them in part (see check-incomplete).');
    expect(text).not.toContain('Not checked (');
    expect(md).toContain('Checked 2 resources, 1 of them in part (see check-incomplete): ');
  });

  it('says a clean stack is in line, and a skipped one why', () => {
    expect(formatReport(report({ findings: [] }), 'text')).toContain(
      'In line with the template: no drift.',
    );
    const skipped = report({
      findings: [],
      skipped: {
        reason: 'Stack acme is UPDATE_IN_PROGRESS: a deploy is under way.',
        stackStatus: 'UPDATE_IN_PROGRESS',
      },
    });
    expect(formatReport(skipped, 'markdown')).toContain(
      '**Skipped:** Stack acme is UPDATE_IN_PROGRESS',
    );
    expect(JSON.parse(formatReport(skipped, 'json')).skipped.stackStatus).toBe(
      'UPDATE_IN_PROGRESS',
    );
  });

  it('writes Markdown with a table, escaped cells and commands in a shell block', () => {
    const md = formatReport(report({ findings: [finding({ summary: 'a | b' })] }), 'markdown');

    expect(md).toContain('| Severity | Kind | Resource | Summary |');
    expect(md).toContain('a \\| b');
    expect(md).toContain('```sh\naws iam update-assume-role-policy');
  });

  it('never prints a registered secret in any format', () => {
    registerSecret(CANARY_EXTERNAL_ID);
    const leaky = report({ findings: [finding({ summary: `oops ${CANARY_EXTERNAL_ID}` })] });

    for (const format of ['text', 'json', 'markdown'] as const) {
      expect(formatReport(leaky, format)).not.toContain(CANARY_EXTERNAL_ID);
    }
  });
});

describe('exitCodeFor', () => {
  it('is 1 for drift at or above the threshold, else 3 when something was not checked, else 0', () => {
    expect(exitCodeFor(report(), 'LOW')).toBe(1);
    expect(exitCodeFor(report(), 'CRITICAL')).toBe(1);
    expect(exitCodeFor(report({ findings: [finding({ severity: 'HIGH' })] }), 'CRITICAL')).toBe(0);
    expect(
      exitCodeFor(report({ findings: [finding({ severity: 'HIGH' }), incomplete] }), 'CRITICAL'),
    ).toBe(3);
    expect(exitCodeFor(report({ findings: [incomplete] }), 'LOW')).toBe(3);
    expect(
      exitCodeFor(
        report({ findings: [], skipped: { reason: 'busy', stackStatus: 'UPDATE_IN_PROGRESS' } }),
        'LOW',
      ),
    ).toBe(3);
    expect(exitCodeFor(report({ findings: [] }), 'LOW')).toBe(0);
  });
});

describe('trailHints', () => {
  it('names the role and the calls that change a trust policy', () => {
    expect(trailHints(finding())).toEqual({
      resourceNames: ['acme-tenant', 'arn:aws:iam::123456789012:role/acme-tenant'],
      eventNames: ['UpdateAssumeRolePolicy'],
    });
  });

  it('looks up the entity a stack policy was attached to first', () => {
    const f = finding({
      kind: 'policy-attached-elsewhere',
      resource: {
        type: 'AWS::IAM::ManagedPolicy',
        logicalId: 'Guard',
        name: 'guard',
        arn: 'arn:aws:iam::123456789012:policy/guard',
      },
      actual: { entityType: 'user', entityName: 'mallory' },
    });

    expect(trailHints(f)).toEqual({
      resourceNames: ['mallory', 'guard', 'arn:aws:iam::123456789012:policy/guard'],
      eventNames: ['AttachRolePolicy', 'AttachUserPolicy', 'AttachGroupPolicy'],
    });
  });

  it('adds the attached policy for an attachment, and has nothing for check-incomplete', () => {
    const attached = finding({
      kind: 'managed-policy-attached',
      actual: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });

    expect(trailHints(attached).resourceNames).toContain(
      'arn:aws:iam::aws:policy/AdministratorAccess',
    );
    expect(trailHints(attached).eventNames).toEqual(['AttachRolePolicy']);
    expect(trailHints(incomplete)).toEqual({ resourceNames: [], eventNames: [] });
  });
});
