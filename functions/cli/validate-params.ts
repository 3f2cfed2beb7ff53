/**
 * Reading the `validate` command's parameters file without quoting anything it holds. The file
 * holds the external ID, and an error that showed a malformed entry, or the text around a JSON
 * syntax error, would print part of that secret to a terminal or a CI log. Errors name the
 * entry, its keys, or the line and column instead.
 */
import { parseParameters } from '../engine/drift/check';
import { InputError } from '../engine/errors';
import { shown } from '../engine/validate';

/** Keys of a malformed entry named in its error; the rest are counted. */
const KEYS_SHOWN = 5;

/**
 * The parameters in a file's text: CloudFormation's `[{"ParameterKey", "ParameterValue"}]`
 * list (also under `Parameters`) or a plain map of names to values, as `check` reads them. A
 * leading byte-order mark, which some editors write, is ignored.
 *
 * @throws InputError naming the file and where it goes wrong, never quoting a value.
 */
export function parameterFileValues(body: string, path: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(
      `--params ${path}: expected JSON, received text that does not parse ` +
        `(${whereJsonBreaks(error, body)}).`,
      { cause: error },
    );
  }
  const list = entriesOf(input);
  list?.forEach((entry, index) => {
    const e = entry as Record<string, unknown> | null;
    if (e !== null && typeof e === 'object' && typeof e.ParameterKey === 'string') return;
    throw new InputError(
      `--params ${path}: entry ${index + 1}: expected {"ParameterKey", "ParameterValue"}, ` +
        `received ${entryShape(entry)}.`,
    );
  });
  return parseParameters(input, path);
}

function entriesOf(input: unknown): unknown[] | undefined {
  if (Array.isArray(input)) return input;
  const nested = (input as { Parameters?: unknown } | null)?.Parameters;
  return Array.isArray(nested) ? nested : undefined;
}

/** What an entry is, by its type and keys alone. */
function entryShape(entry: unknown): string {
  if (entry === null) return 'null';
  if (Array.isArray(entry)) return 'a list';
  if (typeof entry !== 'object') return `a ${typeof entry}`;
  const keys = Object.keys(entry);
  if (keys.length === 0) return 'an object with no keys';
  const named = keys.slice(0, KEYS_SHOWN).map(shown).join(', ');
  const more = keys.length > KEYS_SHOWN ? ` and ${keys.length - KEYS_SHOWN} more` : '';
  return `an object with the keys ${named}${more} (a ParameterKey misspelt?)`;
}

/**
 * Where the JSON breaks, by line and column, and what the parser expected there. Messages that
 * quote the text around the fault (V8's "Unexpected token" form) are not passed on.
 */
function whereJsonBreaks(error: unknown, body: string): string {
  const message = error instanceof Error ? error.message : '';
  const match = /^([^"]*) in JSON at position (\d+)/.exec(message);
  if (match === null) return 'it is not valid JSON: names and text need double quotes';
  const before = body.slice(0, Number(match[2]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${match[1]} at line ${line}, column ${column}`;
}
