/**
 * Parameter values as CloudFormation sees them: given or default, split into lists for list
 * types, checked against the declaration's constraints, and kept as a secret when NoEcho.
 */
import { SecretValue, UnknownValue } from '../values';
import type { SecretBook } from './compose';
import { child, fail, type Path, pathOf } from './errors';
import type { ParameterDeclaration } from './types';

/** What DescribeStacks shows in place of a NoEcho value. */
export const MASK = '****';

export type ParameterValue = string | string[] | SecretValue | UnknownValue;

/** Whether a parameter type is a list (Ref gives a list of strings). */
export function isListType(type: string): boolean {
  return (
    type === 'CommaDelimitedList' ||
    type.startsWith('List<') ||
    /^AWS::SSM::Parameter::Value<(List<.*>|CommaDelimitedList)>$/.test(type)
  );
}

function isNumberType(type: string): boolean {
  return type === 'Number' || type === 'List<Number>';
}

function isNoEcho(declaration: ParameterDeclaration): boolean {
  const flag = declaration.NoEcho;
  return flag === true || (typeof flag === 'string' && flag.toLowerCase() === 'true');
}

/** Text of a scalar as CloudFormation reads it in a declaration (`Default: 3` is `'3'`). */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Resolves one parameter's value for a stack.
 *
 * @param given the value from the stack's context, if any
 * @param digest the SHA-256 of a NoEcho value's clear text, if handed over
 */
export function parameterValue(
  name: string,
  declaration: ParameterDeclaration,
  given: string | string[] | undefined,
  digest: string | undefined,
  book: SecretBook,
): ParameterValue {
  const where = pathOf('Parameters', name);
  const type = declaration.Type;
  const fallback = declaration.Default;
  if (isNoEcho(declaration)) {
    return secretParameter(name, declaration, given, digest, book, where);
  }
  if (isSsmType(type)) return ssmParameter(name, declaration, given, where);
  let value: string | string[];
  if (given !== undefined) value = given;
  else if (fallback !== undefined && fallback !== null) {
    const text = Array.isArray(fallback)
      ? fallback.map(scalarText).join(',')
      : scalarText(fallback);
    if (text === undefined) fail(child(where, 'Default'), 'must be a string or a number');
    value = text;
  } else {
    fail(where, 'no value was given and the parameter has no Default');
  }
  if (isListType(type)) {
    const list = Array.isArray(value) ? value.map(String) : splitList(value);
    checkAll(list, declaration, where, true);
    return list;
  }
  if (Array.isArray(value)) {
    fail(where, `is of type ${type}, which takes one value, but a list was given`);
  }
  checkAll([value], declaration, where, true);
  return value;
}

function isSsmType(type: string): boolean {
  return type.startsWith('AWS::SSM::Parameter::');
}

/**
 * An SSM parameter type: the template's value (and Default) is the name of a Parameter Store
 * parameter, and CloudFormation uses that parameter's value. The caller supplies the resolved
 * value (DescribeStacks' ResolvedValue); the constraints apply to the name, so they are not
 * checked against it. Without it the value is unknown, never the name taken for the value.
 */
function ssmParameter(
  name: string,
  declaration: ParameterDeclaration,
  given: string | string[] | undefined,
  where: Path | null,
): ParameterValue {
  if (given === undefined) {
    const key = scalarText(declaration.Default);
    if (key === undefined) fail(where, 'no value was given and the parameter has no Default');
    return new UnknownValue(
      `SSM parameter ${key}`,
      `${name} takes its value from the Parameter Store parameter ${key}; supply the resolved value`,
    );
  }
  if (!isListType(declaration.Type)) {
    if (Array.isArray(given)) {
      fail(where, `is of type ${declaration.Type}, which takes one value, but a list was given`);
    }
    return given;
  }
  return Array.isArray(given) ? given.map(String) : splitList(given);
}

function secretParameter(
  name: string,
  declaration: ParameterDeclaration,
  given: string | string[] | undefined,
  digest: string | undefined,
  book: SecretBook,
  where: Path | null,
): SecretValue | UnknownValue {
  const clear = Array.isArray(given) ? given.join(',') : given;
  if (clear !== undefined && clear !== MASK) {
    const items = isListType(declaration.Type) ? splitList(clear) : [clear];
    checkAll(items, declaration, where, false);
    return book.secret(name, clear);
  }
  if (digest !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      fail(where, 'the digest given for this NoEcho parameter is not 64 hex digits');
    }
    return secretWithDigest(name, digest);
  }
  const fallback = scalarText(declaration.Default);
  if (clear === undefined && fallback !== undefined) return book.secret(name, fallback);
  if (clear === MASK) return secretWithDigest(name, undefined);
  fail(where, 'no value was given and the parameter has no Default');
}

function secretWithDigest(name: string, digest: string | undefined): SecretValue {
  return new SecretValue(name, digest);
}

/** CommaDelimitedList: split on commas, each member space-trimmed. */
export function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

/**
 * Checks values (one, or a list's members) against the declaration's constraints, as
 * CloudFormation does before it creates anything. `show` is false for NoEcho values, whose text
 * never enters a message.
 */
function checkAll(
  values: readonly string[],
  declaration: ParameterDeclaration,
  where: Path | null,
  show: boolean,
): void {
  const listed = declaration.AllowedValues;
  const allowed =
    Array.isArray(listed) && listed.length > 0
      ? new Set(listed.map((item) => scalarText(item) ?? ''))
      : undefined;
  for (const value of values) check(value, declaration, allowed, where, show);
}

function check(
  value: string,
  declaration: ParameterDeclaration,
  allowed: ReadonlySet<string> | undefined,
  where: Path | null,
  show: boolean,
): void {
  const shown = show ? `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'` : 'given';
  const type = declaration.Type;
  if (isNumberType(type) && !/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())) {
    fail(where, `is a ${type}, but the value ${shown} is not a number`);
  }
  if (allowed !== undefined && !allowed.has(value)) {
    fail(where, `the value ${shown} is not one of the allowed values ${[...allowed].join(', ')}`);
  }
  const pattern = declaration.AllowedPattern;
  if (typeof pattern === 'string') {
    const regex = compile(pattern);
    if (regex !== undefined && !regex.test(value)) {
      fail(where, `the value ${shown} does not match the AllowedPattern ${pattern}`);
    }
  }
  const min = numberOf(declaration.MinLength);
  const max = numberOf(declaration.MaxLength);
  if (min !== undefined && value.length < min) {
    fail(where, `the value ${shown} is ${value.length} characters, fewer than MinLength ${min}`);
  }
  if (max !== undefined && value.length > max) {
    fail(where, `the value ${shown} is ${value.length} characters, more than MaxLength ${max}`);
  }
  const low = numberOf(declaration.MinValue);
  const high = numberOf(declaration.MaxValue);
  if (isNumberType(type) && low !== undefined && Number(value) < low) {
    fail(where, `the value ${shown} is less than MinValue ${low}`);
  }
  if (isNumberType(type) && high !== undefined && Number(value) > high) {
    fail(where, `the value ${shown} is more than MaxValue ${high}`);
  }
}

const patterns = new Map<string, RegExp | undefined>();

/**
 * CloudFormation matches AllowedPattern against the whole value with Java's regex engine. A
 * pattern JavaScript cannot compile is not checked here (CloudFormation has checked it already
 * for a deployed stack).
 */
function compile(pattern: string): RegExp | undefined {
  if (!patterns.has(pattern)) {
    let regex: RegExp | undefined;
    try {
      regex = new RegExp(`^(?:${pattern})$`, 's');
    } catch {
      regex = undefined;
    }
    patterns.set(pattern, regex);
  }
  return patterns.get(pattern);
}

function numberOf(value: unknown): number | undefined {
  const text = scalarText(value);
  if (text === undefined || text.trim() === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** Stand-in for a parameter of a StackSet member template that the StackSet does not set. */
export function memberParameterUnknown(name: string, stackSet: string): UnknownValue {
  return new UnknownValue(
    `StackSet ${stackSet} parameter ${name}`,
    `the StackSet ${stackSet} does not set ${name}; each stack instance may override it`,
  );
}
