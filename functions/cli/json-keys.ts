/**
 * Keys a JSON object gives more than once. `JSON.parse` keeps the last of them without a word,
 * so a parameters map that names a parameter twice would be read as if the first were not
 * there; this finds them in the text itself.
 */

/** A key of the top-level object given more than once, with the line of each. */
export interface DuplicateKey {
  key: string;
  lines: number[];
}

/**
 * The keys the top-level object of `text` gives more than once, in the order first seen. The
 * text must be valid JSON (parse it first); anything but an object at the top has none.
 *
 * @example
 * duplicateTopKeys('{"a": 1,\n "a": 2}') // [{ key: 'a', lines: [1, 2] }]
 */
export function duplicateTopKeys(text: string): DuplicateKey[] {
  const seen = new Map<string, number[]>();
  let depth = 0;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && nextSignificant(text, end) === ':') {
        const key = JSON.parse(text.slice(i, end)) as string;
        seen.set(key, [...(seen.get(key) ?? []), line]);
      }
      i = end;
      continue;
    }
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') depth -= 1;
    else if (char === '\n') line += 1;
    i += 1;
  }
  return [...seen].filter(([, lines]) => lines.length > 1).map(([key, lines]) => ({ key, lines }));
}

/** The index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The first character at or after `from` that is not JSON whitespace. */
function nextSignificant(text: string, from: number): string | undefined {
  let i = from;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i += 1;
  return text[i];
}
