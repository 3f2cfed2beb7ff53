import { duplicateTopKeys } from '../../../functions/cli/json-keys';

describe('duplicateTopKeys', () => {
  it.each([
    ['finds a key given twice', '{"a": 1,\n "b": 2,\n "a": 3}', [{ key: 'a', lines: [1, 3] }]],
    [
      'ignores keys inside strings and nested objects',
      '{"a": "\\"a\\": {", "b": {"a": 1, "a": 2}}',
      [],
    ],
    [
      'finds the same key written with an escape',
      '{"a": 1, "\\u0061": 2}',
      [{ key: 'a', lines: [1, 1] }],
    ],
    ['finds none in a list at the top', '[{"a": 1}, {"a": 2}]', []],
    [
      'finds each key given more than once, in the order first seen',
      '{"b": 1, "a": 2, "b": 3, "a": 4, "b": 5}',
      [
        { key: 'b', lines: [1, 1, 1] },
        { key: 'a', lines: [1, 1] },
      ],
    ],
  ])('%s', (_, text, expected) => {
    JSON.parse(text);

    expect(duplicateTopKeys(text)).toEqual(expected);
  });
});
