/**
 * Reading the `validate` command's parameters file without quoting anything it holds. The file
 * holds the external ID, and an error that showed a malformed entry, or the text around a JSON
 * syntax error, would print part of that secret to a terminal or a CI log. Errors name the
 * entry, its keys, or the line and column instead. Values are passed on as the file has them,
 * so that the validator reports a number or a list where a string belongs as what it is.
 */
import { InputError } from '../engine/errors';
import { type NamedSecret, SECRET_MIN_MASKED, shownName } from '../engine/validate';
import { duplicateTopKeys } from './json-keys';

/** Keys of a malformed entry named in its error; the rest are counted. */
const KEYS_SHOWN = 5;

/** How the file is read: which parameters hold secrets, so that no name repeats them. */
export interface ParameterFileOptions {
  /** The NoEcho parameters besides TenantExternalId. */
  secretParameters?: readonly string[];
}

/**
 * The parameters in a file's text: CloudFormation's `[{"ParameterKey", "ParameterValue"}]`
 * list (also under `Parameters`) or a plain map of names to values, as `check` reads them. A
 * leading byte-order mark, which some editors write, is ignored. Values are as the file has
 * them (a number stays a number); a parameter given twice is refused, whichever way.
 *
 * @throws InputError naming the file and where it goes wrong, never quoting a value.
 */
export function parameterFileValues(
  body: string,
  path: string,
  options: ParameterFileOptions = {},
): Record<string, unknown> {
  const text = body.replace(/^\uFEFF/, '');
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `--params ${path}: expected JSON, received text that does not parse ` +
        `(${whereJsonBreaks(error, text)}).`,
      { cause: error },
    );
  }
  const secretNames = ['TenantExternalId', ...(options.secretParameters ?? [])];
  const list = entriesOf(input);
  if (list !== undefined) return listValues(list, path, secretNames);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError(
      `--params ${path}: expected a list of {"ParameterKey", "ParameterValue"} or a map of ` +
        `parameter names to values, received ${entryShape(input, [])}.`,
    );
  }
  const map = input as Record<string, unknown>;
  const secrets = secretsIn(secretNames.map((name) => [name, map[name]]));
  const twice = duplicateTopKeys(text).map((d) => ({
    key: d.key,
    where: `lines ${joined(d.lines.map(String))}`,
  }));
  refuseDuplicates(path, twice, secrets);
  return map;
}

function entriesOf(input: unknown): unknown[] | undefined {
  if (Array.isArray(input)) return input;
  const nested = (input as { Parameters?: unknown } | null)?.Parameters;
  return Array.isArray(nested) ? nested : undefined;
}

/** The values of CloudFormation's list, each entry checked for its shape and for repeats. */
function listValues(list: unknown[], path: string, secretNames: string[]): Record<string, unknown> {
  const entries = list.map((entry) => entry as Record<string, unknown> | null);
  const secrets = secretsIn(
    entries
      .flatMap((e) => (secretNames.includes(String(e?.ParameterKey)) ? [e] : []))
      .map((e) => [String(e?.ParameterKey), e?.ParameterValue]),
  );
  const positions = new Map<string, number[]>();
  entries.forEach((e, index) => {
    if (e === null || typeof e !== 'object' || typeof e.ParameterKey !== 'string') {
      throw new InputError(
        `--params ${path}: entry ${index + 1}: expected {"ParameterKey", "ParameterValue"}, ` +
          `received ${entryShape(e, secrets)}.`,
      );
    }
    if (e.ParameterValue === undefined || e.ParameterValue === null) {
      throw new InputError(
        `--params ${path}: entry ${index + 1} (${shownName(e.ParameterKey, secrets)}): ` +
          `expected a ParameterValue, received ${e.ParameterValue === null ? 'null' : 'none'}` +
          ' (UsePreviousValue cannot be checked before deploying). Fix: give the value.',
      );
    }
    positions.set(e.ParameterKey, [...(positions.get(e.ParameterKey) ?? []), index + 1]);
  });
  const twice = [...positions].flatMap(([key, at]) =>
    at.length > 1 ? [{ key, where: `entries ${joined(at.map(String))}` }] : [],
  );
  refuseDuplicates(path, twice, secrets);
  const values: Record<string, unknown> = {};
  for (const e of entries) values[String(e?.ParameterKey)] = e?.ParameterValue;
  return values;
}

/** Refuses parameters given more than once, naming each and where, never a value. */
function refuseDuplicates(
  path: string,
  twice: { key: string; where: string }[],
  secrets: NamedSecret[],
): void {
  if (twice.length === 0) return;
  const named = twice.map((d) => `${shownName(d.key, secrets)} (${d.where})`);
  throw new InputError(
    `--params ${path}: expected each parameter once, received ${joined(named)} more than ` +
      'once; the file does not say which value is meant. Fix: keep one of each.',
  );
}

/** The secrets among `[parameter, value]` pairs: string values long enough to count. */
function secretsIn(pairs: [string, unknown][]): NamedSecret[] {
  return pairs.flatMap(([parameter, value]) =>
    typeof value === 'string' && value.length >= SECRET_MIN_MASKED ? [{ parameter, value }] : [],
  );
}

/** What an entry is, by its type and keys alone. */
function entryShape(entry: unknown, secrets: NamedSecret[]): string {
  if (entry === null) return 'null';
  if (Array.isArray(entry)) return 'a list';
  if (typeof entry !== 'object') return `a ${typeof entry}`;
  const keys = Object.keys(entry);
  if (keys.length === 0) return 'an object with no keys';
  const named = keys.slice(0, KEYS_SHOWN).map((key) => shownName(key, secrets, true));
  const more = keys.length > KEYS_SHOWN ? ` and ${keys.length - KEYS_SHOWN} more` : '';
  return `an object with the keys ${named.join(', ')}${more} (a ParameterKey misspelt?)`;
}

/** `a`, `a and b`, `a, b and c`. */
function joined(items: string[]): string {
  return items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
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
