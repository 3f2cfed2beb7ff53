/**
 * Reading the input files of `check`. Every file is read, in the order given, before any error
 * is raised, so one run names every file that cannot be used, always in the same order. Errors
 * never quote what a file holds (a parameters file holds the external ID, an account export
 * holds trust policies): a JSON fault is named by line and column.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../engine/errors';
import { duplicateTopKeys } from './json-keys';

/** One input: the flag that named it, its path, and whether it is JSON or plain text. */
export interface InputFile {
  flag: string;
  path: string;
  json: boolean;
  /**
   * What each key of a JSON object at the top stands for (`parameter`), when a key given twice
   * is an error: `JSON.parse` would keep the last without a word.
   */
  uniqueKeys?: string;
}

/**
 * The contents of every file, in the order given: parsed JSON, or text.
 *
 * @throws InputError with one line per file that cannot be read or parsed, in the order given.
 */
export async function readInputs(files: readonly InputFile[], cwd: string): Promise<unknown[]> {
  const contents: unknown[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      contents.push(await readOne(file, cwd));
    } catch (error) {
      problems.push(error instanceof InputError ? error.message : String(error));
    }
  }
  if (problems.length === 1) throw new InputError(problems[0] as string);
  if (problems.length > 1) {
    throw new InputError(
      `${problems.length} input files cannot be used:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return contents;
}

async function readOne(file: InputFile, cwd: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file.path), 'utf8');
  } catch (error) {
    throw new InputError(
      `${file.flag} ${file.path}: expected a readable file, received ${whyUnreadable(error)}.`,
      { cause: error },
    );
  }
  if (!file.json) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(
      `${file.flag} ${file.path}: expected JSON, received text that does not parse ` +
        `(${whereJsonBreaks(error, text)}).`,
      { cause: error },
    );
  }
  if (file.uniqueKeys !== undefined) refuseDuplicateKeys(file, text, file.uniqueKeys);
  return parsed;
}

/** Refuses keys the top-level object gives twice, naming each and its lines, never a value. */
function refuseDuplicateKeys(file: InputFile, text: string, what: string): void {
  const twice = duplicateTopKeys(text.replace(/^\uFEFF/, ''));
  if (twice.length === 0) return;
  const named = twice.map((d) => `${d.key} (lines ${d.lines.join(', ')})`).join(', ');
  throw new InputError(
    `${file.flag} ${file.path}: expected each ${what} once, received ${named} more than once; ` +
      'the file does not say which value is meant. Fix: keep one of each.',
  );
}

function whyUnreadable(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory';
  if (code === 'EACCES') return 'a file it may not read';
  return String(code ?? error);
}

/**
 * Where the JSON breaks, by line and column. The parser's own words are kept only where they
 * quote nothing of the text (newer Node versions quote the text around the fault).
 */
function whereJsonBreaks(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('Unexpected end of JSON input')) return 'it ends before the JSON does';
  const match = /^([^"]*?) in JSON at position (\d+)/.exec(message);
  if (match === null) return 'it is not valid JSON';
  const what = /^Unexpected token/.test(match[1] ?? '') ? 'unexpected character' : match[1];
  const before = text.slice(0, Number(match[2]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${what} at line ${line}, column ${column}`;
}
