import { InputError } from '../../../../functions/engine/errors';
import { PolicyError, parsePolicy } from '../../../../functions/engine/policy';
import { UnknownValue } from '../../../../functions/engine/values';
import { policy, statement } from './builders';

describe('parsePolicy', () => {
  it('reads an object, JSON text and URL-encoded JSON into the same document', () => {
    const document = policy(statement({ Action: ['s3:PutObject', 's3:GetObject'] }));
    const text = JSON.stringify(document);

    const fromObject = parsePolicy(document);

    expect(parsePolicy(text)).toEqual(fromObject);
    expect(parsePolicy(encodeURIComponent(text))).toEqual(fromObject);
    expect(parsePolicy(encodeURIComponent(text).replace(/%20/g, '+'))).toEqual(fromObject);
  });

  it('reads form-encoded text whose spaces are plus signs', () => {
    const text = JSON.stringify(policy(statement({ Sid: 'A' })), null, 1);
    const form = encodeURIComponent(text).replace(/%20/g, '+');

    expect(parsePolicy(form).statements[0]?.sid).toBe('A');
  });

  it('normalises a statement: lists sorted and deduplicated, root ARN as account ID', () => {
    const document = policy({
      Sid: '',
      Effect: 'Allow',
      Principal: {
        AWS: ['arn:aws:iam::111122223333:root', '111122223333'],
        Service: 'EC2.amazonaws.com',
      },
      Action: ['sts:TagSession', 'STS:AssumeRole', 'sts:assumerole'],
      Condition: {},
    });

    const [parsed] = parsePolicy(document).statements;

    expect(parsed).toEqual({
      index: 0,
      sid: null,
      effect: 'Allow',
      principal: {
        not: false,
        entries: [
          { type: 'AWS', value: '111122223333' },
          { type: 'Service', value: 'ec2.amazonaws.com' },
        ],
      },
      action: { not: false, values: ['STS:AssumeRole', 'sts:TagSession'] },
      resource: null,
      condition: [],
    });
  });

  it('keeps an unknown statement list as an opaque document', () => {
    const unknown = new UnknownValue('Fn::If IsProd', 'a condition not known offline');

    expect(parsePolicy({ Statement: unknown })).toEqual({
      version: null,
      statements: [],
      opaque: unknown,
    });
  });

  it.each([
    ['', 'file.json: the policy document is empty.'],
    [
      'not a policy',
      'file.json: expected a JSON object or URL-encoded JSON, received text that is neither (12 characters).',
    ],
    [
      '{"Statement": [',
      'file.json: expected JSON, received text that does not parse (it ends before the JSON does).',
    ],
    [
      '\n{"Statement": [\n  {"Effect": "Allow",},\n]}',
      'file.json: expected JSON, received text that does not parse (expected a double-quoted name at line 3, column 22).',
    ],
    [
      '{"Statement": [{"Effect": "Allow"}]} x',
      'file.json: expected JSON, received text that does not parse (unexpected character at line 1, column 38).',
    ],
    ['[]', 'file.json: expected a JSON object or URL-encoded JSON'],
  ])('rejects the text %j naming the file', (text, message) => {
    expect(() => parsePolicy(text, 'file.json')).toThrow(message);
  });

  it.each([
    [
      { Statement: [], Id: 'x', Extra: 1 },
      'f: unknown top-level element "Extra": expected Version, Id or Statement.',
    ],
    [
      { Version: '2012-10-18', Statement: [] },
      'f: Version: expected "2012-10-17" or "2008-10-17", received the string "2012-10-18".',
    ],
    [{ Version: '2012-10-17' }, 'f: the Statement element is missing.'],
    [
      { Statement: ['x'] },
      'f: Statement[0]: expected a statement (an object), received the string "x".',
    ],
    [
      { Statement: [{ Effect: 'allow', Action: 's3:*', Resource: '*' }] },
      'f: Statement[0].Effect: expected "Allow" or "Deny", received the string "allow".',
    ],
    [
      { Statement: [{ Effect: 'Allow', Resource: '*' }] },
      'f: Statement[0]: needs an Action or a NotAction element.',
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: 'a:b', NotAction: 'c:d' }] },
      'f: Statement[0]: has both Action and NotAction; a statement may have one.',
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] },
      'f: Statement[0].Action: must not be an empty list.',
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: [7], Resource: '*' }] },
      'f: Statement[0].Action[0]: expected a string, received the number 7.',
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: 'a:b', Principal: { User: 'x' } }] },
      'f: Statement[0].Principal: unknown principal type "User": expected AWS, Service, Federated or CanonicalUser.',
    ],
    [
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'a:b',
            Resource: '*',
            Condition: { StringEqualz: { k: 'v' } },
          },
        ],
      },
      'f: Statement[0].Condition: unknown condition operator "StringEqualz".',
    ],
    [
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'a:b',
            Resource: '*',
            Condition: { StringEquals: { k: { a: 1 } } },
          },
        ],
      },
      'f: Statement[0].Condition.StringEquals.k[0]: expected a string, number or boolean, received an object.',
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*', Misc: 1 }] },
      'f: Statement[0]: unknown element "Misc"',
    ],
  ])('rejects %j with a message naming the path', (document, message) => {
    expect(() => parsePolicy(document, 'f')).toThrow(message);
  });

  it("shortens a long name or value it quotes, never cutting inside a run of an ID's characters", () => {
    const key = `Note:${'x'.repeat(3000)}:End`;
    const effect = `Allow${'w'.repeat(3000)}`;

    expect(() => parsePolicy({ Statement: [{ ...statement(), [key]: 1 }] }, 'f')).toThrow(
      'f: Statement[0]: unknown element "Note:[... 3,000 characters ...]:End": expected one of',
    );
    expect(() => parsePolicy({ Statement: [{ ...statement(), Effect: effect }] }, 'f')).toThrow(
      'f: Statement[0].Effect: expected "Allow" or "Deny", received the string "[... 3,005 characters ...]".',
    );
  });

  it('raises a PolicyError, which is an InputError', () => {
    let caught: unknown;
    try {
      parsePolicy('{', 'f');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(PolicyError);
    expect(caught).toBeInstanceOf(InputError);
  });
});

describe('parsePolicy on a document nested deeper than any policy', () => {
  const deep = (levels: number) =>
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",` +
    `"Condition":{"StringEquals":{"aws:a":${'['.repeat(levels)}"x"${']'.repeat(levels)}}}}]}`;

  it.each([
    ['as JSON text', (text: string) => text],
    ['URL-encoded', encodeURIComponent],
    ['as an object', (text: string) => JSON.parse(text)],
  ])('refuses it %s, naming the limit, instead of overflowing the stack', (_form, write) => {
    const read = () => parsePolicy(write(deep(5000)), 'live');

    expect(read).toThrow(PolicyError);
    expect(read).toThrow('live: expected a policy document nested at most 64 levels deep');
  });

  it('still reads a condition list nested within the limit as it did', () => {
    const read = () => parsePolicy(deep(2), 'live');

    expect(read).not.toThrow('levels deep');
  });
});
