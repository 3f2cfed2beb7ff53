// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
import {
  createdIamNames,
  promisedState,
  resolveTemplate,
  TemplateError,
} from '../../../../functions/engine/template';
import { isSecret, isUnknown, sha256Hex } from '../../../../functions/engine/values';
import {
  ACCOUNT,
  dig,
  roleNamed,
  roleTemplate,
  stackContext,
  template,
  trust,
  yamlTemplate,
} from './builders';

function errorOf(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

const role = (properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: trust(), ...properties },
  ...extra,
});

const document = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
});

describe('promisedState', () => {
  describe('roles', () => {
    it('gives a role its defaults: path /, one hour, no boundary, no tags', () => {
      const state = promisedState(roleTemplate({ RoleName: 'plain' }), stackContext());

      expect(state.roles).toEqual([
        {
          logicalId: 'Role',
          name: 'plain',
          path: '/',
          arn: `arn:aws:iam::${ACCOUNT}:role/plain`,
          trustPolicy: trust(),
          inlinePolicies: [],
          managedPolicyArns: [],
          permissionsBoundary: null,
          maxSessionDuration: 3600,
          tags: {},
        },
      ]);
    });

    it('reads path, session length, boundary and tags, and builds the ARN with the path', () => {
      const state = promisedState(
        roleTemplate({
          RoleName: 'tenant',
          Path: '/connector/',
          MaxSessionDuration: '7200',
          PermissionsBoundary: {
            'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary',
          },
          Tags: [
            { Key: 'team', Value: 'platform' },
            { Key: 'enabled', Value: true },
          ],
        }),
        stackContext({ region: 'eu-west-1' }),
      );

      const tenant = state.roles[0];
      expect([
        tenant.path,
        tenant.arn,
        tenant.maxSessionDuration,
        tenant.permissionsBoundary,
        tenant.tags,
      ]).toEqual([
        '/connector/',
        `arn:aws:iam::${ACCOUNT}:role/connector/tenant`,
        7200,
        `arn:aws:iam::${ACCOUNT}:policy/boundary`,
        { team: 'platform', enabled: 'true' },
      ]);
    });

    it('takes a generated role name and its last update from the stack resources', () => {
      const lastUpdated = new Date('2026-11-30T10:00:00Z');
      const state = promisedState(
        roleTemplate({}),
        stackContext({
          resources: [
            {
              logicalId: 'Role',
              physicalId: 'connector-Role-1ABC',
              type: 'AWS::IAM::Role',
              lastUpdated,
            },
          ],
        }),
      );

      expect([state.roles[0].name, state.roles[0].arn, state.roles[0].lastUpdated]).toEqual([
        'connector-Role-1ABC',
        `arn:aws:iam::${ACCOUNT}:role/connector-Role-1ABC`,
        lastUpdated,
      ]);
    });

    it('prefers the name the stack reports over a RoleName known only after deploy', () => {
      const doc = roleTemplate(
        { RoleName: { 'Fn::GetAtt': ['Namer', 'Name'] } },
        { Resources: { Namer: { Type: 'Custom::Namer', Properties: { ServiceToken: 'arn' } } } },
      );
      const resources = [
        { logicalId: 'Role', physicalId: 'named-by-custom', type: 'AWS::IAM::Role' },
      ];

      const withResources = promisedState(doc, stackContext({ resources })).roles[0];
      const without = promisedState(doc, stackContext()).roles[0];

      expect(withResources.name).toBe('named-by-custom');
      expect(isUnknown(without.name) && without.name.source).toBe('Custom::Namer.Name');
    });

    it('leaves a generated name unknown without resources, saying what to supply', () => {
      const name = promisedState(roleTemplate({}), stackContext()).roles[0].name;

      expect(isUnknown(name) && [name.source, name.reason]).toEqual([
        'Ref Role',
        "Role (AWS::IAM::Role): it has no RoleName, so CloudFormation generates its name; supply the stack's resources (describe-stack-resources) to know it",
      ]);
    });

    it('leaves out a role whose condition is false', () => {
      const doc = template({
        Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
        Resources: {
          Kept: role({ RoleName: 'kept' }),
          Gone: role({ RoleName: 'gone' }, { Condition: 'Never' }),
        },
      });

      expect(promisedState(doc, stackContext()).roles.map((r) => r.name)).toEqual(['kept']);
    });

    it('reports a role whose condition cannot be decided instead of guessing', () => {
      const doc = template({
        Conditions: { Maybe: { 'Fn::Equals': [{ 'Fn::ImportValue': 'flag' }, 'on'] } },
        Resources: { Unsure: role({ RoleName: 'unsure' }, { Condition: 'Maybe' }) },
      });

      const state = promisedState(doc, stackContext());

      expect(state.roles).toEqual([]);
      expect(state.notExpanded).toEqual([
        {
          logicalId: 'Unsure',
          type: 'AWS::IAM::Role',
          reason:
            'whether the stack creates it depends on a condition that cannot be decided offline (Fn::ImportValue flag)',
        },
      ]);
    });

    it('decides an undecidable condition by the resources the stack reports', () => {
      const doc = template({
        Conditions: { Maybe: { 'Fn::Equals': [{ 'Fn::ImportValue': 'flag' }, 'on'] } },
        Resources: {
          Unsure: role({ RoleName: 'unsure' }, { Condition: 'Maybe' }),
          Other: role({ RoleName: 'other' }, { Condition: 'Maybe' }),
        },
      });
      const resources = [{ logicalId: 'Unsure', physicalId: 'unsure', type: 'AWS::IAM::Role' }];

      const state = promisedState(doc, stackContext({ resources }));

      expect(state.roles.map((r) => r.name)).toEqual(['unsure']);
      expect(state.notExpanded).toEqual([]);
    });

    it('parses a policy document given as JSON text', () => {
      const state = promisedState(
        roleTemplate({ RoleName: 'r', AssumeRolePolicyDocument: JSON.stringify(trust()) }),
        stackContext(),
      );

      expect(state.roles[0].trustPolicy).toEqual(trust());
    });

    it('names the missing policy name of an inline policy by its path', () => {
      const doc = roleTemplate({
        RoleName: 'r',
        Policies: [{ PolicyDocument: document('s3:GetObject') }],
      });

      expect(errorOf(() => promisedState(doc, stackContext())).message).toBe(
        'Resources.Role.Properties.Policies[0].PolicyName: must be a string, received nothing',
      );
    });

    it.each([
      [
        { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } },
        'Resources.Role.Properties.AssumeRolePolicyDocument: must be a policy document, received nothing',
      ],
      [
        { Role: role({ RoleName: 'r', Policies: [{ PolicyName: 'p' }] }) },
        'Resources.Role.Properties.Policies[0].PolicyDocument: must be a policy document, received nothing',
      ],
      [
        { Extra: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'] } } },
        'Resources.Extra.Properties.PolicyDocument: must be a policy document, received nothing',
      ],
      [
        { Shared: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: 'p' } } },
        'Resources.Shared.Properties.PolicyDocument: must be a policy document, received nothing',
      ],
    ])(
      'refuses an IAM resource without the policy document CloudFormation requires',
      (resources, message) => {
        expect(
          errorOf(() => promisedState(template({ Resources: resources }), stackContext())).message,
        ).toBe(message);
      },
    );

    it('names a tag without a key by its index', () => {
      const doc = roleTemplate({ RoleName: 'r', Tags: [{ Key: 'a', Value: 'b' }, { Value: 'c' }] });

      expect(errorOf(() => promisedState(doc, stackContext())).message).toBe(
        'Resources.Role.Properties.Tags[1].Key: must be a string, received nothing',
      );
    });

    it('refuses a session length outside IAM range, naming the property', () => {
      const error = errorOf(() =>
        promisedState(roleTemplate({ RoleName: 'r', MaxSessionDuration: 60 }), stackContext()),
      );

      expect(error.message).toBe(
        'Resources.Role.Properties.MaxSessionDuration: must be a whole number of seconds from 3600 to 43200, received the number 60',
      );
    });

    it.each([
      ['connector', 'connector'],
      ['/connector', '/connector'],
      ['connector/', 'connector/'],
      ['//', '//'],
      ['/a b/', '/a b/'],
      ['of 513 characters', `/${'a'.repeat(511)}/`],
    ])('refuses the path %s, which IAM refuses, naming the property and the rule', (_, path) => {
      const role = () => roleTemplate({ RoleName: 'r', Path: path });
      const policy = () =>
        template({
          Resources: {
            Policy: {
              Type: 'AWS::IAM::ManagedPolicy',
              Properties: { Path: path, PolicyDocument: document('s3:GetObject') },
            },
          },
        });

      for (const [doc, logicalId] of [
        [role, 'Role'],
        [policy, 'Policy'],
      ] as const) {
        expect(errorOf(() => promisedState(doc(), stackContext())).message).toMatch(
          new RegExp(
            `^Resources\\.${logicalId}\\.Properties\\.Path: must be / or start and end with / ` +
              'with printable ASCII between, at most 512 characters, as IAM requires; received ' +
              "the string '",
          ),
        );
      }
    });

    it('accepts / and a path of printable ASCII between slashes', () => {
      const path = `/a.b-c_d+e=f,g@h!~/${'x'.repeat(490)}/`;

      for (const given of ['/', path]) {
        const state = promisedState(roleTemplate({ RoleName: 'r', Path: given }), stackContext());

        expect(state.roles[0].path).toBe(given);
        expect(state.roles[0].arn).toBe(`arn:aws:iam::${ACCOUNT}:role${given}r`);
      }
    });
  });

  describe('inline and managed policies from every resource that targets a role', () => {
    const doc = template({
      Resources: {
        Worker: role({
          RoleName: 'worker',
          Policies: [{ PolicyName: 'own', PolicyDocument: document('s3:GetObject') }],
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', { Ref: 'Shared' }],
        }),
        Generated: role(),
        Extra: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'extra',
            PolicyDocument: document('sqs:SendMessage'),
            Roles: [{ Ref: 'Worker' }, { Ref: 'Generated' }, 'someone-else'],
          },
        },
        Single: {
          Type: 'AWS::IAM::RolePolicy',
          Properties: {
            RoleName: 'worker',
            PolicyName: 'single',
            PolicyDocument: document('sns:Publish'),
          },
        },
        Shared: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            ManagedPolicyName: 'shared',
            PolicyDocument: document('kms:Decrypt'),
            Roles: [{ Ref: 'Worker' }],
          },
        },
        Attached: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: document('logs:PutLogEvents'),
            Roles: [{ Ref: 'Generated' }],
            Users: ['ops'],
          },
        },
      },
    });

    it('gathers inline policies from the role, AWS::IAM::Policy and AWS::IAM::RolePolicy', () => {
      const worker = roleNamed(promisedState(doc, stackContext()), 'Worker');

      expect(worker.inlinePolicies).toEqual([
        {
          name: 'own',
          document: document('s3:GetObject'),
          definedBy: { logicalId: 'Worker', type: 'AWS::IAM::Role' },
        },
        {
          name: 'extra',
          document: document('sqs:SendMessage'),
          definedBy: { logicalId: 'Extra', type: 'AWS::IAM::Policy' },
        },
        {
          name: 'single',
          document: document('sns:Publish'),
          definedBy: { logicalId: 'Single', type: 'AWS::IAM::RolePolicy' },
        },
      ]);
    });

    it('matches a Ref to a role with a generated name by logical ID', () => {
      const generated = roleNamed(promisedState(doc, stackContext()), 'Generated');

      expect(generated.inlinePolicies.map((policy) => policy.name)).toEqual(['extra']);
      expect(
        generated.managedPolicyArns.map((entry) => [
          entry.definedBy.logicalId,
          isUnknown(entry.arn),
        ]),
      ).toEqual([['Attached', true]]);
    });

    it('lists each managed policy ARN once, from ManagedPolicyArns and from the policy Roles', () => {
      const worker = roleNamed(promisedState(doc, stackContext()), 'Worker');

      expect(worker.managedPolicyArns).toEqual([
        {
          arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          definedBy: { logicalId: 'Worker', type: 'AWS::IAM::Role' },
        },
        {
          arn: `arn:aws:iam::${ACCOUNT}:policy/shared`,
          definedBy: { logicalId: 'Worker', type: 'AWS::IAM::Role' },
        },
      ]);
    });

    it('says what each managed policy is attached to', () => {
      const state = promisedState(doc, stackContext());

      const shared = state.managedPolicies.find((policy) => policy.logicalId === 'Shared');
      const attached = state.managedPolicies.find((policy) => policy.logicalId === 'Attached');
      expect(shared?.attachedTo).toEqual({ roles: ['worker'], users: [], groups: [] });
      expect(attached?.attachedTo.users).toEqual(['ops']);
      expect(attached?.attachedTo.roles.map((name) => isUnknown(name) && name.source)).toEqual([
        'Ref Generated',
      ]);
    });

    it('reports grants to roles the stack does not create', () => {
      const state = promisedState(doc, stackContext());

      expect(state.externalRoleGrants).toEqual([
        {
          roleName: 'someone-else',
          kind: 'inline-policy',
          name: 'extra',
          definedBy: { logicalId: 'Extra', type: 'AWS::IAM::Policy' },
        },
      ]);
    });

    it('lists the names created with their IAM limits', () => {
      const names = createdIamNames(promisedState(doc, stackContext()));

      expect(
        names
          .filter((entry) => typeof entry.name === 'string')
          .map((entry) => [entry.kind, entry.name, entry.limit]),
      ).toEqual([
        ['role', 'worker', 64],
        ['inline-policy', 'own', 128],
        ['inline-policy', 'extra', 128],
        ['inline-policy', 'single', 128],
        ['inline-policy', 'extra', 128],
        ['managed-policy', 'shared', 128],
      ]);
    });
  });

  describe('attachments written through functions', () => {
    const policy = (name: string) => ({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { ManagedPolicyName: name, PolicyDocument: document('s3:GetObject') },
    });

    it('sees a role attached to a stack policy by GetAtt PolicyArn, Fn::If and the ARN written out', () => {
      const doc = template({
        Conditions: { On: { 'Fn::Equals': ['a', 'a'] } },
        Resources: {
          ByGetAtt: policy('by-getatt'),
          ByIf: policy('by-if'),
          Written: policy('written'),
          Unused: policy('unused'),
          Worker: role({
            RoleName: 'worker',
            ManagedPolicyArns: [
              { 'Fn::GetAtt': ['ByGetAtt', 'PolicyArn'] },
              { 'Fn::If': ['On', { Ref: 'ByIf' }, { Ref: 'AWS::NoValue' }] },
              { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/written' },
            ],
          }),
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.managedPolicies.map((p) => [p.name, p.attachedTo.roles])).toEqual([
        ['by-getatt', ['worker']],
        ['by-if', ['worker']],
        ['written', ['worker']],
        ['unused', []],
      ]);
    });

    it('matches a generated policy ARN by what it depends on, listing each role once', () => {
      const doc = template({
        Resources: {
          Generated: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: { PolicyDocument: document('s3:GetObject'), Roles: [{ Ref: 'Both' }] },
          },
          ByGetAtt: role({
            RoleName: 'by-getatt',
            ManagedPolicyArns: [{ 'Fn::GetAtt': ['Generated', 'PolicyArn'] }],
          }),
          Both: role({ RoleName: 'both', ManagedPolicyArns: [{ Ref: 'Generated' }] }),
        },
      });

      const state = promisedState(doc, stackContext());

      const generated = state.managedPolicies[0];
      expect(isUnknown(generated.arn) && generated.arn.source).toBe('Ref Generated');
      expect(generated.attachedTo.roles).toEqual(['both', 'by-getatt']);
      expect(roleNamed(state, 'Both').managedPolicyArns).toHaveLength(1);
    });

    it('grants the policies of an AWS::IAM::Policy whose whole Properties block is an Fn::If', () => {
      const doc = template({
        Conditions: { On: { 'Fn::Equals': ['a', 'a'] } },
        Resources: {
          Worker: role(),
          Grant: {
            Type: 'AWS::IAM::Policy',
            Properties: {
              'Fn::If': [
                'On',
                {
                  PolicyName: 'grant',
                  PolicyDocument: document('sqs:SendMessage'),
                  Roles: [{ Ref: 'Worker' }, 'outside'],
                },
                { Ref: 'AWS::NoValue' },
              ],
            },
          },
        },
      });

      const state = promisedState(doc, stackContext());

      expect(roleNamed(state, 'Worker').inlinePolicies).toEqual([
        {
          name: 'grant',
          document: document('sqs:SendMessage'),
          definedBy: { logicalId: 'Grant', type: 'AWS::IAM::Policy' },
        },
      ]);
      expect(state.externalRoleGrants.map((grant) => grant.roleName)).toEqual(['outside']);
    });
  });

  describe('a parameter list of many managed policy ARNs', () => {
    const arn = (i: number) => `arn:aws:iam::${ACCOUNT}:policy/global-${i}`;
    const unique = Array.from({ length: 20_000 }, (_, i) => arn(i));
    // Every hundredth ARN is repeated later in the list, as a pasted list may hold it twice.
    const given = [...unique, ...unique.filter((_, i) => i % 100 === 0)];
    const doc = template({
      Parameters: { Global: { Type: 'CommaDelimitedList' } },
      Resources: {
        Api: role({ RoleName: 'api', ManagedPolicyArns: { Ref: 'Global' } }),
        Worker: role({
          RoleName: 'worker',
          ManagedPolicyArns: [arn(7), { Ref: 'Own' }, arn(7)],
        }),
        Own: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            ManagedPolicyName: 'own',
            PolicyDocument: document('s3:GetObject'),
            Roles: [{ Ref: 'Api' }, 'api', { Ref: 'Worker' }],
          },
        },
      },
    });

    it('attaches each ARN once, in the order first given, beside the stack policy', () => {
      const state = promisedState(doc, stackContext({ parameters: { Global: given.join(',') } }));

      const api = roleNamed(state, 'Api').managedPolicyArns;
      expect(api.map((entry) => entry.arn)).toEqual([
        ...unique,
        `arn:aws:iam::${ACCOUNT}:policy/own`,
      ]);
      expect(api.at(-1)?.definedBy).toEqual({ logicalId: 'Own', type: 'AWS::IAM::ManagedPolicy' });
      expect(roleNamed(state, 'Worker').managedPolicyArns.map((entry) => entry.arn)).toEqual([
        arn(7),
        `arn:aws:iam::${ACCOUNT}:policy/own`,
      ]);
    });

    it('lists each role the stack policy is attached to once, however the policy names it', () => {
      const state = promisedState(doc, stackContext({ parameters: { Global: given } }));

      expect(state.managedPolicies[0].attachedTo.roles).toEqual(['api', 'worker']);
    });

    it('checks every member of the list against AllowedValues, naming the one refused', () => {
      const allowed = template({
        Parameters: { Global: { Type: 'CommaDelimitedList', AllowedValues: unique.slice(0, 3) } },
      });
      const context = (value: string) => stackContext({ parameters: { Global: value } });

      expect(() => promisedState(allowed, context(`${arn(2)},${arn(0)}`))).not.toThrow();
      expect(errorOf(() => promisedState(allowed, context(`${arn(0)},${arn(3)}`))).message).toBe(
        `Parameters.Global: the value '${arn(3)}' is not one of the allowed values ` +
          `${arn(0)}, ${arn(1)}, ${arn(2)}`,
      );
    });
  });

  describe('names known only after deploy', () => {
    const setup = { Type: 'Custom::Setup', Properties: { ServiceToken: 'arn:aws:lambda:x' } };
    const prefixed = (suffix: string) => ({ 'Fn::Sub': `\${Setup.Prefix}-${suffix}` });
    const policyArn = (name: string) => ({
      'Fn::Sub': `arn:aws:iam::\${AWS::AccountId}:policy/\${Setup.Prefix}-${name}`,
    });
    const sourcesOf = (names: unknown[]) =>
      names.map((name) => (isUnknown(name) ? name.source : name));

    it('grants a policy only to the role whose unknown name is built the same way', () => {
      const state = promisedState(
        template({
          Resources: {
            Setup: setup,
            Api: role({ RoleName: prefixed('api') }),
            Worker: role({ RoleName: prefixed('worker') }),
            Grant: {
              Type: 'AWS::IAM::Policy',
              Properties: {
                PolicyName: 'grant',
                PolicyDocument: document('sqs:SendMessage'),
                Roles: [prefixed('worker'), prefixed('other')],
              },
            },
          },
        }),
        stackContext(),
      );

      expect(roleNamed(state, 'Api').inlinePolicies).toEqual([]);
      expect(roleNamed(state, 'Worker').inlinePolicies.map((p) => p.name)).toEqual(['grant']);
      expect(sourcesOf(state.externalRoleGrants.map((g) => g.roleName))).toEqual([
        'Custom::Setup.Prefix',
      ]);
    });

    it('keeps managed policy ARNs built differently from one unknown, and each once', () => {
      const state = promisedState(
        template({
          Resources: {
            Setup: setup,
            Worker: role({
              RoleName: 'worker',
              ManagedPolicyArns: [policyArn('read'), policyArn('write'), policyArn('read')],
            }),
          },
        }),
        stackContext(),
      );

      const arns = roleNamed(state, 'Worker').managedPolicyArns.map((entry) => entry.arn);
      expect(sourcesOf(arns)).toEqual(['Custom::Setup.Prefix', 'Custom::Setup.Prefix']);
    });

    it('keeps apart the same attribute of two resources, and an ARN written as its placeholder', () => {
      const state = promisedState(
        template({
          Resources: {
            One: setup,
            Two: setup,
            Worker: role({
              RoleName: 'worker',
              ManagedPolicyArns: [
                { 'Fn::GetAtt': ['One', 'Arn'] },
                { 'Fn::GetAtt': ['Two', 'Arn'] },
                { 'Fn::GetAtt': ['One', 'Arn'] },
                '<unknown: Custom::Setup.Arn>',
              ],
            }),
          },
        }),
        stackContext(),
      );

      const arns = roleNamed(state, 'Worker').managedPolicyArns.map((entry) => entry.arn);
      expect(sourcesOf(arns)).toEqual([
        'Custom::Setup.Arn',
        'Custom::Setup.Arn',
        '<unknown: Custom::Setup.Arn>',
      ]);
    });

    it('keeps apart the picks of one undecided condition and the items of one unknown list', () => {
      const state = promisedState(
        template({
          Parameters: {
            Names: { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/names' },
          },
          Conditions: { Undecided: { 'Fn::Equals': [{ 'Fn::GetAtt': ['Setup', 'Mode'] }, 'a'] } },
          Resources: {
            Setup: setup,
            Api: role({ RoleName: { 'Fn::If': ['Undecided', 'api-a', 'api-b'] } }),
            Worker: role({ RoleName: { 'Fn::If': ['Undecided', 'worker-a', 'worker-b'] } }),
            Reader: role({ RoleName: { 'Fn::Select': [0, { Ref: 'Names' }] } }),
            Writer: role({ RoleName: { 'Fn::Select': [1, { Ref: 'Names' }] } }),
            Grant: {
              Type: 'AWS::IAM::Policy',
              Properties: {
                PolicyName: 'grant',
                PolicyDocument: document('sqs:SendMessage'),
                Roles: [
                  { 'Fn::If': ['Undecided', 'worker-a', 'worker-b'] },
                  { 'Fn::Select': [1, { Ref: 'Names' }] },
                ],
              },
            },
          },
        }),
        stackContext({ parameters: {} }),
      );

      const granted = state.roles.filter((r) => r.inlinePolicies.length > 0);
      expect(granted.map((r) => r.logicalId)).toEqual(['Worker', 'Writer']);
    });

    it('keeps member ARNs built from the member account apart in a StackSet', () => {
      const member = [
        'Resources:',
        '  Reader:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      RoleName: reader',
        '      AssumeRolePolicyDocument: { Statement: [] }',
        '      ManagedPolicyArns:',
        "        - !Sub 'arn:aws:iam::${AWS::AccountId}:policy/read'",
        "        - !Sub 'arn:aws:iam::${AWS::AccountId}:policy/audit'",
      ].join('\n');
      const state = promisedState(
        template({
          Resources: {
            Members: {
              Type: 'AWS::CloudFormation::StackSet',
              Properties: {
                StackSetName: 'members',
                PermissionModel: 'SERVICE_MANAGED',
                TemplateBody: member,
                StackInstancesGroup: [
                  {
                    DeploymentTargets: { OrganizationalUnitIds: ['ou-1'] },
                    Regions: ['eu-west-1'],
                  },
                ],
              },
            },
          },
        }),
        stackContext(),
      );

      const [reader] = state.memberAccountRoles;
      expect(reader.role.managedPolicyArns).toHaveLength(2);
    });
  });

  describe('StackSets', () => {
    const memberTemplate = [
      'Parameters:',
      '  VendorAccount:',
      '    Type: String',
      '  Suffix:',
      '    Type: String',
      '    Default: member',
      'Resources:',
      '  MemberRole:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      RoleName: !Sub vendor-${Suffix}',
      '      AssumeRolePolicyDocument:',
      '        Version: 2012-10-17',
      '        Statement:',
      '          - Effect: Allow',
      '            Principal: { AWS: !Sub "arn:aws:iam::${VendorAccount}:root" }',
      '            Action: sts:AssumeRole',
      '      Policies:',
      '        - PolicyName: read',
      '          PolicyDocument:',
      '            Version: 2012-10-17',
      '            Statement:',
      '              - Effect: Allow',
      '                Action: s3:GetObject',
      '                Resource: !Sub arn:${AWS::Partition}:s3:::data-${AWS::AccountId}/*',
    ].join('\n');

    it('reports the roles of an inline TemplateBody as member-account roles, not this account', () => {
      const doc = template({
        Resources: {
          Members: {
            Type: 'AWS::CloudFormation::StackSet',
            Properties: {
              StackSetName: 'vendor-members',
              PermissionModel: 'SERVICE_MANAGED',
              TemplateBody: memberTemplate,
              Parameters: [{ ParameterKey: 'VendorAccount', ParameterValue: '999988887777' }],
              StackInstancesGroup: [
                { DeploymentTargets: { OrganizationalUnitIds: ['ou-1'] }, Regions: ['eu-west-1'] },
              ],
            },
          },
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.roles).toEqual([]);
      expect(
        state.memberAccountRoles.map((entry) => [entry.stackSetLogicalId, entry.role.name]),
      ).toEqual([['Members', 'vendor-member']]);
      const member = state.memberAccountRoles[0].role;
      expect(dig(member.trustPolicy, 'Statement', 0, 'Principal', 'AWS')).toBe(
        'arn:aws:iam::999988887777:root',
      );
      const resource = dig(member.inlinePolicies[0].document, 'Statement', 0, 'Resource');
      expect(isUnknown(resource) && resource.source).toBe(
        'AWS::AccountId of StackSet Members members',
      );
      expect(isUnknown(member.arn)).toBe(true);
    });

    it.each(['VendorAcount', 'toString', 'constructor'])(
      'names the StackSet Parameters entry that sets the undeclared member parameter %s',
      (key) => {
        const doc = template({
          Resources: {
            Members: {
              Type: 'AWS::CloudFormation::StackSet',
              Properties: {
                TemplateBody: memberTemplate,
                Parameters: [{ ParameterKey: key, ParameterValue: '999988887777' }],
              },
            },
          },
        });

        expect(errorOf(() => promisedState(doc, stackContext())).message).toBe(
          `Resources.Members.Properties.Parameters[0]: sets ${key}, which the member template does not declare`,
        );
      },
    );

    it('reports a StackSet with a TemplateURL as not expanded', () => {
      const doc = template({
        Resources: {
          Members: {
            Type: 'AWS::CloudFormation::StackSet',
            Properties: { TemplateURL: 'https://example.com/t.yaml' },
          },
        },
      });

      expect(promisedState(doc, stackContext()).notExpanded).toEqual([
        {
          logicalId: 'Members',
          type: 'AWS::CloudFormation::StackSet',
          reason:
            'its member template is read from TemplateURL; fetch that template and check it on its own',
        },
      ]);
    });

    it('names the StackSet path for an error inside its member template', () => {
      const doc = template({
        Resources: {
          Members: {
            Type: 'AWS::CloudFormation::StackSet',
            Properties: {
              TemplateBody: memberTemplate.replace('${Suffix}', '${Sufix}'),
              Parameters: [],
            },
          },
        },
      });

      expect(errorOf(() => promisedState(doc, stackContext())).message).toBe(
        "Resources.Members.Properties.TemplateBody: in the StackSet's member template: Resources.MemberRole.Properties.RoleName: Fn::Sub refers to ${Sufix}, which is not a parameter, resource or pseudo parameter",
      );
    });
  });

  describe('transforms and macros', () => {
    it('reports SAM resources and expands ordinary roles of a SAM template', () => {
      const doc = yamlTemplate(
        [
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          '  Fn:',
          '    Type: AWS::Serverless::Function',
          '    Properties: { Handler: index.handler, Runtime: nodejs20.x, InlineCode: x }',
          '  Plain:',
          '    Type: AWS::IAM::Role',
          '    Properties:',
          '      RoleName: plain',
          '      AssumeRolePolicyDocument: { Statement: [] }',
          '      Policies:',
          '        - PolicyName: p',
          '          PolicyDocument: { Statement: [{ Effect: Allow, Action: "lambda:InvokeFunction", Resource: !GetAtt FnRole.Arn }] }',
        ].join('\n'),
      );

      const state = promisedState(doc, stackContext());

      expect(state.roles.map((r) => r.name)).toEqual(['plain']);
      expect(state.notExpanded.map((entry) => [entry.logicalId, entry.type])).toEqual([
        ['Fn', 'AWS::Serverless::Function'],
      ]);
      const resource = dig(state.roles[0].inlinePolicies[0].document, 'Statement', 0, 'Resource');
      expect(isUnknown(resource) && resource.source).toBe('FnRole.Arn');
    });

    it('reports a template-level macro as able to change anything', () => {
      const doc = template({ Transform: ['AWS::LanguageExtensions', 'VendorMacro'] });

      expect(promisedState(doc, stackContext()).notExpanded).toEqual([
        expect.objectContaining({ logicalId: '(template)', type: 'Transform VendorMacro' }),
      ]);
    });

    it('reports a macro called from the Resources section and leaves what it may add unknown', () => {
      const include = { Name: 'AWS::Include', Parameters: { Location: 's3://shared/roles.yaml' } };
      const doc = template({
        Resources: {
          'Fn::Transform': include,
          Worker: role({ RoleName: 'worker', ManagedPolicyArns: [{ Ref: 'IncludedPolicy' }] }),
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.notExpanded).toEqual([
        {
          logicalId: '(Resources)',
          type: 'Fn::Transform AWS::Include',
          reason:
            "the macro AWS::Include adds to Resources when CloudFormation processes the template; resolve CloudFormation's processed template to check what it adds",
        },
      ]);
      const arn = roleNamed(state, 'Worker').managedPolicyArns[0].arn;
      expect(isUnknown(arn) && [arn.source, arn.reason]).toEqual([
        'Fn::Transform AWS::Include',
        'the resource IncludedPolicy is not declared in Resources, and the macro AWS::Include that adds to Resources may define it; read the processed template to know it',
      ]);
    });

    it('leaves undeclared conditions and mappings unknown when their section calls a macro', () => {
      const include = { Name: 'AWS::Include', Parameters: { Location: 's3://shared/more.yaml' } };
      const doc = template({
        Mappings: { 'Fn::Transform': include },
        Conditions: { 'Fn::Transform': include },
        Resources: {
          Maybe: role({ RoleName: 'maybe' }, { Condition: 'Included' }),
          Named: role({ RoleName: { 'Fn::FindInMap': ['Names', 'worker', 'Role'] } }),
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.notExpanded.map((entry) => [entry.logicalId, entry.type])).toEqual([
        ['(Conditions)', 'Fn::Transform AWS::Include'],
        ['(Mappings)', 'Fn::Transform AWS::Include'],
        ['Maybe', 'AWS::IAM::Role'],
      ]);
      const name = roleNamed(state, 'Named').name;
      expect(isUnknown(name) && name.source).toBe('Fn::Transform AWS::Include');
    });

    it('reports a role whose properties a macro beside them completes, instead of half of it', () => {
      const doc = template({
        Resources: {
          Worker: role({
            RoleName: 'worker',
            'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://p.yaml' } },
          }),
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.roles).toEqual([]);
      expect(state.notExpanded).toEqual([
        {
          logicalId: 'Worker',
          type: 'AWS::IAM::Role',
          reason:
            "Fn::Transform AWS::Include at Resources.Worker.Properties: the macro's output is known only from CloudFormation's processed template, so what it adds stays unknown",
        },
      ]);
    });

    it('expands Fn::ForEach loops of the language extensions into one role per item', () => {
      const doc = template({
        Transform: 'AWS::LanguageExtensions',
        Parameters: { Teams: { Type: 'CommaDelimitedList', Default: 'red,blue-green' } },
        Resources: {
          'Fn::ForEach::TeamRoles': [
            'Team',
            { Ref: 'Teams' },
            {
              'Role&{Team}': role({
                RoleName: { 'Fn::Sub': 'team-${Team}' },
                Tags: [{ Key: 'team', Value: { Ref: 'Team' } }],
              }),
            },
          ],
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.roles.map((r) => [r.logicalId, r.name, r.tags.team])).toEqual([
        ['Rolered', 'team-red', 'red'],
        ['Rolebluegreen', 'team-blue-green', 'blue-green'],
      ]);
    });

    it('refuses loops that make more resources than CloudFormation allows, naming the count', () => {
      const names = Array.from({ length: 501 }, (_, i) => `t${i}`).join(',');
      const doc = template({
        Transform: 'AWS::LanguageExtensions',
        Parameters: { Names: { Type: 'CommaDelimitedList', Default: names } },
        Resources: {
          'Fn::ForEach::Topics': [
            'Name',
            { Ref: 'Names' },
            { 'Topic${Name}': { Type: 'AWS::SNS::Topic' } },
          ],
        },
      });

      expect(errorOf(() => promisedState(doc, stackContext())).message).toBe(
        "Resources: has 501 entries once its Fn::ForEach loops are expanded, more than CloudFormation's limit of 500",
      );
    });

    it('reports a loop over a collection known only after deploy', () => {
      const doc = template({
        Transform: 'AWS::LanguageExtensions',
        Resources: {
          'Fn::ForEach::Imported': [
            'Name',
            { 'Fn::Split': [',', { 'Fn::ImportValue': 'names' }] },
            { 'Role${Name}': role() },
          ],
        },
      });

      const state = promisedState(doc, stackContext());

      expect(state.roles).toEqual([]);
      expect(state.notExpanded).toEqual([
        expect.objectContaining({ logicalId: 'Fn::ForEach::Imported', type: 'Fn::ForEach' }),
      ]);
    });
  });

  describe('YAML 1.1 booleans, as CloudFormation reads them', () => {
    const doc = yamlTemplate(
      [
        'Parameters:',
        '  Audit:',
        '    Type: String',
        '    AllowedValues: [Yes, No]',
        '    Default: Yes',
        'Mappings:',
        '  Owners:',
        '    Yes: { Team: auditors }',
        '    No: { Team: nobody }',
        'Conditions:',
        '  AuditOn: !Equals [!Ref Audit, Yes]',
        'Resources:',
        '  Auditor:',
        '    Type: AWS::IAM::Role',
        '    Condition: AuditOn',
        '    Properties:',
        '      RoleName: auditor',
        '      AssumeRolePolicyDocument: { Statement: [] }',
        '      Description: Yes',
        '      Tags:',
        '        - { Key: enabled, Value: on }',
        '        - { Key: team, Value: !FindInMap [Owners, !Ref Audit, Team] }',
      ].join('\n'),
    );

    it('deploys an unquoted yes of a tag or description as true and looks up a Yes key by true', () => {
      const state = promisedState(doc, stackContext());

      expect(state.roles.map((r) => [r.name, r.description, r.tags])).toEqual([
        ['auditor', 'true', { enabled: 'true', team: 'auditors' }],
      ]);
    });

    it('admits false for AllowedValues written [Yes, No], and the condition reads it', () => {
      const state = promisedState(doc, stackContext({ parameters: { Audit: 'false' } }));

      expect(state.roles).toEqual([]);
    });

    it('refuses No for AllowedValues written [Yes, No], naming what CloudFormation allows', () => {
      const error = errorOf(() =>
        promisedState(doc, stackContext({ parameters: { Audit: 'No' } })),
      );

      expect(error.message).toBe(
        "Parameters.Audit: the value 'No' is not one of the allowed values true, false",
      );
    });
  });

  describe('parameters', () => {
    const params = {
      Name: { Type: 'String', AllowedPattern: '[a-z-]+', MaxLength: 20 },
      Count: { Type: 'Number', MinValue: 1, MaxValue: 5, Default: 2 },
      Env: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'dev' },
      Ids: { Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1, subnet-2' },
      Fixed: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/connector/name' },
    };
    const doc = (value: unknown) =>
      roleTemplate({ RoleName: 'r', Description: value }, { Parameters: params });
    const resolved = (ctxParameters: Record<string, string | string[]>) =>
      resolveTemplate(
        roleTemplate({ RoleName: 'r' }, { Parameters: params }),
        stackContext({ parameters: ctxParameters }),
      ).parameters;

    it('takes an undefined value as not given, so the Default applies', () => {
      const parameters = { Name: 'acme', Env: undefined } as unknown as Record<string, string>;

      expect(resolved(parameters).Env).toBe('dev');
    });

    it('uses given values, defaults, lists and supplied SSM values', () => {
      expect(resolved({ Name: 'acme', Fixed: 'resolved-name' })).toEqual({
        Name: 'acme',
        Count: '2',
        Env: 'dev',
        Ids: ['subnet-1', 'subnet-2'],
        Fixed: 'resolved-name',
      });
    });

    it('leaves an SSM parameter unknown, naming the Parameter Store key, when no value is supplied', () => {
      const value = resolved({ Name: 'acme' }).Fixed;

      expect(isUnknown(value) && [value.source, value.reason]).toEqual([
        'SSM parameter /connector/name',
        'Fixed takes its value from the Parameter Store parameter /connector/name; supply the resolved value',
      ]);
    });

    it.each([
      [
        { Name: 'Acme' },
        "Parameters.Name: the value 'Acme' does not match the AllowedPattern [a-z-]+",
      ],
      [
        { Name: 'a'.repeat(21) },
        `Parameters.Name: the value '${'a'.repeat(21)}' is 21 characters, more than MaxLength 20`,
      ],
      [{ Name: 'a', Count: '9' }, "Parameters.Count: the value '9' is more than MaxValue 5"],
      [
        { Name: 'a', Count: 'two' },
        "Parameters.Count: is a Number, but the value 'two' is not a number",
      ],
      [
        { Name: 'a', Env: 'test' },
        "Parameters.Env: the value 'test' is not one of the allowed values dev, prod",
      ],
      [{}, 'Parameters.Name: no value was given and the parameter has no Default'],
      [
        { Name: 'a', Nmae: 'b' },
        'Parameters.Nmae: a value was given for this parameter, but the template does not declare it',
      ],
    ])('refuses %j with a message naming the parameter', (given, message) => {
      expect(
        errorOf(() => promisedState(doc('x'), stackContext({ parameters: given }))).message,
      ).toBe(message);
    });
  });

  describe('NoEcho parameters', () => {
    const Parameters = { ExternalId: { Type: 'String', NoEcho: 'true', MinLength: 8 } };
    const doc = roleTemplate(
      {
        RoleName: 'tenant',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::999988887777:root' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
            },
          ],
        },
      },
      { Parameters },
    );
    const externalIdOf = (state: ReturnType<typeof promisedState>) =>
      dig(
        state.roles[0].trustPolicy,
        'Statement',
        0,
        'Condition',
        'StringEquals',
        'sts:ExternalId',
      );

    it('keeps a clear value only as its digest, matching the live value', () => {
      const canary = 'canary-external-id-7f3a';

      const state = promisedState(doc, stackContext({ parameters: { ExternalId: canary } }));

      const value = externalIdOf(state);
      expect(isSecret(value) && value.matches(canary)).toBe(true);
      expect(JSON.stringify(state)).not.toContain(canary);
      expect(JSON.stringify(state)).toContain('<secret:ExternalId>');
    });

    it('takes the digest handed over for a masked value', () => {
      const digest = sha256Hex('canary-external-id-91bc');

      const value = externalIdOf(
        promisedState(
          doc,
          stackContext({
            parameters: { ExternalId: '****' },
            secretDigests: { ExternalId: digest },
          }),
        ),
      );

      expect(isSecret(value) && value.sha256).toBe(digest);
    });

    it('keeps a masked value without digest as a secret with no digest', () => {
      const value = externalIdOf(
        promisedState(doc, stackContext({ parameters: { ExternalId: '****' } })),
      );

      expect(isSecret(value) && value.sha256).toBeUndefined();
    });

    it('checks a clear value against its constraints without showing it', () => {
      const error = errorOf(() =>
        promisedState(doc, stackContext({ parameters: { ExternalId: 'canary' } })),
      );

      expect(error.message).toBe(
        'Parameters.ExternalId: the value given is 6 characters, fewer than MinLength 8',
      );
      expect(error.message).not.toContain('canary');
    });
  });

  describe('resolveTemplate', () => {
    it('resolves every resource and output, leaving not-created resources empty', () => {
      const doc = template({
        Parameters: { Env: { Type: 'String', Default: 'dev' } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
        Resources: {
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: { TopicName: { 'Fn::Sub': '${Env}-alerts' } },
          },
          ProdOnly: {
            Type: 'AWS::SNS::Topic',
            Condition: 'IsProd',
            Properties: { TopicName: 'prod' },
          },
        },
        Outputs: {
          TopicArn: {
            Value: { Ref: 'Topic' },
            Export: { Name: { 'Fn::Sub': '${AWS::StackName}-topic' } },
          },
          ProdArn: { Condition: 'IsProd', Value: { Ref: 'ProdOnly' } },
        },
      });

      const resolved = resolveTemplate(doc, stackContext());

      expect(resolved.conditions).toEqual({ IsProd: false });
      expect(resolved.resources.Topic).toEqual({
        logicalId: 'Topic',
        type: 'AWS::SNS::Topic',
        created: true,
        properties: { TopicName: 'dev-alerts' },
        macros: [],
      });
      expect(resolved.resources.ProdOnly.created).toBe(false);
      expect(resolved.resources.ProdOnly.properties).toEqual({});
      expect(resolved.outputs).toEqual({
        TopicArn: {
          value: `arn:aws:sns:us-east-1:${ACCOUNT}:dev-alerts`,
          exportName: 'connector-topic',
        },
      });
    });
  });

  describe('outputs', () => {
    it.each([
      ['promisedState', promisedState],
      ['resolveTemplate', resolveTemplate],
    ])('%s names the output whose Condition is not declared', (_, run) => {
      const doc = template({ Outputs: { Arn: { Condition: 'IsProd', Value: 'x' } } });

      expect(errorOf(() => run(doc, stackContext())).message).toBe(
        'Outputs.Arn.Condition: refers to condition IsProd, which is not declared in Conditions',
      );
    });
  });

  describe('robustness', () => {
    it('never throws anything but a TemplateError for odd shapes', () => {
      const odd: Record<string, unknown>[] = [
        { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { Policies: 'nope' } } } },
        { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { Policies: [5] } } } },
        { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { Tags: [{ Key: ['x'] }] } } } },
        {
          Resources: { R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: { a: 1 } } } },
        },
        {
          Resources: {
            R: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Join': [1, 2] } } },
          },
        },
        {
          Resources: { R: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Nope' }] } } },
        },
        { Resources: { R: { Type: 'AWS::IAM::Role', Condition: 'Missing' } } },
        { Conditions: { C: 'yes' }, Resources: { R: { Type: 'AWS::IAM::Role', Condition: 'C' } } },
        {
          Mappings: { M: { a: { b: 'c' } } },
          Resources: {
            R: {
              Type: 'AWS::IAM::Role',
              Properties: { RoleName: { 'Fn::FindInMap': ['M', 'a'] } },
            },
          },
        },
      ];

      for (const body of odd) {
        expect(() => promisedState(template(body), stackContext())).toThrow(TemplateError);
      }
    });

    it('refuses a context without parameters', () => {
      const ctx = { ...stackContext(), parameters: undefined } as unknown as ReturnType<
        typeof stackContext
      >;

      expect(() => promisedState(roleTemplate({}), ctx)).toThrow(
        'the stack context needs a parameters mapping',
      );
    });
  });
});
