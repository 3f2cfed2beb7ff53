// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
import { TemplateError } from '../../../../functions/engine/template';
import { expandLoops, type UnexpandedLoop } from '../../../../functions/engine/template/foreach';
import { UnknownValue } from '../../../../functions/engine/values';

/** Collections here are literal lists; the resolver would resolve Ref and the like first. */
const literal = (node: unknown) => node;

describe('expandLoops', () => {
  it('makes one copy per item, replacing ${Id}, &{Id} and Ref Id in keys and Sub strings only', () => {
    const expanded = expandLoops(
      {
        Kept: 1,
        'Fn::ForEach::Topics': [
          'Name',
          ['a-b', 'c'],
          {
            'Topic&{Name}': {
              Type: 'AWS::SNS::Topic',
              Properties: {
                TopicName: { 'Fn::Sub': 'topic-${Name}' },
                DisplayName: { Ref: 'Name' },
                Description: 'literal ${Name} stays',
              },
            },
          },
        ],
      },
      null,
      literal,
      [],
    );

    expect(expanded).toEqual({
      Kept: 1,
      Topicab: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: { 'Fn::Sub': 'topic-a-b' },
          DisplayName: 'a-b',
          Description: 'literal ${Name} stays',
        },
      },
      Topicc: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: { 'Fn::Sub': 'topic-c' },
          DisplayName: 'c',
          Description: 'literal ${Name} stays',
        },
      },
    });
  });

  it('expands nested loops', () => {
    const expanded = expandLoops(
      {
        'Fn::ForEach::Envs': [
          'Env',
          ['dev', 'prod'],
          { 'Fn::ForEach::Teams': ['Team', ['red', 'blue'], { '${Env}${Team}': { Ref: 'Team' } }] },
        ],
      },
      null,
      literal,
      [],
    );

    expect(expanded).toEqual({ devred: 'red', devblue: 'blue', prodred: 'red', prodblue: 'blue' });
  });

  it('refuses two items that make the same key', () => {
    const run = () =>
      expandLoops({ 'Fn::ForEach::Dup': ['X', ['a-1', 'a1'], { 'R&{X}': 1 }] }, null, literal, []);

    expect(run).toThrow(TemplateError);
    expect(run).toThrow('Fn::ForEach::Dup: Fn::ForEach makes the key Ra1, which is already there');
  });

  it('sets aside a loop whose collection is unknown', () => {
    const unknown = new UnknownValue('Fn::ImportValue names', 'from another stack');
    const unexpanded: UnexpandedLoop[] = [];

    const expanded = expandLoops(
      { 'Fn::ForEach::L': ['X', unknown, { 'R${X}': 1 }] },
      null,
      literal,
      unexpanded,
    );

    expect(expanded).toEqual({});
    expect(unexpanded.map((loop) => [loop.key, loop.unknown.source])).toEqual([
      ['Fn::ForEach::L', 'Fn::ImportValue names'],
    ]);
  });

  it.each([
    [
      ['X', ['a']],
      'Fn::ForEach::L: Fn::ForEach takes [Identifier, Collection, { OutputKey: OutputValue }]',
    ],
    [
      ['x-y', ['a'], {}],
      "Fn::ForEach::L: Fn::ForEach needs an alphanumeric identifier first, received the string 'x-y'",
    ],
    [
      ['X', 'a,b', {}],
      "Fn::ForEach::L: Fn::ForEach takes a list of strings as collection, received the string 'a,b'",
    ],
  ])('refuses the malformed loop %j', (loop, message) => {
    expect(() => expandLoops({ 'Fn::ForEach::L': loop }, null, literal, [])).toThrow(message);
  });
});
