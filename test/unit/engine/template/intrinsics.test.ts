// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
import { TemplateError } from '../../../../functions/engine/template';
import {
  isSecret,
  isUnknown,
  sha256Hex,
  type UnknownValue,
} from '../../../../functions/engine/values';
import { ACCOUNT, resolveTree, resolveValue } from './builders';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

function sourceOf(value: unknown): string {
  if (!isUnknown(value))
    throw new Error(`expected an UnknownValue, received ${JSON.stringify(value)}`);
  return value.source;
}

const stringParameter = (Default?: string) => ({
  Type: 'String',
  ...(Default === undefined ? {} : { Default }),
});

describe('intrinsic functions', () => {
  describe('Ref', () => {
    it('gives pseudo parameters from the stack context', () => {
      const value = resolveTree(
        ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName'].map(
          (name) => ({ Ref: name }),
        ),
      );

      expect(value).toEqual([ACCOUNT, 'us-east-1', 'aws', 'amazonaws.com', 'connector']);
    });

    it('derives the partition and URL suffix of China and GovCloud regions', () => {
      const china = resolveTree(
        [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }],
        {},
        { region: 'cn-north-1' },
      );
      const gov = resolveTree([{ Ref: 'AWS::Partition' }], {}, { region: 'us-gov-west-1' });

      expect(china).toEqual(['aws-cn', 'amazonaws.com.cn']);
      expect(gov).toEqual(['aws-us-gov']);
    });

    it.each([
      ['eusc-de-east-1', 'aws-eusc', 'amazonaws.eu'],
      ['eu-isoe-west-1', 'aws-iso-e', 'cloud.adc-e.uk'],
      ['us-isof-south-1', 'aws-iso-f', 'csp.hci.ic.gov'],
      ['us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov'],
    ])('derives the partition and URL suffix of %s', (region, partition, suffix) => {
      const value = resolveTree(
        [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }],
        {},
        { region },
      );

      expect(value).toEqual([partition, suffix]);
    });

    it('gives the stack ID and notification ARNs, or names them unknown when not supplied', () => {
      const known = resolveTree(
        [{ Ref: 'AWS::NotificationARNs' }],
        {},
        { notificationArns: ['arn:aws:sns:us-east-1:1:t'] },
      );
      const unknown = resolveTree({ Ref: 'AWS::StackId' }, {}, { stackId: undefined });

      expect(known).toEqual([['arn:aws:sns:us-east-1:1:t']]);
      expect(sourceOf(unknown)).toBe('AWS::StackId');
    });

    it('removes AWS::NoValue from a mapping, a list and a whole block', () => {
      const value = resolveTree(
        {
          Kept: 'a',
          Gone: { Ref: 'AWS::NoValue' },
          List: ['x', { Ref: 'AWS::NoValue' }, 'y'],
          Block: { 'Fn::If': ['No', { Inner: 1 }, { Ref: 'AWS::NoValue' }] },
        },
        { Conditions: { No: { 'Fn::Equals': ['a', 'b'] } } },
      );

      expect(value).toEqual({ Kept: 'a', List: ['x', 'y'] });
    });

    it('refuses an unknown name with the path and the name', () => {
      const message = errorOf(() => resolveValue({ Ref: 'Prefx' }));

      expect(message).toBe(
        'Resources.Role.Properties.Description: Ref to Prefx, which is not a parameter, resource or pseudo parameter',
      );
    });

    it('refuses an unknown pseudo parameter', () => {
      expect(errorOf(() => resolveValue({ Ref: 'AWS::Account' }))).toMatch(
        /AWS::Account is not a pseudo parameter/,
      );
    });
  });

  describe('Fn::Sub', () => {
    const sections = { Parameters: { Prefix: stringParameter('acme') } };

    it('replaces pseudo parameters, parameters, resources and attributes', () => {
      const value = resolveValue(
        { 'Fn::Sub': '${Prefix}-${AWS::Region}-${Topic}-${Role.Arn}' },
        {
          ...sections,
          Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } } },
        },
      );

      expect(value).toBe(
        `acme-us-east-1-arn:aws:sns:us-east-1:${ACCOUNT}:alerts-arn:aws:iam::${ACCOUNT}:role/probe`,
      );
    });

    it('keeps ${!Literal} as the literal ${Literal}', () => {
      expect(resolveValue({ 'Fn::Sub': '${!Prefix}-${Prefix}' }, sections)).toBe('${Prefix}-acme');
    });

    it('takes variables from its map first and falls back to parameters for other names', () => {
      const value = resolveValue(
        { 'Fn::Sub': ['${Prefix}/${Bucket}', { Bucket: 'logs', Unused: 'x' }] },
        sections,
      );

      expect(value).toBe('acme/logs');
    });

    it('resolves functions inside the variable map', () => {
      const value = resolveValue(
        { 'Fn::Sub': ['${A}', { A: { 'Fn::Join': ['-', ['x', { Ref: 'Prefix' }]] } }] },
        sections,
      );

      expect(value).toBe('x-acme');
    });

    it('refuses a name that is nothing, with the path and the name', () => {
      const message = errorOf(() => resolveValue({ 'Fn::Sub': '${Prefx}-role' }, sections));

      expect(message).toBe(
        'Resources.Role.Properties.Description: Fn::Sub refers to ${Prefx}, which is not a parameter, resource or pseudo parameter',
      );
    });

    it('refuses to insert a list parameter', () => {
      const message = errorOf(() =>
        resolveValue(
          { 'Fn::Sub': '${Zones}' },
          { Parameters: { Zones: { Type: 'CommaDelimitedList', Default: 'a,b' } } },
        ),
      );

      expect(message).toMatch(/Fn::Sub cannot insert \$\{Zones\}: it is a list/);
    });

    it('makes the whole string unknown when a part is unknown, naming the source', () => {
      const value = resolveValue(
        { 'Fn::Sub': 'id-${Api.ExternalId}' },
        {
          Resources: {
            Api: { Type: 'Custom::DatadogAPICall', Properties: { ServiceToken: 'arn' } },
          },
        },
      );

      expect(sourceOf(value)).toBe('Custom::DatadogAPICall.ExternalId');
    });

    it('names every unknown source when several parts are unknown', () => {
      const value = resolveValue(
        { 'Fn::Sub': '${Api.ExternalId}:${AWS::StackId}' },
        { Resources: { Api: { Type: 'Custom::X', Properties: { ServiceToken: 'arn' } } } },
        { stackId: undefined },
      );

      expect(sourceOf(value)).toBe('Custom::X.ExternalId, AWS::StackId');
    });
  });

  describe('Fn::Join, Fn::Select, Fn::Split', () => {
    it('joins a literal list and a list parameter', () => {
      const sections = {
        Parameters: { Zones: { Type: 'CommaDelimitedList', Default: 'a, b ,c' } },
      };

      expect(resolveValue({ 'Fn::Join': ['|', { Ref: 'Zones' }] }, sections)).toBe('a|b|c');
      expect(resolveValue({ 'Fn::Join': ['', ['arn:aws:iam::', 12, ':root']] })).toBe(
        'arn:aws:iam::12:root',
      );
    });

    it('selects by index given as a number or as text', () => {
      expect(resolveValue({ 'Fn::Select': [1, ['a', 'b']] })).toBe('b');
      expect(resolveValue({ 'Fn::Select': ['0', { 'Fn::Split': [',', 'x,y'] }] })).toBe('x');
    });

    it('refuses an index out of range', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Select': [2, ['a', 'b']] }))).toMatch(
        /Fn::Select index 2 is out of range for a list of 2/,
      );
    });

    it('splits text and keeps an unknown source unknown', () => {
      expect(resolveTree({ 'Fn::Split': ['/', 'a/b/c'] })).toEqual(['a', 'b', 'c']);
      expect(sourceOf(resolveTree({ 'Fn::Split': [',', { 'Fn::ImportValue': 'shared' }] }))).toBe(
        'Fn::ImportValue shared',
      );
    });

    it('makes a Join unknown when an item or the whole list is known only after deploy', () => {
      const sections = {
        Resources: { Api: { Type: 'Custom::Vendor', Properties: { ServiceToken: 'arn' } } },
      };

      const value = resolveTree(
        [
          { 'Fn::Join': [':', ['id', { 'Fn::GetAtt': ['Api', 'ExternalId'] }]] },
          { 'Fn::Join': [',', { 'Fn::Split': [',', { 'Fn::ImportValue': 'ids' }] }] },
          { 'Fn::Select': [1, { 'Fn::Split': [',', { 'Fn::GetAtt': ['Api', 'Ids'] }] }] },
        ],
        sections,
      ) as unknown[];

      expect(value.map(sourceOf)).toEqual([
        'Custom::Vendor.ExternalId',
        'Fn::ImportValue ids',
        'Custom::Vendor.Ids',
      ]);
    });

    it('refuses a Join whose second argument is not a list', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Join': ['', 'abc'] }))).toMatch(
        /Fn::Join takes a list second/,
      );
    });
  });

  describe('Fn::FindInMap', () => {
    const Mappings = { Sites: { eu: { Account: '464622532012', Zero: '000000000000' } } };

    it('looks up both keys, resolved from functions', () => {
      const sections = { Mappings, Parameters: { Site: stringParameter('eu') } };

      expect(resolveValue({ 'Fn::FindInMap': ['Sites', { Ref: 'Site' }, 'Zero'] }, sections)).toBe(
        '000000000000',
      );
    });

    it('refuses a missing key, naming the mapping and the key', () => {
      expect(
        errorOf(() => resolveValue({ 'Fn::FindInMap': ['Sites', 'us', 'Account'] }, { Mappings })),
      ).toMatch(/Fn::FindInMap: mapping Sites has no key us$/);
    });

    it('gives the DefaultValue of the language extensions for a missing key', () => {
      const value = resolveValue(
        { 'Fn::FindInMap': ['Sites', 'us', 'Account', { DefaultValue: 'none' }] },
        { Mappings },
      );

      expect(value).toBe('none');
    });
  });

  describe('Fn::If and conditions', () => {
    const Parameters = { Env: stringParameter('prod'), Flag: stringParameter('true') };
    const Conditions = {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      FlagOn: { 'Fn::Equals': [true, { Ref: 'Flag' }] },
      Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'FlagOn' }] },
      Either: { 'Fn::Or': [{ 'Fn::Not': [{ Condition: 'IsProd' }] }, { Condition: 'FlagOn' }] },
      Neither: { 'Fn::Not': [{ Condition: 'Either' }] },
    };
    const sections = { Parameters, Conditions };

    it('evaluates Equals, And, Or, Not and Condition, comparing true with "true"', () => {
      const value = resolveTree(
        ['Both', 'Either', 'Neither'].map((name) => ({ 'Fn::If': [name, 'yes', 'no'] })),
        sections,
      );

      expect(value).toEqual(['yes', 'yes', 'no']);
    });

    it('refuses a condition that is not declared', () => {
      expect(errorOf(() => resolveValue({ 'Fn::If': ['IsDev', 'a', 'b'] }, sections))).toMatch(
        /refers to condition IsDev, which is not declared in Conditions/,
      );
    });

    it('refuses conditions that refer to each other in a circle', () => {
      const circular = { A: { Condition: 'B' }, B: { 'Fn::Not': [{ Condition: 'A' }] } };

      expect(
        errorOf(() => resolveValue({ 'Fn::If': ['A', 'a', 'b'] }, { Conditions: circular })),
      ).toMatch(/refers to itself through other conditions/);
    });

    it('leaves Fn::If unknown when its condition depends on an unknown value', () => {
      const value = resolveValue(
        { 'Fn::If': ['HasStack', 'a', 'b'] },
        { Conditions: { HasStack: { 'Fn::Equals': [{ Ref: 'AWS::StackId' }, 'x'] } } },
        { stackId: undefined },
      );

      expect(sourceOf(value)).toBe('AWS::StackId');
    });
  });

  describe('other functions', () => {
    it('encodes Base64', () => {
      expect(resolveValue({ 'Fn::Base64': 'hello' })).toBe('aGVsbG8=');
    });

    it('splits an IPv4 and an IPv6 block with Fn::Cidr', () => {
      expect(resolveTree({ 'Fn::Cidr': ['10.0.0.0/16', 3, 8] })).toEqual([
        '10.0.0.0/24',
        '10.0.1.0/24',
        '10.0.2.0/24',
      ]);
      expect(resolveTree({ 'Fn::Cidr': ['2001:db8::/56', 2, 64] })).toEqual([
        '2001:db8::/64',
        '2001:db8:0:1::/64',
      ]);
    });

    it('refuses a Fn::Cidr block too small for the count', () => {
      expect(errorOf(() => resolveTree({ 'Fn::Cidr': ['10.0.0.0/24', 3, 7] }))).toMatch(
        /Fn::Cidr: a \/24 block holds fewer than 3 subnets of \/25/,
      );
    });

    it('gives supplied zones for the stack region and an unknown otherwise', () => {
      const zones = ['us-east-1a', 'us-east-1b'];

      expect(resolveTree({ 'Fn::GetAZs': '' }, {}, { availabilityZones: zones })).toEqual(zones);
      expect(
        sourceOf(resolveTree({ 'Fn::GetAZs': 'eu-west-1' }, {}, { availabilityZones: zones })),
      ).toBe('Fn::GetAZs eu-west-1');
      expect(sourceOf(resolveTree({ 'Fn::GetAZs': { Ref: 'AWS::Region' } }))).toBe(
        'Fn::GetAZs us-east-1',
      );
    });

    it('gives supplied exports to Fn::ImportValue and names the export otherwise', () => {
      const exports = { 'vpc-VPCID': 'vpc-0abc' };

      expect(resolveValue({ 'Fn::ImportValue': { 'Fn::Sub': 'vpc-VPCID' } }, {}, { exports })).toBe(
        'vpc-0abc',
      );
      const unknown = resolveValue({ 'Fn::ImportValue': 'other-VPCID' }, {}, { exports });
      expect(sourceOf(unknown)).toBe('Fn::ImportValue other-VPCID');
      expect((unknown as UnknownValue).reason).toMatch(/supply the account's exports/);
    });

    it('leaves Fn::GetStackOutput unknown, naming the stack, the output and the region', () => {
      const value = resolveTree([
        { 'Fn::GetStackOutput': { StackName: 'network', OutputName: 'VpcId' } },
        {
          'Fn::GetStackOutput': {
            StackName: { 'Fn::Sub': '${AWS::StackName}-shared' },
            OutputName: 'RoleArn',
            Region: 'eu-west-1',
            RoleArn: 'arn:aws:iam::444455556666:role/reader',
          },
        },
      ]) as unknown[];

      expect(value.map(sourceOf)).toEqual([
        'Fn::GetStackOutput network.VpcId',
        'Fn::GetStackOutput connector-shared.RoleArn (eu-west-1)',
      ]);
    });

    it('refuses Fn::GetStackOutput without a stack name, with its path', () => {
      expect(errorOf(() => resolveValue({ 'Fn::GetStackOutput': { OutputName: 'VpcId' } }))).toBe(
        'Resources.Role.Properties.Description: Fn::GetStackOutput takes { StackName, OutputName, Region?, RoleArn? }, received a mapping with OutputName',
      );
    });

    it('counts a list with Fn::Length and writes JSON with Fn::ToJsonString', () => {
      expect(resolveTree({ 'Fn::Length': ['a', 'b', { Ref: 'AWS::NoValue' }] })).toBe(2);
      expect(resolveValue({ 'Fn::ToJsonString': { a: [1, { Ref: 'AWS::Region' }] } })).toBe(
        '{"a":[1,"us-east-1"]}',
      );
    });

    it('leaves a dynamic reference unknown, whether written out or built by Fn::Sub', () => {
      const literal = resolveTree('{{resolve:secretsmanager:vendor/external-id:SecretString:id}}');
      const built = resolveTree({ 'Fn::Sub': 'x-{{resolve:ssm:/connector/${AWS::Region}/name}}' });

      expect(sourceOf(literal)).toBe(
        'dynamic reference {{resolve:secretsmanager:vendor/external-id:SecretString:id}}',
      );
      expect((literal as UnknownValue).reason).toMatch(/from Secrets Manager when it deploys/);
      expect(sourceOf(built)).toBe('dynamic reference {{resolve:ssm:/connector/us-east-1/name}}');
    });

    it('leaves a macro call unknown, naming the macro', () => {
      const value = resolveValue({ 'Fn::Transform': { Name: 'Upper', Parameters: { Text: 'x' } } });

      expect(sourceOf(value)).toBe('Fn::Transform Upper');
    });

    it('refuses an unknown function with its path', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Concat': ['a', 'b'] }))).toBe(
        'Resources.Role.Properties.Description: Fn::Concat is not a CloudFormation function',
      );
    });

    it('refuses a function sharing its mapping with other keys', () => {
      expect(errorOf(() => resolveTree({ Ref: 'AWS::Region', Extra: 1 }))).toMatch(
        /Ref must be the only key of its mapping, which also has Extra/,
      );
    });

    it('refuses a function with the wrong number of arguments', () => {
      expect(errorOf(() => resolveValue({ 'Fn::If': ['A', 'b'] }))).toMatch(
        /Fn::If takes 3 arguments, received 2/,
      );
    });
  });

  describe('Fn::GetAtt', () => {
    const resources = {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'worker' } },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'data' } },
      Policy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { ManagedPolicyName: 'read', Path: '/app/', PolicyDocument: { Statement: [] } },
      },
      Api: { Type: 'Custom::Vendor', Properties: { ServiceToken: 'arn' } },
    };

    it('builds ARNs and URLs of the types that matter from their names', () => {
      const value = resolveTree(
        [
          { Ref: 'Queue' },
          { 'Fn::GetAtt': ['Queue', 'Arn'] },
          { 'Fn::GetAtt': ['Fn', 'Arn'] },
          { 'Fn::GetAtt': ['Bucket', 'Arn'] },
          { Ref: 'Policy' },
          { 'Fn::GetAtt': ['Role', 'Arn'] },
        ],
        { Resources: resources },
      );

      expect(value).toEqual([
        `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs`,
        `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
        `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`,
        'arn:aws:s3:::data',
        `arn:aws:iam::${ACCOUNT}:policy/app/read`,
        `arn:aws:iam::${ACCOUNT}:role/probe`,
      ]);
    });

    it('builds a KMS key ARN from the physical ID the stack reports', () => {
      const value = resolveTree(
        { 'Fn::GetAtt': ['Key', 'Arn'] },
        { Resources: resources },
        { resources: [{ logicalId: 'Key', physicalId: '1234abcd-12ab', type: 'AWS::KMS::Key' }] },
      );

      expect(value).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab`);
    });

    it('leaves a role ID and a custom attribute unknown, naming type and attribute', () => {
      const value = resolveTree(
        [{ 'Fn::GetAtt': ['Role', 'RoleId'] }, { 'Fn::GetAtt': ['Api', 'ExternalId'] }],
        { Resources: resources },
      ) as unknown[];

      expect(value.map(sourceOf)).toEqual(['AWS::IAM::Role.RoleId', 'Custom::Vendor.ExternalId']);
    });

    it('reads a nested attribute in the list, dotted-string and Fn::Sub forms alike', () => {
      const value = resolveTree(
        [
          { 'Fn::GetAtt': ['Nested', 'Outputs.RoleArn'] },
          { 'Fn::GetAtt': 'Nested.Outputs.RoleArn' },
          { 'Fn::Sub': '${Nested.Outputs.RoleArn}' },
          { 'Fn::GetAtt': 'Role.Arn' },
        ],
        {
          Resources: {
            ...resources,
            Nested: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'x' } },
          },
        },
      ) as unknown[];

      expect(value.slice(0, 3).map(sourceOf)).toEqual([
        'AWS::CloudFormation::Stack.Outputs.RoleArn',
        'AWS::CloudFormation::Stack.Outputs.RoleArn',
        'AWS::CloudFormation::Stack.Outputs.RoleArn',
      ]);
      expect(value[3]).toBe(`arn:aws:iam::${ACCOUNT}:role/probe`);
    });

    it('refuses an attribute a role does not have', () => {
      expect(errorOf(() => resolveTree({ 'Fn::GetAtt': ['Role', 'Name'] }))).toMatch(
        /Fn::GetAtt asks Role \(AWS::IAM::Role\) for Name; it has Arn, RoleId/,
      );
    });

    it('refuses a resource that is not there', () => {
      expect(errorOf(() => resolveTree({ 'Fn::GetAtt': ['Missing', 'Arn'] }))).toMatch(
        /Fn::GetAtt refers to Missing, which is not a resource/,
      );
    });

    it('refuses a Ref to a resource whose condition is false', () => {
      const message = errorOf(() =>
        resolveTree(
          { Ref: 'Topic' },
          {
            Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
            Resources: { Topic: { Type: 'AWS::SNS::Topic', Condition: 'Never' } },
          },
        ),
      );

      expect(message).toMatch(
        /Ref refers to Topic, whose condition Never is false, so the stack does not create it/,
      );
    });

    it('reports a property that refers back to itself', () => {
      const message = errorOf(() =>
        resolveTree(
          { Ref: 'Loop' },
          {
            Resources: {
              Loop: {
                Type: 'AWS::SNS::Topic',
                Properties: { TopicName: { 'Fn::GetAtt': ['Loop', 'TopicName'] } },
              },
            },
          },
        ),
      );

      expect(message).toMatch(/^Resources\.Loop\.Properties\.TopicName: refers back to itself/);
    });
  });

  describe('NoEcho values in string building', () => {
    const Parameters = { Secret: { Type: 'String', NoEcho: true } };

    it('keeps a secret built into a string as a secret with the digest of the whole', () => {
      const value = resolveTree(
        { 'Fn::Sub': '${Secret}@4015' },
        { Parameters },
        { parameters: { Secret: 'canary-1' } },
      );

      expect(isSecret(value) && value.sha256).toBe(sha256Hex('canary-1@4015'));
      expect(JSON.stringify(value)).not.toContain('canary-1');
    });

    it('has no digest for a built string when only the masked value is known', () => {
      const value = resolveTree(
        { 'Fn::Join': ['@', [{ Ref: 'Secret' }, '4015']] },
        { Parameters },
        { parameters: { Secret: '****' }, secretDigests: { Secret: sha256Hex('canary-2') } },
      );

      expect(isSecret(value) && value.sha256).toBeUndefined();
    });

    it('joins and selects the items of a NoEcho list, keeping each result secret', () => {
      const sections = {
        Parameters: { Keys: { Type: 'CommaDelimitedList', NoEcho: true, AllowedPattern: 'k-.*' } },
      };
      const ctx = { parameters: { Keys: 'k-one, k-two' } };

      const value = resolveTree(
        [
          { 'Fn::Join': ['|', { Ref: 'Keys' }] },
          { 'Fn::Select': [1, { Ref: 'Keys' }] },
          { 'Fn::Length': { Ref: 'Keys' } },
        ],
        sections,
        ctx,
      ) as unknown[];

      expect(value.map((item) => (isSecret(item) ? item.sha256 : item))).toEqual([
        sha256Hex('k-one|k-two'),
        sha256Hex('k-two'),
        2,
      ]);
      expect(JSON.stringify(value)).not.toContain('k-one');
    });

    it('checks each item of a NoEcho list and keeps a masked list secret without a digest', () => {
      const sections = {
        Parameters: { Keys: { Type: 'CommaDelimitedList', NoEcho: true, AllowedPattern: 'k-.*' } },
      };
      const masked = resolveTree({ 'Fn::Select': [0, { Ref: 'Keys' }] }, sections, {
        parameters: { Keys: '****' },
      });

      expect(isSecret(masked) && masked.sha256).toBeUndefined();
      expect(
        errorOf(() => resolveTree('x', sections, { parameters: { Keys: 'k-one,canary-two' } })),
      ).toBe('Parameters.Keys: the value given does not match the AllowedPattern k-.*');
    });

    it('refuses to select from a NoEcho value that is not a list', () => {
      expect(
        errorOf(() =>
          resolveTree(
            { 'Fn::Select': [0, { Ref: 'Secret' }] },
            { Parameters },
            {
              parameters: { Secret: 'canary-4' },
            },
          ),
        ),
      ).toMatch(/Fn::Select takes a list, received a NoEcho value that is not a list$/);
    });

    it('decides a condition on a masked secret by its digest', () => {
      const Conditions = { HasSecret: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Secret' }, ''] }] } };
      const ctx = {
        parameters: { Secret: '****' },
        secretDigests: { Secret: sha256Hex('canary-3') },
      };

      expect(
        resolveValue({ 'Fn::If': ['HasSecret', 'set', 'empty'] }, { Parameters, Conditions }, ctx),
      ).toBe('set');
    });
  });
});
