// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
import { LIMITS, parseTemplate, TemplateError } from '../../../../functions/engine/template';
import { indentQuotedContinuations } from '../../../../functions/engine/template/yaml-reader';

function mappingOf(yaml: string): Record<string, unknown> {
  const doc = parseTemplate(`Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nMetadata:\n${yaml}`);
  return doc.template.Metadata as Record<string, unknown>;
}

function thrown(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw new Error(`expected a TemplateError, received ${String(error)}`);
  }
  throw new Error('expected a TemplateError, nothing was thrown');
}

describe('parseTemplate', () => {
  describe('scalars keep their CloudFormation meaning', () => {
    it('keeps an unquoted date-like policy version as text', () => {
      expect(mappingOf('  Version: 2012-10-17').Version).toBe('2012-10-17');
    });

    it('keeps every digit of an unquoted account ID with a leading zero', () => {
      expect(mappingOf('  Account: 012345678901').Account).toBe('012345678901');
    });

    it('keeps an unquoted all-zero account ID as twelve zeros', () => {
      expect(mappingOf('  Account: 000000000000').Account).toBe('000000000000');
    });

    it('reads an ordinary unquoted number as a number that prints the same digits', () => {
      const values = mappingOf('  Seconds: 3600\n  Account: 625240141681\n  Ratio: 0.5');

      expect(values).toEqual({ Seconds: 3600, Account: 625240141681, Ratio: 0.5 });
      expect(String(values.Account)).toBe('625240141681');
    });

    it('keeps numbers whose text a number would change as text', () => {
      const values = mappingOf(
        '  Version: 1.10\n  Hex: 0x1F\n  Octal: 0o17\n  Big: 12345678901234567890',
      );

      expect(values).toEqual({
        Version: '1.10',
        Hex: '0x1F',
        Octal: '0o17',
        Big: '12345678901234567890',
      });
    });

    it('reads yes, no, on and off as the booleans of YAML 1.1, which CloudFormation reads', () => {
      const values = mappingOf(
        '  A: true\n  B: False\n  C: ~\n  D: Yes\n  E: NO\n  F: on\n  G: Off\n  H: yes',
      );

      expect(values).toEqual({
        A: true,
        B: false,
        C: null,
        D: true,
        E: false,
        F: true,
        G: false,
        H: true,
      });
    });

    it('keeps words YAML 1.1 does not list as booleans, and quoted ones, as text', () => {
      const values = mappingOf(`  A: y\n  B: N\n  C: yEs\n  D: 'yes'\n  E: "off"\n  F: !!str on`);

      expect(values).toEqual({ A: 'y', B: 'N', C: 'yEs', D: 'yes', E: 'off', F: 'on' });
    });

    it('reads a YAML 1.1 boolean used as a key as the key true or false', () => {
      const values = mappingOf(`  Yes: a\n  off: b\n  'No': c`);

      expect(values).toEqual({ true: 'a', false: 'b', No: 'c' });
    });

    it('keeps octal-, underscore-, base-60- and infinity-looking values as the text written', () => {
      const values = mappingOf('  A: 0755\n  B: 1_000\n  C: 12:30\n  D: .inf\n  E: -.Inf');

      expect(values).toEqual({
        A: '0755',
        B: '1_000',
        C: '12:30',
        D: '.inf',
        E: '-.Inf',
      });
    });

    it('keeps an unquoted timestamp as text, as CloudFormation has no timestamp type', () => {
      const values = mappingOf('  A: 2001-12-14t21:59:43.10-05:00\n  B: 2002-12-14');

      expect(values).toEqual({ A: '2001-12-14t21:59:43.10-05:00', B: '2002-12-14' });
    });

    it('keeps quoted scalars as text whatever they look like', () => {
      const values = mappingOf(`  A: 'true'\n  B: "3600"\n  C: !!str 12`);

      expect(values).toEqual({ A: 'true', B: '3600', C: '12' });
    });

    it('reads explicit core tags as they say', () => {
      const values = mappingOf('  A: !!int "5"\n  B: !!float 1.5\n  C: !!bool on\n  D: !!null ""');

      expect(values).toEqual({ A: 5, B: 1.5, C: true, D: null });
    });

    it.each(['!!binary aGk=', '!!timestamp 2001-12-14', '!!set {a, b}', '!!omap [a: 1]'])(
      'refuses %s, a YAML type CloudFormation does not read, with its path and line',
      (value) => {
        const tag = value.split(' ')[0];

        expect(thrown(() => mappingOf(`  A: ${value}`)).message).toBe(
          `Metadata.A: the YAML tag ${tag} is not supported by CloudFormation, which refuses binary, omap, pairs, set and timestamp values (line 5)`,
        );
      },
    );

    it('refuses a core tag whose text does not fit it', () => {
      expect(thrown(() => mappingOf('  A: !!int twelve')).message).toBe(
        "Metadata.A: !!int takes a number, received 'twelve'",
      );
    });

    it('keeps a time-like value as text', () => {
      expect(mappingOf('  Window: 02:00-03:00').Window).toBe('02:00-03:00');
    });
  });

  describe('short tags become the long form', () => {
    it.each([
      ['!Ref Name', { Ref: 'Name' }],
      ['!Condition IsProd', { Condition: 'IsProd' }],
      ['!Sub "${AWS::Region}-x"', { 'Fn::Sub': '${AWS::Region}-x' }],
      ['!Base64 text', { 'Fn::Base64': 'text' }],
      ['!ImportValue shared-vpc', { 'Fn::ImportValue': 'shared-vpc' }],
      [
        '!GetStackOutput {StackName: net, OutputName: VpcId}',
        { 'Fn::GetStackOutput': { StackName: 'net', OutputName: 'VpcId' } },
      ],
      ['!GetAZs', { 'Fn::GetAZs': '' }],
      ['!GetAZs eu-west-1', { 'Fn::GetAZs': 'eu-west-1' }],
      ['!GetAtt Role.Arn', { 'Fn::GetAtt': ['Role', 'Arn'] }],
      ['!GetAtt Stack.Outputs.Url', { 'Fn::GetAtt': ['Stack', 'Outputs.Url'] }],
      ['!GetAtt [Role, Arn]', { 'Fn::GetAtt': ['Role', 'Arn'] }],
      ['!Join [",", [a, b]]', { 'Fn::Join': [',', ['a', 'b']] }],
      ['!Select [0, !GetAZs ""]', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
      ['!Split [",", "a,b"]', { 'Fn::Split': [',', 'a,b'] }],
      ['!FindInMap [M, a, b]', { 'Fn::FindInMap': ['M', 'a', 'b'] }],
      ['!Cidr [10.0.0.0/16, 2, 8]', { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }],
      ['!If [C, a, !Ref AWS::NoValue]', { 'Fn::If': ['C', 'a', { Ref: 'AWS::NoValue' }] }],
      ['!Equals [a, b]', { 'Fn::Equals': ['a', 'b'] }],
      ['!Not [!Equals [a, b]]', { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] }],
      [
        '!And [!Condition A, !Condition B]',
        { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] },
      ],
      ['!Or [!Condition A, !Condition B]', { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] }],
      [
        '!Transform {Name: M, Parameters: {a: b}}',
        { 'Fn::Transform': { Name: 'M', Parameters: { a: 'b' } } },
      ],
      ['!Contains [[a, b], a]', { 'Fn::Contains': [['a', 'b'], 'a'] }],
      ['!EachMemberEquals [[a], a]', { 'Fn::EachMemberEquals': [['a'], 'a'] }],
      ['!EachMemberIn [[a], [a, b]]', { 'Fn::EachMemberIn': [['a'], ['a', 'b']] }],
      ['!RefAll AWS::EC2::VPC::Id', { 'Fn::RefAll': 'AWS::EC2::VPC::Id' }],
      ['!ValueOf [Subnet, VpcId]', { 'Fn::ValueOf': ['Subnet', 'VpcId'] }],
      [
        '!ValueOfAll [AWS::EC2::Subnet::Id, VpcId]',
        { 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] },
      ],
      ['!ToJsonString {a: 1}', { 'Fn::ToJsonString': { a: 1 } }],
      ['!Length [a, b]', { 'Fn::Length': ['a', 'b'] }],
    ])('reads %s', (yaml, expected) => {
      expect(mappingOf(`  Value: ${yaml}`).Value).toEqual(expected);
    });

    it('keeps the text of a tagged scalar that looks like a number', () => {
      expect(mappingOf('  Value: !Sub 012345678901').Value).toEqual({ 'Fn::Sub': '012345678901' });
    });

    it('refuses a tag that is not a CloudFormation function, naming the path and line', () => {
      const error = thrown(() => mappingOf('  Value: !Reff Name'));

      expect(error.message).toBe('Metadata.Value: !Reff is not a CloudFormation function (line 5)');
    });

    it('refuses a short GetAtt without an attribute', () => {
      expect(thrown(() => mappingOf('  Value: !GetAtt Role')).message).toMatch(
        /^Metadata\.Value: !GetAtt needs Resource\.Attribute, received 'Role'/,
      );
    });
  });

  describe('YAML that CloudFormation refuses or reads differently', () => {
    it('refuses aliases and anchors', () => {
      const error = thrown(() => mappingOf('  A: &x 1\n  B: *x'));

      expect(error.message).toMatch(/^Metadata\.A: YAML anchors \(&x\) are not allowed/);
    });

    it('refuses duplicate keys with the line', () => {
      expect(thrown(() => mappingOf('  A: 1\n  A: 2')).message).toMatch(
        /line 6, column 3: Map keys must be unique/,
      );
    });

    it('reads a quoted scalar whose continuation lines are not indented under its key', () => {
      const text = [
        'Parameters:',
        '  Name:',
        '    Type: String',
        "    Description: 'first line",
        "    second line, it''s here",
        "    third line'",
        'Resources:',
        '  Topic:',
        '    Type: AWS::SNS::Topic',
      ].join('\n');

      const doc = parseTemplate(text);

      expect(doc.template.Parameters?.Name.Description).toBe(
        "first line second line, it's here third line",
      );
    });

    it('indents only the continuation lines of an unclosed quoted scalar', () => {
      const text = "  A: 'one\n  two'\n  B: \"x\"\n  C: 'closed'";

      expect(indentQuotedContinuations(text)).toBe(
        "  A: 'one\n    two'\n  B: \"x\"\n  C: 'closed'",
      );
    });

    it('reports a YAML syntax error with its line and column', () => {
      expect(thrown(() => parseTemplate('Resources:\n  A: [1, 2', 'bad.yaml')).message).toMatch(
        /^bad\.yaml: line \d+, column \d+: /,
      );
    });
  });

  describe('JSON templates', () => {
    it('reads a JSON template as JSON, numbers included', () => {
      const doc = parseTemplate(
        '{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"N": 5}}}}',
      );

      expect(doc.format).toBe('json');
      expect(doc.template.Resources.T.Properties).toEqual({ N: 5 });
    });

    it('reads a YAML template that opens with a flow mapping, and one with a byte-order mark', () => {
      const flow = parseTemplate(
        '{Resources: {T: {Type: AWS::SNS::Topic}}, Description: 2012-10-17}',
      );
      const bom = parseTemplate('\uFEFF{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}');

      expect([flow.format, flow.template.Description]).toEqual(['yaml', '2012-10-17']);
      expect(bom.format).toBe('json');
    });

    it('reports a JSON syntax error naming the source', () => {
      expect(thrown(() => parseTemplate('{"Resources": ', 'cfn.json')).message).toMatch(
        /^cfn\.json: the JSON does not parse/,
      );
    });
  });

  describe('shape and limits', () => {
    it('refuses a template without resources', () => {
      expect(thrown(() => parseTemplate('Description: nothing')).message).toBe(
        'Resources: a template needs at least one resource',
      );
    });

    it('refuses an unknown top-level section, naming it', () => {
      expect(
        thrown(() => parseTemplate('Resource: {}\nResources: {A: {Type: X}}')).message,
      ).toMatch(/^Resource: is not a template section/);
    });

    it('refuses a resource without a Type', () => {
      expect(thrown(() => parseTemplate('Resources:\n  A:\n    Properties: {}')).message).toBe(
        'Resources.A.Type: every resource needs a Type',
      );
    });

    it('refuses a logical ID that is not alphanumeric', () => {
      expect(
        thrown(() => parseTemplate('Resources:\n  my-role:\n    Type: AWS::IAM::Role')).message,
      ).toBe('Resources.my-role: a logical ID must be alphanumeric (A-Za-z0-9)');
    });

    it('refuses a DependsOn naming no resource', () => {
      const text = 'Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: [B]';

      expect(thrown(() => parseTemplate(text)).message).toBe(
        'Resources.A.DependsOn: names B, which is not a resource of the template',
      );
    });

    it('accepts a macro key in the Resources section, and then does not check DependsOn', () => {
      const text = [
        'Resources:',
        '  Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://b/t.yaml } }',
        '  A: { Type: AWS::SNS::Topic, DependsOn: Included }',
      ].join('\n');

      expect(Object.keys(parseTemplate(text).template.Resources)).toEqual(['Fn::Transform', 'A']);
    });

    it('refuses a parameter without a Type', () => {
      const text = 'Parameters:\n  P:\n    Default: x\nResources:\n  A:\n    Type: AWS::SNS::Topic';

      expect(thrown(() => parseTemplate(text)).message).toBe(
        'Parameters.P.Type: every parameter needs a Type',
      );
    });

    it('accepts every kind of CloudFormation parameter type', () => {
      const types = [
        'String',
        'Number',
        'List<Number>',
        'CommaDelimitedList',
        'AWS::EC2::KeyPair::KeyName',
        'List<AWS::EC2::Subnet::Id>',
        'AWS::SSM::Parameter::Name',
        'AWS::SSM::Parameter::Value<String>',
        'AWS::SSM::Parameter::Value<List<String>>',
        'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        'AWS::SSM::Parameter::Value<List<AWS::EC2::SecurityGroup::Id>>',
      ];
      const parameters = Object.fromEntries(types.map((Type, i) => [`P${i}`, { Type }]));

      expect(() =>
        parseTemplate(JSON.stringify({ Parameters: parameters, Resources: { A: { Type: 'X' } } })),
      ).not.toThrow();
    });

    it.each(['Strin', 'string', 'List<String>', 'AWS::SSM::Parameter::Value<Strin>'])(
      'refuses the parameter type %s, naming the parameter',
      (type) => {
        const text = JSON.stringify({
          Parameters: { P: { Type: type } },
          Resources: { A: { Type: 'X' } },
        });

        const message = thrown(() => parseTemplate(text)).message;
        const expected = `Parameters.P.Type: '${type}' is not a CloudFormation parameter type (`;

        expect(message.slice(0, expected.length)).toBe(expected);
      },
    );

    it('accepts 500 resources and 200 parameters and refuses one more of each', () => {
      const resources = (n: number) =>
        Object.fromEntries(
          Array.from({ length: n }, (_, i) => [`R${i}`, { Type: 'AWS::SNS::Topic' }]),
        );
      const parameters = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`P${i}`, { Type: 'String' }]));

      expect(() =>
        parseTemplate(JSON.stringify({ Parameters: parameters(200), Resources: resources(500) })),
      ).not.toThrow();
      expect(
        thrown(() => parseTemplate(JSON.stringify({ Resources: resources(501) }))).message,
      ).toBe(`Resources: has 501 entries, more than CloudFormation's limit of ${LIMITS.resources}`);
      expect(
        thrown(() =>
          parseTemplate(JSON.stringify({ Parameters: parameters(201), Resources: resources(1) })),
        ).message,
      ).toBe(
        `Parameters: has 201 entries, more than CloudFormation's limit of ${LIMITS.parameters}`,
      );
    });

    it('refuses a template nested thousands of levels deep, naming the limit, without overflowing', () => {
      const nested = (levels: number) =>
        `{"Metadata":{"x":${'['.repeat(levels)}1${']'.repeat(levels)}},` +
        `"Resources":{"A":{"Type":"AWS::SNS::Topic"}}}`;

      expect(() => parseTemplate(nested(150), 'deep.json')).not.toThrow();
      const error = thrown(() => parseTemplate(nested(5000), 'deep.json'));
      expect(error).toBeInstanceOf(TemplateError);
      expect(error.message).toBe(
        'deep.json: the template nests more than 200 levels deep, deeper than this tool reads ' +
          '(real templates nest a few dozen at most)',
      );
    });

    it('accepts a template of 1,000,000 bytes and refuses one byte more, as the API does', () => {
      const ending = '\nResources: {A: {Type: AWS::SNS::Topic}}';
      const text = (bytes: number) =>
        `Description: ${'x'.repeat(bytes - 'Description: '.length - ending.length)}${ending}`;

      expect(() => parseTemplate(text(1_000_000), 'big.yaml')).not.toThrow();
      expect(thrown(() => parseTemplate(text(1_000_001), 'big.yaml')).message).toBe(
        "big.yaml: the template is 1000001 bytes, more than CloudFormation's limit of 1000000",
      );
      expect(LIMITS.bytes).toBe(1_000_000);
    });

    describe('a processed template read back from a deployed stack', () => {
      const processed = { origin: 'processed' } as const;
      const json = (bytes: number) => {
        const shell = JSON.stringify({
          Metadata: { Expanded: '' },
          Resources: { A: { Type: 'AWS::SNS::Topic' } },
        });
        const filler = 'x'.repeat(bytes - Buffer.byteLength(shell));
        return shell.replace('"Expanded":""', `"Expanded":"${filler}"`);
      };

      it('reads JSON larger than what a user may submit, up to the ceiling', () => {
        expect(json(1_500_000)).toHaveLength(1_500_000);
        expect(() => parseTemplate(json(1_500_000), 'stack s')).toThrow(
          "stack s: the template is 1500000 bytes, more than CloudFormation's limit of 1000000",
        );

        const doc = parseTemplate(json(LIMITS.processedBytes), 'stack s', processed);

        expect([doc.format, doc.bytes, Object.keys(doc.template.Resources)]).toEqual([
          'json',
          10_000_000,
          ['A'],
        ]);
      });

      it('refuses one byte over the ceiling, saying it guards memory', () => {
        expect(thrown(() => parseTemplate(json(10_000_001), 'stack s', processed)).message).toBe(
          'stack s: the processed template is 10000001 bytes, more than the 10000000 bytes ' +
            "this tool reads (a guard on memory: CloudFormation's own limit of 1000000 applies " +
            'to the template a user submits, before macros expand it)',
        );
      });

      it('reads YAML within the submitted limit, as a template no macro touched comes back', () => {
        const yaml = 'Resources: {A: {Type: AWS::SNS::Topic}}';

        const doc = parseTemplate(yaml, 'stack s', processed);

        expect(doc.format).toBe('yaml');
      });

      it('refuses YAML over the submitted limit, since CloudFormation writes processed JSON', () => {
        const yaml = `Description: ${'x'.repeat(LIMITS.bytes)}\nResources: {}`;

        const message = thrown(() => parseTemplate(yaml, 'stack s', processed)).message;

        expect(message).toMatch(/^stack s: a processed template of more than 1000000 bytes must /);
        expect(message).toMatch(
          /be JSON, as CloudFormation writes it, and the JSON does not parse/,
        );
      });

      it('refuses an origin it does not know, naming it', () => {
        const origin = { origin: 'uploaded' } as unknown as { origin: 'processed' };

        expect(thrown(() => parseTemplate(json(100), 'stack s', origin)).message).toBe(
          "stack s: the template's origin must be 'submitted' or 'processed', received \"uploaded\"",
        );
      });
    });

    it('refuses input that is not text', () => {
      expect(thrown(() => parseTemplate(42 as unknown as string)).message).toMatch(/must be text/);
    });
  });
});
