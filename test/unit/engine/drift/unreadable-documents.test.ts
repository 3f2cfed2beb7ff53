import { CloudFormationAdapter } from '../../../../functions/engine/aws/cloudformation';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import { runCheck } from '../../../../functions/engine/drift/check';
import { cleanExport, ENV, rawDocument, role, serve } from '../../drift-guard/stack-world';

// biome-ignore lint/suspicious/noExplicitAny: the export is free-form JSON
type Json = any;

const UNREADABLE: [string, string][] = [
  ['not JSON', 'not json at all'],
  ['badly percent-encoded', '%E0%A4%A'],
  ['URL-encoded twice', encodeURIComponent(encodeURIComponent('{"Version":"2012-10-17"}'))],
  ['empty', ''],
  ['JSON null', 'null'],
];
const MODES = ['per-role', 'account'] as const;

async function check(exported: Json, readMode: (typeof MODES)[number]) {
  serve(exported);
  const deps = { iam: IamAdapter.create(), cloudformation: CloudFormationAdapter.create() };
  return runCheck(deps, {
    stack: ENV.STACK_ID,
    externalIdSha256: ENV.EXTERNAL_ID_SHA256,
    readMode,
  });
}

/** The clean export with an administrator policy attached to the API role. */
function withAdminOnApi(): Json {
  const exported = cleanExport();
  role(exported, 'api').AttachedManagedPolicies.push({
    PolicyName: 'AdministratorAccess',
    PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  });
  return exported;
}

const brief = (f: Json) => `${f.kind} ${f.resource.logicalId}`;

describe.each(MODES)('a document IAM returns unreadable, read %s', (mode) => {
  it.each(UNREADABLE)(
    'leaves a trust policy %s check-incomplete and checks the rest as usual',
    async (_name, text) => {
      const exported = withAdminOnApi();
      role(exported, 'scanner').AssumeRolePolicyDocument = rawDocument(text);

      const report = await check(exported, mode);

      expect(report.findings.map(brief).sort()).toEqual([
        'check-incomplete ScannerTaskRole',
        'managed-policy-attached ConnectorApiRole',
      ]);
      const incomplete = report.findings.find((f) => f.kind === 'check-incomplete');
      expect(incomplete?.summary).toMatch(
        /^Not checked: the trust policy of role acme-connector-scanner was not read \(PolicyDocumentError: the policy document is .+\)\.$/,
      );
    },
  );

  it.each([
    ['JSON null', 'null'],
    ['not JSON', '{"Version": '],
  ])('leaves an inline policy that is %s check-incomplete, never removed', async (_n, text) => {
    const exported = cleanExport();
    role(exported, 'scanner').RolePolicyList[0].PolicyDocument = rawDocument(text);

    const report = await check(exported, mode);

    expect(report.findings.map(brief)).toEqual(['check-incomplete ScannerTaskRole']);
    expect(report.findings[0]?.summary).toContain('PolicyDocumentError: the policy document is');
    expect(report.findings[0]?.summary.match(/could not (be )?read/g)).toEqual([
      'could not be read',
    ]);
  });
});
