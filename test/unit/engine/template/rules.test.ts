import { promisedState, TemplateError } from '../../../../functions/engine/template';
import { describeWith } from '../../../helpers/requirements';
import { realworld, realworldParameters, stackContext, template, yamlTemplate } from './builders';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  return 'nothing was thrown';
}

const Parameters = {
  Mode: { Type: 'String', Default: 'basic' },
  Account: { Type: 'String', Default: '' },
  Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
};

function withRules(Rules: Record<string, unknown>, parameters: Record<string, string> = {}) {
  return () => promisedState(template({ Parameters, Rules }), stackContext({ parameters }));
}

describe('template Rules', () => {
  const needsAccount = {
    CustomNeedsAccount: {
      RuleCondition: { 'Fn::Equals': [{ Ref: 'Mode' }, 'custom'] },
      Assertions: [
        {
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Account' }, ''] }] },
          AssertDescription: 'Account is required in custom mode.',
        },
      ],
    },
  };

  it('refuses parameters that fail an assertion, quoting its description', () => {
    expect(errorOf(withRules(needsAccount, { Mode: 'custom' }))).toBe(
      'Rules.CustomNeedsAccount.Assertions[0]: CloudFormation would refuse these parameters: Account is required in custom mode.',
    );
  });

  it('skips the assertions of a rule whose condition is false, and passes true ones', () => {
    expect(withRules(needsAccount)).not.toThrow();
    expect(withRules(needsAccount, { Mode: 'custom', Account: '123412341234' })).not.toThrow();
  });

  it('reads the short tags of rule functions, deciding what it can and leaving account lookups', () => {
    const doc = (zone: string) =>
      yamlTemplate(
        [
          'Parameters:',
          '  Zones: { Type: CommaDelimitedList, Default: "a,b" }',
          'Rules:',
          '  ZonesKnown:',
          '    Assertions:',
          `      - Assert: !Contains [!Ref Zones, ${zone}]`,
          '        AssertDescription: Zones must include the zone.',
          '      - Assert: !EachMemberIn [!ValueOfAll [AWS::EC2::Subnet::Id, VpcId], !RefAll AWS::EC2::VPC::Id]',
          '      - Assert: !EachMemberEquals [!ValueOf [Zones, Tags], x]',
          '      - Assert: !Contains [[!ValueOf [Zones, Name]], !Ref AWS::Region]',
          'Resources:',
          '  Topic: { Type: AWS::SNS::Topic }',
        ].join('\n'),
      );

    expect(() => promisedState(doc('b'), stackContext())).not.toThrow();
    expect(errorOf(() => promisedState(doc('c'), stackContext()))).toBe(
      'Rules.ZonesKnown.Assertions[0]: CloudFormation would refuse these parameters: Zones must include the zone.',
    );
  });

  it('evaluates list rule functions', () => {
    const rules = (assert: unknown) => ({ R: { Assertions: [{ Assert: assert }] } });

    expect(withRules(rules({ 'Fn::Contains': [{ Ref: 'Zones' }, 'b'] }))).not.toThrow();
    expect(
      withRules(rules({ 'Fn::EachMemberIn': [{ Ref: 'Zones' }, ['a', 'b', 'c']] })),
    ).not.toThrow();
    expect(errorOf(withRules(rules({ 'Fn::EachMemberEquals': [{ Ref: 'Zones' }, 'a'] })))).toMatch(
      /^Rules\.R\.Assertions\[0\]: CloudFormation would refuse these parameters/,
    );
    expect(
      errorOf(withRules(rules({ 'Fn::EachMemberIn': [{ Ref: 'Zones' }, ['a', 'c']] }))),
    ).toMatch(/^Rules\.R\.Assertions\[0\]: CloudFormation would refuse these parameters/);
  });

  it('does not decide assertions that look values up in the account', () => {
    const rules = {
      R: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::ValueOf': ['Account', 'VpcId'] }] } }] },
    };

    expect(withRules(rules)).not.toThrow();
  });

  it('refuses a function that is not a rule function, with its path', () => {
    const rules = { R: { Assertions: [{ Assert: { 'Fn::Sub': 'x' } }] } };

    expect(errorOf(withRules(rules))).toBe(
      'Rules.R.Assertions[0].Assert: Fn::Sub is not a rule function',
    );
  });
});

describeWith(['realworld'], 'Rules of realworld templates', () => {
  it('refuses the New Relic stack set unless cross-account access is allowed', () => {
    const file = 'newrelic-ct-stack-set-cfct.yaml';
    const parameters = { ...realworldParameters(file), AllowCrossAccountAccess: 'false' };

    expect(errorOf(() => promisedState(realworld(file), stackContext({ parameters })))).toBe(
      'Rules.ExplicitAllowCrossAccountAccess.Assertions[0]: CloudFormation would refuse these parameters: ' +
        'You must explicitly agree to allow cross access access by selecting true',
    );
  });

  it('refuses the Coralogix custom endpoint without its account ID', () => {
    const file = 'coralogix-cloud-accounts-automatic.yaml';
    const parameters = {
      ...realworldParameters(file),
      CoralogixRegion: 'CustomEndpoint',
      CustomRoleSuffix: 'x',
    };

    expect(errorOf(() => promisedState(realworld(file), stackContext({ parameters })))).toBe(
      'Rules.CustomEndpointRequiresAccountIdAndRoleSuffix.Assertions[0]: CloudFormation would refuse these ' +
        'parameters: CustomAWSAccountId is required when CoralogixRegion is CustomEndpoint.',
    );
  });

  it('refuses the Datadog agentless template in an account other than the one named', () => {
    const file = 'datadog-agentless-delegate-role.yaml';
    const parameters = { ...realworldParameters(file), AccountId: '999999999999' };

    expect(errorOf(() => promisedState(realworld(file), stackContext({ parameters })))).toMatch(
      /^Rules\.MustMatchAccountId\.Assertions\[0\]: CloudFormation would refuse these parameters: The current AWS account ID does not match/,
    );
  });
});
