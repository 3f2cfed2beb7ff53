import { specProblems } from './support/spec';
import { type CfnTemplate, loadTemplate } from './support/template';

function properties(template: CfnTemplate, id: string): Record<string, unknown> {
  return template.Resources[id].Properties as Record<string, unknown>;
}

describe('the connector template against the CloudFormation resource specification', () => {
  let template: CfnTemplate;

  beforeEach(() => {
    template = loadTemplate();
  });

  it('uses only resource types, properties and value shapes the specification defines', () => {
    expect(specProblems(template)).toEqual([]);
  });

  it('reports a misspelt property with its path', () => {
    const role = properties(template, 'TenantRole');
    role.RoleNme = role.RoleName;
    delete role.RoleName;

    expect(specProblems(template)).toEqual([
      expect.stringMatching(/^Resources\.TenantRole\.Properties\.RoleNme: not a property here/),
    ]);
  });

  it('reports a misspelt property inside a nested structure', () => {
    const logging = properties(template, 'DriftGuardFunction').LoggingConfig as Record<
      string,
      unknown
    >;
    logging.LogFromat = logging.LogFormat;
    delete logging.LogFormat;

    expect(specProblems(template)).toEqual([
      expect.stringMatching(
        /^Resources\.DriftGuardFunction\.Properties\.LoggingConfig\.LogFromat:/,
      ),
    ]);
  });

  it('reports a missing required property', () => {
    delete properties(template, 'InstallerRole').AssumeRolePolicyDocument;

    expect(specProblems(template)).toEqual([
      'Resources.InstallerRole.Properties.AssumeRolePolicyDocument: required, and missing',
    ]);
  });

  it('reports a structure given where a list is expected', () => {
    const role = properties(template, 'ScannerTaskRole');
    role.Policies = (role.Policies as unknown[])[0];

    expect(specProblems(template)).toEqual([
      'Resources.ScannerTaskRole.Properties.Policies: expected a list, received an object',
    ]);
  });

  it('checks both branches of a Fn::If', () => {
    const role = properties(template, 'TenantRole');
    role.PermissionsBoundary = {
      'Fn::If': ['HasPermissionsBoundary', ['arn'], { Ref: 'AWS::NoValue' }],
    };

    expect(specProblems(template)).toEqual([
      'Resources.TenantRole.Properties.PermissionsBoundary.Fn::If[1]: expected a string, received a list',
    ]);
  });

  it('reports a resource type that does not exist', () => {
    template.Resources.TenantRole.Type = 'AWS::IAM::Roles';

    expect(specProblems(template)).toEqual([
      'Resources.TenantRole.Type: AWS::IAM::Roles is not a CloudFormation resource type',
    ]);
  });

  it('requires a ServiceToken on the custom resource', () => {
    delete properties(template, 'InstallValidation').ServiceToken;

    expect(specProblems(template)).toEqual([
      'Resources.InstallValidation.Properties.ServiceToken: required, and missing',
    ]);
  });
});
