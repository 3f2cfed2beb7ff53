import { jsonFault } from '../../../../functions/engine/policy/json-fault';

describe('jsonFault', () => {
  it.each([
    ['{"a":\n 1,, }', 'expected a double-quoted name at line 2, column 4'],
    ['{"a" 1}', "expected ':' after a name at line 1, column 6"],
    ['{"a": [1, 2,]}', 'unexpected character at line 1, column 13'],
    ['{"a": 1 "b": 2}', "expected ',' or '}' at line 1, column 9"],
    ['{"a": "\\x"}', 'bad escape in a string at line 1, column 8'],
    ['{"a": "\u0001"}', 'control character in a string at line 1, column 8'],
    ['{} x', 'unexpected character at line 1, column 4'],
    ['{"Version": ', 'it ends before the JSON does'],
  ])('names where %j breaks', (text, fault) => {
    expect(() => JSON.parse(text)).toThrow();

    expect(jsonFault(text)).toBe(fault);
  });

  it('reads nesting deeper than the stack allows without overflowing', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(199_999)}}`;

    expect(jsonFault(deep)).toBe("expected ',' or ']' at line 1, column 400000");
  });

  it('never quotes the text', () => {
    const secret = 'canary-ext-7d1c9a-do-not-print';

    expect(jsonFault(`{"sts:ExternalId": ${secret}}`)).not.toContain('canary');
  });
});
