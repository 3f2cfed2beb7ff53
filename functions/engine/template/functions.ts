/**
 * The intrinsic functions that compute a value from their arguments (Fn::Sub, Fn::Join,
 * Fn::Select, Fn::Split, Fn::FindInMap, Fn::ImportValue, Fn::GetStackOutput, Fn::Base64,
 * Fn::Cidr, Fn::GetAZs, Fn::If, Fn::Transform, Fn::ToJsonString, Fn::Length). Names (Ref,
 * Fn::GetAtt), parameters and conditions are the resolver's; these functions reach them through
 * {@link Intrinsics}.
 */
import { isSecret, isUnknown, SecretValue, UnknownValue } from '../values';
import type { Env } from './attributes';
import { cidr } from './cidr';
import { compose, findSymbolic, type Part, type SecretBook } from './compose';
import { child, describeValue, fail, type Path, pathOf, renderPath } from './errors';
import { canonical, derived, identified, identityOf } from './identity';
import { type MacroSection, macroUnknown, type SectionMacro } from './macros';
import { isListType, splitList } from './parameters';
import { isMapping } from './parse';
import type { ConditionValue, StackContext, TemplateBody } from './types';

/** What the functions need of the resolver. */
export interface Intrinsics {
  readonly book: SecretBook;
  readonly env: Env;
  readonly ctx: StackContext;
  readonly template: TemplateBody;
  /** True when resolving a StackSet's member template, whose region facts are not the stack's. */
  readonly forMembers: boolean;
  resolve(node: unknown, path: Path | null): unknown;
  condition(name: string, path: Path | null): ConditionValue;
  subVariable(name: string, variables: Record<string, unknown>, path: Path | null): Part;
  recordMacros(...calls: string[]): void;
  /** The macro a section calls with its own `Fn::Transform` key, if any. */
  sectionMacro(section: MacroSection): SectionMacro | undefined;
}

/** Stands where `AWS::NoValue` removes a value; never leaves the resolver. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

class FallbackSignal extends Error {}

const DYNAMIC_REFERENCE = /\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]*\}\}/;

/**
 * A string holding a dynamic reference (`{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}`,
 * `{{resolve:secretsmanager:...}}`) is filled in by CloudFormation from Parameter Store or
 * Secrets Manager at deploy time, so its value is not in the template: it is unknown, named by
 * the reference (which holds a name, never the value).
 */
export function dynamicReference<T>(value: T): T | UnknownValue {
  if (typeof value !== 'string' || !value.includes('{{resolve:')) return value;
  const match = DYNAMIC_REFERENCE.exec(value);
  if (match === null) return value;
  const store = match[1] === 'secretsmanager' ? 'Secrets Manager' : 'Parameter Store';
  const unknown = new UnknownValue(
    `dynamic reference ${match[0]}`,
    `CloudFormation reads it from ${store} when it deploys the stack; the template does not hold it`,
  );
  return identified(unknown, `text ${JSON.stringify(value)}`);
}

export function argList(
  args: unknown,
  name: string,
  path: Path | null,
  min: number,
  max: number,
): unknown[] {
  if (!Array.isArray(args)) {
    fail(
      path,
      `${name} takes a list of ${min === max ? min : `${min} to ${max}`} arguments, ` +
        `received ${describeValue(args)}`,
    );
  }
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    fail(path, `${name} takes ${want} arguments, received ${args.length}`);
  }
  return args;
}

/** Resolves an argument that must come out as text. */
export function text(r: Intrinsics, node: unknown, path: Path | null, what: string): Part {
  const value = r.resolve(node, path);
  return asPart(value, path, what);
}

export function asPart(value: unknown, path: Path | null, what: string): Part {
  if (typeof value === 'string' || isUnknown(value) || isSecret(value)) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  fail(
    path,
    `${what} must be a string, received ${describeValue(value === NO_VALUE ? undefined : value)}`,
  );
}

export function sub(r: Intrinsics, args: unknown, path: Path | null): unknown {
  let template: unknown;
  let variables: Record<string, unknown> = {};
  if (Array.isArray(args)) {
    const list = argList(args, 'Fn::Sub', path, 1, 2);
    template = list[0];
    if (list.length === 2) {
      const map = r.resolve(list[1], child(child(path, 'Fn::Sub'), 1));
      if (!isMapping(map))
        fail(path, `Fn::Sub takes a mapping of variables second, received ${describeValue(map)}`);
      variables = map;
    }
  } else {
    template = args;
  }
  if (typeof template !== 'string') {
    fail(path, `Fn::Sub takes a string, received ${describeValue(template)}`);
  }
  const parts: Part[] = [];
  let last = 0;
  const pattern = /\$\{([^}]*)\}/g;
  for (let match = pattern.exec(template); match !== null; match = pattern.exec(template)) {
    parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1];
    if (name.startsWith('!')) {
      parts.push(`\${${name.slice(1)}}`);
      continue;
    }
    parts.push(r.subVariable(name, variables, path));
  }
  parts.push(template.slice(last));
  return dynamicReference(compose(parts, r.book));
}

export function join(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const [delimiter, items] = argList(args, 'Fn::Join', path, 2, 2);
  const where = child(path, 'Fn::Join');
  const separator = r.resolve(delimiter, child(where, 0));
  if (typeof separator !== 'string')
    fail(path, `Fn::Join takes a delimiter string first, received ${describeValue(separator)}`);
  const list = r.resolve(items, child(where, 1));
  if (isUnknown(list)) return derived(list, `Fn::Join ${JSON.stringify(separator)}`);
  if (isSecret(list)) {
    const clear = secretItems(r, list, path, 'Fn::Join');
    if (clear === undefined) return new SecretValue(list.parameter, undefined);
    return r.book.secret(list.parameter, clear.join(separator));
  }
  if (!Array.isArray(list))
    fail(path, `Fn::Join takes a list second, received ${describeValue(list)}`);
  const parts: Part[] = [];
  list.forEach((item, index) => {
    if (index > 0) parts.push(separator);
    parts.push(asPart(item, child(child(where, 1), index), 'each item Fn::Join joins'));
  });
  return dynamicReference(compose(parts, r.book));
}

export function select(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const [indexNode, listNode] = argList(args, 'Fn::Select', path, 2, 2);
  const where = child(path, 'Fn::Select');
  const index = r.resolve(indexNode, child(where, 0));
  const list = r.resolve(listNode, child(where, 1));
  if (isUnknown(index)) return derived(index, `Fn::Select of ${canonical(list)} at`);
  const position = typeof index === 'number' ? index : Number(index);
  if (
    !Number.isInteger(position) ||
    position < 0 ||
    (typeof index === 'string' && !/^\d+$/.test(index))
  ) {
    fail(path, `Fn::Select takes a whole number index first, received ${describeValue(index)}`);
  }
  if (isUnknown(list)) return derived(list, `Fn::Select ${position}`);
  if (isSecret(list)) {
    const clear = secretItems(r, list, path, 'Fn::Select');
    if (clear === undefined) return new SecretValue(list.parameter, undefined);
    inRange(position, clear.length, path);
    return r.book.secret(list.parameter, clear[position]);
  }
  if (!Array.isArray(list))
    fail(path, `Fn::Select takes a list second, received ${describeValue(list)}`);
  inRange(position, list.length, path);
  return list[position];
}

function inRange(position: number, length: number, path: Path | null): void {
  if (position >= length) {
    fail(path, `Fn::Select index ${position} is out of range for a list of ${length}`);
  }
}

/**
 * The items of a NoEcho list parameter (CommaDelimitedList or `List<...>`), which the resolver
 * keeps as one secret: the clear items when this resolution was given the clear value, else
 * undefined. A NoEcho value that is not a list is refused where a list is needed.
 */
function secretItems(
  r: Intrinsics,
  value: SecretValue,
  path: Path | null,
  fn: string,
): string[] | undefined {
  const type = r.template.Parameters?.[value.parameter]?.Type;
  if (typeof type !== 'string' || !isListType(type)) {
    fail(path, `${fn} takes a list, received a NoEcho value that is not a list`);
  }
  const clear = r.book.clearOf(value);
  return clear === undefined ? undefined : splitList(clear);
}

export function split(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const [delimiterNode, sourceNode] = argList(args, 'Fn::Split', path, 2, 2);
  const where = child(path, 'Fn::Split');
  const delimiter = r.resolve(delimiterNode, child(where, 0));
  if (typeof delimiter !== 'string' || delimiter === '') {
    fail(path, `Fn::Split takes a non-empty delimiter first, received ${describeValue(delimiter)}`);
  }
  const source = text(r, sourceNode, child(where, 1), 'the string Fn::Split splits');
  const how = `Fn::Split ${JSON.stringify(delimiter)}`;
  if (isUnknown(source)) return derived(source, how);
  if (isSecret(source)) {
    const unknown = new UnknownValue(
      `NoEcho parameter ${source.parameter}`,
      'Fn::Split of a NoEcho value is not computed offline',
    );
    return identified(unknown, `${how}(${identityOf(source)})`);
  }
  return source.split(delimiter);
}

export function findInMap(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const list = argList(args, 'Fn::FindInMap', path, 3, 4);
  const where = child(path, 'Fn::FindInMap');
  const keys = list
    .slice(0, 3)
    .map((item, index) => text(r, item, child(where, index), 'each Fn::FindInMap key'));
  let fallback: unknown;
  if (list.length === 4) {
    const options = r.resolve(list[3], child(where, 3));
    if (!isMapping(options) || !Object.hasOwn(options, 'DefaultValue')) {
      fail(path, 'Fn::FindInMap takes { DefaultValue: ... } as its fourth argument');
    }
    fallback = options.DefaultValue;
  }
  const unknown = keys.find(isUnknown);
  if (unknown !== undefined) return derived(unknown, `Fn::FindInMap ${canonical(keys)} by`);
  if (keys.some(isSecret)) fail(path, 'Fn::FindInMap cannot look up a NoEcho value');
  const [mapName, top, second] = keys as string[];
  const mappings = r.template.Mappings ?? {};
  const macro = r.sectionMacro('Mappings');
  if (macro !== undefined && !Object.hasOwn(mappings, mapName)) {
    return macroUnknown(macro, `the mapping ${mapName}`);
  }
  const missing = (what: string): never => {
    if (fallback !== undefined) throw new FallbackSignal();
    return fail(path, what);
  };
  try {
    if (!Object.hasOwn(mappings, mapName))
      missing(`Fn::FindInMap refers to mapping ${mapName}, which is not in Mappings`);
    const map = mappings[mapName];
    if (!Object.hasOwn(map, top)) missing(`Fn::FindInMap: mapping ${mapName} has no key ${top}`);
    const inner = map[top];
    if (!Object.hasOwn(inner, second))
      missing(`Fn::FindInMap: mapping ${mapName}.${top} has no key ${second}`);
    return r.resolve(inner[second], pathOf('Mappings', mapName, top, second));
  } catch (error) {
    if (error instanceof FallbackSignal) return fallback;
    throw error;
  }
}

export function importValue(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const name = text(r, args, child(path, 'Fn::ImportValue'), 'the export name of Fn::ImportValue');
  if (isUnknown(name)) return derived(name, 'Fn::ImportValue');
  if (isSecret(name)) fail(path, 'Fn::ImportValue cannot take a NoEcho value as an export name');
  const exports = r.ctx.exports ?? {};
  if (Object.hasOwn(exports, name)) return exports[name];
  return new UnknownValue(
    `Fn::ImportValue ${name}`,
    `the export ${name} comes from another stack; supply the account's exports to know it`,
  );
}

/**
 * Fn::GetStackOutput reads an output of another stack, possibly in another account or region,
 * when CloudFormation creates or updates this one; offline it is unknown, named by stack and
 * output.
 */
export function getStackOutput(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const where = child(path, 'Fn::GetStackOutput');
  if (!isMapping(args) || args.StackName === undefined || args.OutputName === undefined) {
    fail(
      path,
      'Fn::GetStackOutput takes { StackName, OutputName, Region?, RoleArn? }, received ' +
        describeValue(args),
    );
  }
  const parts = (['StackName', 'OutputName', 'Region', 'RoleArn'] as const).map((key) =>
    args[key] === undefined ? undefined : text(r, args[key], child(where, key), `its ${key}`),
  );
  const unknown = parts.find(isUnknown);
  if (unknown !== undefined) return derived(unknown, `Fn::GetStackOutput ${canonical(parts)} by`);
  if (parts.some(isSecret)) fail(path, 'Fn::GetStackOutput cannot take a NoEcho value');
  const [stack, output, region] = parts as (string | undefined)[];
  const named = region === undefined ? `${stack}.${output}` : `${stack}.${output} (${region})`;
  return new UnknownValue(
    `Fn::GetStackOutput ${named}`,
    `CloudFormation reads the output ${output} of stack ${stack} when it deploys this one`,
  );
}

export function base64(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const value = text(r, args, child(path, 'Fn::Base64'), 'the value of Fn::Base64');
  if (isUnknown(value)) return derived(value, 'Fn::Base64');
  if (isSecret(value)) {
    const clear = r.book.clearOf(value);
    return clear === undefined
      ? new SecretValue(value.parameter, undefined)
      : r.book.secret(value.parameter, Buffer.from(clear, 'utf8').toString('base64'));
  }
  return Buffer.from(value, 'utf8').toString('base64');
}

export function fnCidr(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const list = argList(args, 'Fn::Cidr', path, 3, 3);
  const where = child(path, 'Fn::Cidr');
  const values = list.map((item, index) =>
    text(r, item, child(where, index), 'each Fn::Cidr argument'),
  );
  const unknown = values.find(isUnknown);
  if (unknown !== undefined) return derived(unknown, `Fn::Cidr ${canonical(values)} by`);
  if (values.some(isSecret)) fail(path, 'Fn::Cidr cannot take a NoEcho value');
  const [block, count, bits] = values as string[];
  try {
    return cidr(block, Number(count), Number(bits));
  } catch (error) {
    fail(path, `Fn::Cidr: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function getAZs(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const region = text(r, args ?? '', child(path, 'Fn::GetAZs'), 'the region of Fn::GetAZs');
  if (isUnknown(region)) return derived(region, 'Fn::GetAZs');
  if (isSecret(region)) fail(path, 'Fn::GetAZs cannot take a NoEcho value');
  const current = r.env.region;
  const isCurrent = region === '' || region === current;
  if (isCurrent && r.ctx.availabilityZones !== undefined && !r.forMembers) {
    return [...r.ctx.availabilityZones];
  }
  const named =
    region === '' ? (typeof current === 'string' ? current : 'the stack region') : region;
  return new UnknownValue(
    `Fn::GetAZs ${named}`,
    `the availability zones of ${named} were not supplied`,
  );
}

export function fnIf(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const [name, whenTrue, whenFalse] = argList(args, 'Fn::If', path, 3, 3);
  if (typeof name !== 'string')
    fail(path, `Fn::If takes a condition name first, received ${describeValue(name)}`);
  const value = r.condition(name, path);
  const where = child(path, 'Fn::If');
  if (value === true) return r.resolve(whenTrue, child(where, 1));
  if (value === false) return r.resolve(whenFalse, child(where, 2));
  const unknown = new UnknownValue(
    value.source,
    `Fn::If picks a value by condition ${name}, which cannot be decided offline: ${value.reason}`,
  );
  // The same call, written the same way, picks the same value: its text is its identity.
  return identified(unknown, `Fn::If ${canonical(args)}`);
}

export function transform(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const calls = Array.isArray(args) ? args : [args];
  const names = calls.map((call) => {
    const name = isMapping(call)
      ? r.resolve(call.Name, child(child(path, 'Fn::Transform'), 'Name'))
      : undefined;
    if (typeof name !== 'string') fail(path, 'Fn::Transform needs a macro Name');
    return name;
  });
  if (names.length === 0) fail(path, 'Fn::Transform needs a macro Name');
  r.recordMacros(...names.map((name) => `Fn::Transform ${name} at ${renderPath(path)}`));
  const unknown = new UnknownValue(
    `Fn::Transform ${names.join(', ')}`,
    `the macro ${names.join(', ')} writes this part when CloudFormation processes the ` +
      `template; read the processed template to know it`,
  );
  // A macro sees where it is called, so each call may write something else.
  return identified(unknown, `Fn::Transform at ${renderPath(path)}`);
}

export function toJsonString(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const value = r.resolve(args, child(path, 'Fn::ToJsonString'));
  if (typeof value === 'string') return value;
  const symbolic = findSymbolic(value);
  if (symbolic === undefined) return JSON.stringify(value);
  const identity = `Fn::ToJsonString ${canonical(value)}`;
  if (isUnknown(symbolic)) return derived(symbolic, identity);
  return identified(new SecretValue(symbolic.parameter, undefined), identity);
}

export function length(r: Intrinsics, args: unknown, path: Path | null): unknown {
  const value = r.resolve(args, child(path, 'Fn::Length'));
  if (isUnknown(value)) return derived(value, 'Fn::Length');
  if (isSecret(value)) {
    const clear = secretItems(r, value, path, 'Fn::Length');
    if (clear !== undefined) return clear.length;
    const unknown = new UnknownValue(
      `NoEcho parameter ${value.parameter}`,
      'the number of items of a masked NoEcho list is not known offline',
    );
    return identified(unknown, `Fn::Length(${identityOf(value)})`);
  }
  if (!Array.isArray(value))
    fail(path, `Fn::Length takes a list, received ${describeValue(value)}`);
  return value.length;
}
