// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  parseTemplate,
  promisedState,
  resolveTemplate,
  TemplateError,
} from '../../../../functions/engine/template';
import { isSecret } from '../../../../functions/engine/values';
import { dig, roleTemplate, stackContext, template, trust } from './builders';

const FUNCTIONS = [
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::ImportValue',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::Transform',
  'Fn::ToJsonString',
  'Fn::Length',
  'Fn::GetStackOutput',
  'Condition',
];
const NAMES = [
  'Role',
  'Topic',
  'Env',
  'Secret',
  'IsProd',
  'AWS::Region',
  'AWS::NoValue',
  'Nope',
  'Map',
];

/** Any JSON-ish value, with intrinsic functions and names of the template sprinkled in. */
const { value: node } = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(...NAMES),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -2, max: 5 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant('${Env}-${Role.Arn}-${!x}'),
  ),
  call: fc
    .tuple(fc.constantFrom(...FUNCTIONS), tie('value'))
    .map(([name, args]) => ({ [name]: args })),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.constantFrom('A', 'B', 'Statement', 'Effect', 'Condition'), tie('value'), {
    maxKeys: 3,
  }),
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('call'), tie('list'), tie('map')),
}));

function sections(value: unknown) {
  return {
    Parameters: {
      Env: { Type: 'String', Default: 'dev' },
      Secret: { Type: 'String', NoEcho: true },
    },
    Mappings: { Map: { dev: { Account: '012345678901' } } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: 'fuzz', AssumeRolePolicyDocument: trust(), Description: value },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: value } },
      Grant: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyName: 'g', PolicyDocument: value, Roles: value },
      },
    },
  };
}

describe('the engine on any input', () => {
  it('ends every failure on generated templates in a TemplateError, never a raw exception', () => {
    fc.assert(
      fc.property(node, (value) => {
        try {
          promisedState(
            template(sections(value)),
            stackContext({ parameters: { Secret: 'canary-fuzz-secret' } }),
          );
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          expect(error.message).not.toContain('canary-fuzz-secret');
        }
      }),
      { numRuns: 400, seed: 20261204 },
    );
  });

  it('ends every failure on generated YAML text in a TemplateError', () => {
    fc.assert(
      fc.property(node, fc.string({ maxLength: 20 }), (value, noise) => {
        const text = `${stringify(sections(value))}\n${noise}`;
        try {
          resolveTemplate(
            parseTemplate(text),
            stackContext({ parameters: { Secret: 'canary-fuzz-secret' } }),
          );
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('never shows a NoEcho value in the state, whatever the template does with it', () => {
    const uses = [
      { Ref: 'Secret' },
      { 'Fn::Sub': 'x-${Secret}' },
      { 'Fn::Join': ['', [{ Ref: 'Secret' }, 'y']] },
      { 'Fn::Base64': { Ref: 'Secret' } },
      { 'Fn::ToJsonString': { a: { Ref: 'Secret' } } },
      { 'Fn::Split': [',', { Ref: 'Secret' }] },
      { 'Fn::If': ['IsProd', 'a', { Ref: 'Secret' }] },
    ];

    for (const use of uses) {
      const doc = roleTemplate(
        {
          RoleName: 'r',
          Description: use,
          Tags: [{ Key: 'k', Value: use }],
          AssumeRolePolicyDocument: { Probe: use },
        },
        {
          Parameters: { Secret: { Type: 'String', NoEcho: true } },
          Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } },
        },
      );

      const text = JSON.stringify(
        promisedState(doc, stackContext({ parameters: { Secret: 'canary-clear-4e1f' } })),
      );

      expect(text).not.toContain('canary-clear-4e1f');
      expect(text).not.toContain(Buffer.from('canary-clear-4e1f').toString('base64'));
    }
  });
});

describe('absurd nesting', () => {
  it('ends in a TemplateError for YAML and for JSON nested past the stack', () => {
    const yaml = `Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata: ${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const json =
      '{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ' +
      `${'['.repeat(20_000)}${']'.repeat(20_000)}}}}}`;

    expect(() => parseTemplate(yaml)).toThrow(TemplateError);
    expect(() => promisedState(parseTemplate(json), stackContext())).toThrow(TemplateError);
  });
});

describe('stack context checks', () => {
  it.each([
    [{ accountId: '1234' }, "context.accountId: must be 12 digits, received '1234'"],
    [{ region: '' }, 'context.region: must be non-empty text, received string'],
    [
      { parameters: { Env: 5 } },
      'context.parameters.Env: must be text, a list of text, or undefined (not given)',
    ],
    [
      { resources: [{ logicalId: 'Role' }] },
      'context.resources[0]: must be { logicalId, physicalId, type } with text values',
    ],
    [{ availabilityZones: 'us-east-1a' }, 'context.availabilityZones: must be a list of text'],
  ])('refuses %j, naming the field', (partial, message) => {
    const ctx = { ...stackContext(), ...partial } as ReturnType<typeof stackContext>;

    expect(() => promisedState(roleTemplate({ RoleName: 'r' }), ctx)).toThrow(message);
  });
});

describe('properties given by a function', () => {
  it('reads a role whose whole Properties block is chosen by Fn::If', () => {
    const doc = template({
      Conditions: { IsProd: { 'Fn::Equals': ['prod', 'prod'] } },
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            'Fn::If': [
              'IsProd',
              { RoleName: 'prod-role', AssumeRolePolicyDocument: trust() },
              { RoleName: 'dev-role', AssumeRolePolicyDocument: trust() },
            ],
          },
        },
      },
    });

    const state = promisedState(doc, stackContext());

    expect([state.roles[0].name, state.roles[0].arn]).toEqual([
      'prod-role',
      'arn:aws:iam::111122223333:role/prod-role',
    ]);
  });
});

describe('StackSet member parameters', () => {
  it('keeps a NoEcho value handed to a member template secret and checks it', () => {
    const member = stringify({
      Parameters: { MemberSecret: { Type: 'String', NoEcho: true } },
      Resources: {
        MemberRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'member',
            AssumeRolePolicyDocument: {
              Statement: [
                { Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'MemberSecret' } } } },
              ],
            },
          },
        },
      },
    });
    const doc = template({
      Resources: {
        Set: {
          Type: 'AWS::CloudFormation::StackSet',
          Properties: {
            TemplateBody: member,
            Parameters: [{ ParameterKey: 'MemberSecret', ParameterValue: 'canary-member-secret' }],
          },
        },
      },
    });

    const state = promisedState(doc, stackContext());

    const value = dig(
      state.memberAccountRoles[0].role.trustPolicy,
      'Statement',
      0,
      'Condition',
      'StringEquals',
      'sts:ExternalId',
    );
    expect(isSecret(value) && value.matches('canary-member-secret')).toBe(true);
    expect(JSON.stringify(state)).not.toContain('canary-member-secret');
  });
});

describe('the key __proto__', () => {
  const yaml = [
    'Resources:',
    '  Role:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      RoleName: probe',
    '      AssumeRolePolicyDocument:',
    '        Statement:',
    '          - Effect: Allow',
    "            Principal: { AWS: 'arn:aws:iam::111122223333:root' }",
    '            Action: sts:AssumeRole',
    "            Condition: { StringEquals: { __proto__: 'x' } }",
    '      Tags:',
    "        - { Key: __proto__, Value: 'tagged' }",
  ].join('\n');
  // Written as text: in a JavaScript object literal, __proto__ would set the prototype instead.
  const json = `{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "probe",
    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"__proto__": "x"}}}]},
    "Tags": [{"Key": "__proto__", "Value": "tagged"}]}}}}`;

  it.each([
    ['YAML', () => parseTemplate(yaml, 'proto.yaml')],
    ['JSON', () => parseTemplate(json, 'proto.json')],
  ])(
    'stays a key of a condition and of the tags, as CloudFormation deploys it, in %s',
    (_, doc) => {
      const [role] = promisedState(doc(), stackContext()).roles;

      const condition = dig(role.trustPolicy, 'Statement', 0, 'Condition', 'StringEquals');
      expect(Object.entries(condition as object)).toEqual([['__proto__', 'x']]);
      expect(Object.entries(role.tags)).toEqual([['__proto__', 'tagged']]);
    },
  );

  it('is found as a mapping key by Fn::FindInMap', () => {
    const text = [
      'Mappings:',
      '  Accounts:',
      '    __proto__: { Id: "444455556666" }',
      'Resources:',
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      RoleName: !FindInMap [Accounts, __proto__, Id]',
      '      AssumeRolePolicyDocument: { Statement: [] }',
    ].join('\n');

    const [role] = promisedState(parseTemplate(text, 'map.yaml'), stackContext()).roles;

    expect(role.name).toBe('444455556666');
  });
});
