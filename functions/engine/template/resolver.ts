/**
 * Resolves a template's intrinsic functions for one stack: parameters, pseudo parameters,
 * conditions, mappings, string functions, and Ref and GetAtt of resources from what
 * CloudFormation reports for the stack. What cannot be known offline becomes an UnknownValue
 * naming its source; a NoEcho value stays a SecretValue.
 *
 * Resolution is lazy and memoised: a resource's properties are resolved when first asked for,
 * so a Ref that needs one property (a role's name) does not resolve the rest, and a circular
 * reference is reported instead of recursing.
 */
import { isSecret, isUnknown, SecretValue, sha256Hex, UnknownValue } from '../values';
import { type Env, type PropertyReader, TYPE_RULES } from './attributes';
import { cidr } from './cidr';
import { combineUnknowns, compose, findSymbolic, type Part, SecretBook } from './compose';
import { child, describeValue, fail, type Path, pathOf, renderPath, TemplateError } from './errors';
import { expandLoops, FOR_EACH, hasLoops, type UnexpandedLoop } from './foreach';
import { memberParameterUnknown, type ParameterValue, parameterValue } from './parameters';
import { isMapping } from './parse';
import type {
  ConditionValue,
  ResourceDeclaration,
  StackContext,
  StackResource,
  TemplateBody,
} from './types';

/** Stands where `AWS::NoValue` removes a value; never leaves the resolver. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** How a StackSet's member template is resolved: pseudo values and parameters set from outside. */
export interface Overrides {
  pseudo?: Record<string, unknown>;
  parameters?: Record<string, ParameterValue>;
  /** Names the resolution in unknown sources, e.g. the StackSet's logical ID. */
  stackSet?: string;
}

export class Resolver {
  readonly book = new SecretBook();
  readonly env: Env;
  readonly transforms: string[];
  /** The template with its Fn::ForEach loops expanded. */
  readonly template: TemplateBody;
  /** Loops whose collection is known only after deploy, so their output is not known. */
  readonly unexpandedLoops: UnexpandedLoop[] = [];
  private readonly pseudo: Record<string, unknown>;
  private readonly parameterValues = new Map<string, ParameterValue>();
  private readonly conditionValues = new Map<string, ConditionValue>();
  private readonly conditionsActive = new Set<string>();
  private readonly physical = new Map<string, StackResource>();
  private readonly propertyValues = new Map<string, unknown>();
  private readonly propertiesActive = new Set<string>();
  private readonly samPrefixes: string[];
  private macroSink: string[] | null = null;

  constructor(
    template: TemplateBody,
    private readonly ctx: StackContext,
    private readonly overrides: Overrides = {},
  ) {
    this.template = template;
    this.transforms = transformNames(template.Transform);
    for (const resource of ctx.resources ?? []) this.physical.set(resource.logicalId, resource);
    this.pseudo = { ...pseudoValues(ctx), ...(overrides.pseudo ?? {}) };
    this.env = {
      partition: this.pseudo['AWS::Partition'] as Part,
      region: this.pseudo['AWS::Region'] as Part,
      accountId: this.pseudo['AWS::AccountId'] as Part,
      urlSuffix: this.pseudo['AWS::URLSuffix'] as Part,
    };
    this.checkGivenParameters();
    this.template = this.expandSections(template);
    this.samPrefixes = this.transforms.includes(SAM_TRANSFORM)
      ? Object.entries(this.template.Resources)
          .filter(([, resource]) => resource.Type.startsWith('AWS::Serverless::'))
          .map(([logicalId]) => logicalId)
      : [];
  }

  /** Expands Fn::ForEach loops of Conditions, Resources and Outputs, in that order. */
  private expandSections(template: TemplateBody): TemplateBody {
    let out = template;
    for (const section of ['Conditions', 'Resources', 'Outputs'] as const) {
      const value = out[section];
      if (!isMapping(value) || !hasLoops(value)) continue;
      const expanded = expandLoops(
        value,
        pathOf(section),
        (node, path) => this.resolve(node, path),
        this.unexpandedLoops,
      );
      out = { ...out, [section]: expanded };
      (this as { template: TemplateBody }).template = out;
    }
    return out;
  }

  /** The physical resource CloudFormation reports for a logical ID, if the context has it. */
  physicalOf(logicalId: string): StackResource | undefined {
    return this.physical.get(logicalId);
  }

  resourceDeclaration(logicalId: string): ResourceDeclaration | undefined {
    return Object.hasOwn(this.template.Resources, logicalId)
      ? this.template.Resources[logicalId]
      : undefined;
  }

  // ---- parameters and conditions -------------------------------------------------------

  parameter(name: string): ParameterValue {
    const known = this.parameterValues.get(name);
    if (known !== undefined) return known;
    const declaration = this.template.Parameters?.[name];
    if (declaration === undefined) fail(pathOf('Parameters', name), 'is not declared');
    let value: ParameterValue;
    const preset = this.overrides.parameters;
    if (preset !== undefined) {
      const given = Object.hasOwn(preset, name) ? preset[name] : undefined;
      if (typeof given === 'string' || Array.isArray(given)) {
        value = parameterValue(name, declaration, given, undefined, this.book);
      } else if (given !== undefined) {
        value = given;
      } else if (declaration.Default !== undefined && declaration.Default !== null) {
        value = parameterValue(name, declaration, undefined, undefined, this.book);
      } else {
        value = memberParameterUnknown(name, this.overrides.stackSet ?? 'StackSet');
      }
    } else {
      const given = Object.hasOwn(this.ctx.parameters, name)
        ? this.ctx.parameters[name]
        : undefined;
      const digest = this.ctx.secretDigests?.[name];
      value = parameterValue(name, declaration, given, digest, this.book);
    }
    this.parameterValues.set(name, value);
    return value;
  }

  /** Every declared parameter, resolved. */
  parameters(): Record<string, ParameterValue> {
    const out: Record<string, ParameterValue> = {};
    for (const name of Object.keys(this.template.Parameters ?? {}))
      out[name] = this.parameter(name);
    return out;
  }

  condition(name: string, path: Path | null): ConditionValue {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const conditions = this.template.Conditions ?? {};
    if (!Object.hasOwn(conditions, name)) {
      fail(path, `refers to condition ${name}, which is not declared in Conditions`);
    }
    if (this.conditionsActive.has(name)) {
      fail(pathOf('Conditions', name), 'refers to itself through other conditions');
    }
    this.conditionsActive.add(name);
    try {
      const value = this.conditionExpression(conditions[name], pathOf('Conditions', name));
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.conditionsActive.delete(name);
    }
  }

  /** Every declared condition, evaluated. */
  conditions(): Record<string, ConditionValue> {
    const out: Record<string, ConditionValue> = {};
    for (const name of Object.keys(this.template.Conditions ?? {}))
      out[name] = this.condition(name, null);
    return out;
  }

  private conditionExpression(node: unknown, path: Path | null): ConditionValue {
    if (isMapping(node) && Object.keys(node).length === 1) {
      const [name] = Object.keys(node);
      const args = node[name];
      if (name === 'Condition') {
        if (typeof args !== 'string') fail(path, 'Condition must name a condition');
        return this.condition(args, path);
      }
      if (name === 'Fn::Equals') return this.equals(args, path);
      if (name === 'Fn::Not') {
        const list = this.argList(args, name, path, 1, 1);
        const value = this.conditionExpression(list[0], child(child(path, name), 0));
        return isUnknown(value) ? value : !value;
      }
      if (name === 'Fn::And' || name === 'Fn::Or') {
        const list = this.argList(args, name, path, 2, 10);
        const values = list.map((item, index) =>
          this.conditionExpression(item, child(child(path, name), index)),
        );
        const decisive = name !== 'Fn::And';
        if (values.includes(decisive)) return decisive;
        const unknowns = values.filter(isUnknown);
        return unknowns.length > 0 ? combineUnknowns(unknowns) : !decisive;
      }
      if (name === 'Fn::If') {
        const value = this.resolve(node, path);
        if (typeof value === 'boolean' || isUnknown(value)) return value;
      }
    }
    if (typeof node === 'boolean') return node;
    fail(
      path,
      `a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, received ${describeValue(node)}`,
    );
  }

  private equals(args: unknown, path: Path | null): ConditionValue {
    const list = this.argList(args, 'Fn::Equals', path, 2, 2);
    const [left, right] = list.map((item, index) =>
      this.resolve(item, child(child(path, 'Fn::Equals'), index)),
    );
    const unknowns = [left, right].filter(isUnknown);
    if (unknowns.length > 0) {
      const unknown = combineUnknowns(unknowns);
      return new UnknownValue(unknown.source, `a condition compares it: ${unknown.reason}`);
    }
    if (isSecret(left) || isSecret(right)) return this.equalsSecret(left, right);
    return comparable(left) === comparable(right);
  }

  /** A NoEcho value compared with text: decided by digest when the digest is known. */
  private equalsSecret(left: unknown, right: unknown): ConditionValue {
    const clearOf = (value: unknown): string | undefined =>
      isSecret(value) ? this.book.clearOf(value) : comparable(value);
    const a = clearOf(left);
    const b = clearOf(right);
    if (a !== undefined && b !== undefined) return a === b;
    const secret = (isSecret(left) ? left : right) as SecretValue;
    const other = secret === left ? right : left;
    if (isSecret(other)) {
      if (secret.sha256 !== undefined && secret.sha256 === other.sha256) return true;
    } else if (secret.sha256 !== undefined) {
      return secret.sha256 === sha256Hex(comparable(other));
    }
    return new UnknownValue(
      `NoEcho parameter ${secret.parameter}`,
      `a condition compares the NoEcho value of ${secret.parameter}, whose digest was not given`,
    );
  }

  // ---- resources ------------------------------------------------------------------------

  /** Whether the stack creates a resource, from its Condition. */
  created(logicalId: string): ConditionValue {
    const declaration = this.resourceDeclaration(logicalId);
    if (declaration?.Condition === undefined) return true;
    return this.condition(declaration.Condition, pathOf('Resources', logicalId, 'Condition'));
  }

  /** One property of a resource, resolved once; undefined when absent or removed. */
  property(logicalId: string, name: string): unknown {
    const key = `${logicalId}\u0000${name}`;
    if (this.propertyValues.has(key)) return this.propertyValues.get(key);
    const declaration = this.resourceDeclaration(logicalId);
    const properties = declaration?.Properties;
    const path = pathOf('Resources', logicalId, 'Properties', name);
    if (properties === undefined || properties === null) return undefined;
    if (!isMapping(properties) || isFunction(properties)) {
      const whole = this.properties(logicalId);
      return isMapping(whole) ? whole[name] : whole;
    }
    if (!Object.hasOwn(properties, name)) return undefined;
    if (this.propertiesActive.has(key)) {
      fail(path, 'refers back to itself (a circular reference)');
    }
    this.propertiesActive.add(key);
    try {
      const value = this.resolve(properties[name], path);
      const kept = value === NO_VALUE ? undefined : value;
      this.propertyValues.set(key, kept);
      return kept;
    } finally {
      this.propertiesActive.delete(key);
    }
  }

  /** All properties of a resource, resolved; an UnknownValue when a macro makes them all. */
  properties(logicalId: string): Record<string, unknown> | UnknownValue {
    const declaration = this.resourceDeclaration(logicalId);
    const properties = declaration?.Properties;
    if (properties === undefined || properties === null) return {};
    if (!isMapping(properties) || isFunction(properties)) {
      const value = this.resolve(properties, pathOf('Resources', logicalId, 'Properties'));
      if (value === NO_VALUE) return {};
      if (isUnknown(value)) return value;
      if (!isMapping(value)) {
        fail(
          pathOf('Resources', logicalId, 'Properties'),
          `must be a mapping, received ${describeValue(value)}`,
        );
      }
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(properties)) {
      const value = this.property(logicalId, name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** Resolves a resource while collecting the macros (Fn::Transform) it holds. */
  withMacros<T>(run: () => T): { value: T; macros: string[] } {
    const outer = this.macroSink;
    const macros: string[] = [];
    this.macroSink = macros;
    try {
      return { value: run(), macros };
    } finally {
      this.macroSink = outer;
      if (outer !== null) outer.push(...macros);
    }
  }

  private reader(logicalId: string): PropertyReader {
    return (name) => this.property(logicalId, name);
  }

  /** What Ref gives for a resource. */
  refResource(logicalId: string, path: Path | null): unknown {
    const declaration = this.resourceDeclaration(logicalId) as ResourceDeclaration;
    this.mustBeCreated(logicalId, declaration, path, 'Ref');
    const created = this.created(logicalId);
    if (isUnknown(created)) return created;
    const physical = this.physical.get(logicalId);
    if (physical !== undefined) return physical.physicalId;
    const rule = TYPE_RULES[declaration.Type];
    if (rule?.nameProperty !== undefined) {
      const name = this.property(logicalId, rule.nameProperty);
      if (name !== undefined) {
        const part = this.asPart(name, path, `${logicalId}.${rule.nameProperty}`);
        if (rule.refFromName === undefined) return part;
        return compose(rule.refFromName(part, this.env, this.reader(logicalId)), this.book);
      }
    }
    return this.generated(logicalId, declaration.Type);
  }

  private generated(logicalId: string, type: string): UnknownValue {
    const nameProperty = TYPE_RULES[type]?.nameProperty;
    const how =
      nameProperty === undefined
        ? 'its physical ID is assigned when CloudFormation creates it'
        : `it has no ${nameProperty}, so CloudFormation generates its name`;
    return new UnknownValue(
      `Ref ${logicalId}`,
      `${logicalId} (${type}): ${how}; supply the stack's resources (describe-stack-resources) to know it`,
    );
  }

  /** What Fn::GetAtt gives for a resource attribute. */
  getAtt(logicalId: string, attribute: string, path: Path | null): unknown {
    const declaration = this.resourceDeclaration(logicalId);
    if (declaration === undefined) {
      const sam = this.samGenerated(logicalId, `${logicalId}.${attribute}`);
      if (sam !== undefined) return sam;
      fail(path, `Fn::GetAtt refers to ${logicalId}, which is not a resource`);
    }
    this.mustBeCreated(logicalId, declaration, path, 'Fn::GetAtt');
    const created = this.created(logicalId);
    if (isUnknown(created)) return created;
    const rule = TYPE_RULES[declaration.Type];
    if (rule?.allAttributes !== undefined && !rule.allAttributes.includes(attribute)) {
      fail(
        path,
        `Fn::GetAtt asks ${logicalId} (${declaration.Type}) for ${attribute}; it has ${rule.allAttributes.join(', ')}`,
      );
    }
    const build = rule?.attributes?.[attribute];
    if (build !== undefined) {
      const id = this.asPart(this.refResource(logicalId, path), path, `Ref ${logicalId}`);
      const parts = build(id, this.env, this.reader(logicalId));
      if (parts !== null) return compose(parts, this.book);
    }
    return new UnknownValue(
      `${declaration.Type}.${attribute}`,
      `${logicalId} (${declaration.Type}) reports ${attribute} only once CloudFormation has created it`,
    );
  }

  private mustBeCreated(
    logicalId: string,
    declaration: ResourceDeclaration,
    path: Path | null,
    fn: string,
  ): void {
    if (this.created(logicalId) === false) {
      fail(
        path,
        `${fn} refers to ${logicalId}, whose condition ${declaration.Condition} is false, so the stack does not create it`,
      );
    }
  }

  /** SAM makes resources (a function's role, `<Function>Role`) the raw template can name. */
  private samGenerated(name: string, source: string): UnknownValue | undefined {
    const owner = this.samPrefixes.find((prefix) => name.startsWith(prefix) && name !== prefix);
    if (owner === undefined) return undefined;
    return new UnknownValue(
      source,
      `${name} is made by the SAM transform from ${owner}; read the processed template to know it`,
    );
  }

  // ---- intrinsic functions --------------------------------------------------------------

  /** Resolves any template value; may return {@link NO_VALUE}. */
  resolve(node: unknown, path: Path | null): unknown {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (let index = 0; index < node.length; index++) {
        const value = this.resolve(node[index], child(path, index));
        if (value !== NO_VALUE) out.push(value);
      }
      return out;
    }
    if (isUnknown(node) || isSecret(node)) return node;
    let record = node as Record<string, unknown>;
    if (hasLoops(record)) record = this.expandInPlace(record, path);
    const keys = Object.keys(record);
    if (keys.length === 1 && isFunctionName(keys[0])) {
      return this.call(keys[0], record[keys[0]], path);
    }
    const named = keys.find((key) => isFunctionName(key) && !key.startsWith(FOR_EACH));
    if (named !== undefined) {
      fail(
        path,
        `${named} must be the only key of its mapping, which also has ${keys.filter((k) => k !== named).join(', ')}`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const value = this.resolve(record[key], child(path, key));
      if (value !== NO_VALUE) out[key] = value;
    }
    return out;
  }

  /** A loop inside properties; one whose collection is unknown stays as an unknown value. */
  private expandInPlace(
    record: Record<string, unknown>,
    path: Path | null,
  ): Record<string, unknown> {
    const unknownLoops: UnexpandedLoop[] = [];
    const expanded = expandLoops(record, path, (node, at) => this.resolve(node, at), unknownLoops);
    for (const loop of unknownLoops) expanded[loop.key] = loop.unknown;
    return expanded;
  }

  private call(name: string, args: unknown, path: Path | null): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(args, path);
      case 'Fn::GetAtt':
        return this.fnGetAtt(args, path);
      case 'Fn::Sub':
        return this.sub(args, path);
      case 'Fn::Join':
        return this.join(args, path);
      case 'Fn::Select':
        return this.select(args, path);
      case 'Fn::Split':
        return this.split(args, path);
      case 'Fn::FindInMap':
        return this.findInMap(args, path);
      case 'Fn::ImportValue':
        return this.importValue(args, path);
      case 'Fn::Base64':
        return this.base64(args, path);
      case 'Fn::Cidr':
        return this.fnCidr(args, path);
      case 'Fn::GetAZs':
        return this.getAZs(args, path);
      case 'Fn::If':
        return this.fnIf(args, path);
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return this.conditionExpression({ [name]: args }, path);
      case 'Fn::Transform':
        return this.transform(args, path);
      case 'Fn::ToJsonString':
        return this.toJsonString(args, path);
      case 'Fn::Length':
        return this.length(args, path);
      case 'Fn::GetStackOutput':
        return new UnknownValue(
          'Fn::GetStackOutput',
          "it reads another stack's output, known only to CloudFormation",
        );
      default:
        fail(path, `${name} is not a CloudFormation function`);
    }
  }

  private argList(
    args: unknown,
    name: string,
    path: Path | null,
    min: number,
    max: number,
  ): unknown[] {
    if (!Array.isArray(args)) {
      fail(
        path,
        `${name} takes a list of ${min === max ? min : `${min} to ${max}`} arguments, received ${describeValue(args)}`,
      );
    }
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      fail(path, `${name} takes ${want} arguments, received ${args.length}`);
    }
    return args;
  }

  /** Resolves an argument that must come out as text. */
  private text(node: unknown, path: Path | null, what: string): Part {
    const value = this.resolve(node, path);
    return this.asPart(value, path, what);
  }

  private asPart(value: unknown, path: Path | null, what: string): Part {
    if (typeof value === 'string' || isUnknown(value) || isSecret(value)) return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    fail(
      path,
      `${what} must be a string, received ${describeValue(value === NO_VALUE ? undefined : value)}`,
    );
  }

  private ref(args: unknown, path: Path | null): unknown {
    const target = isMapping(args) ? this.resolve(args, child(path, 'Ref')) : args;
    if (typeof target !== 'string') {
      fail(
        path,
        `Ref takes the name of a parameter, resource or pseudo parameter, received ${describeValue(target)}`,
      );
    }
    return this.lookup(target, path, `Ref to ${target}`);
  }

  /** A name as Ref and Fn::Sub see it: pseudo parameter, parameter or resource. */
  private lookup(name: string, path: Path | null, what: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name.startsWith('AWS::')) {
      if (Object.hasOwn(this.pseudo, name)) return this.pseudo[name];
      fail(path, `${what}: ${name} is not a pseudo parameter`);
    }
    if (this.template.Parameters !== undefined && Object.hasOwn(this.template.Parameters, name)) {
      return this.parameter(name);
    }
    if (this.resourceDeclaration(name) !== undefined) return this.refResource(name, path);
    const sam = this.samGenerated(name, `Ref ${name}`);
    if (sam !== undefined) return sam;
    fail(path, `${what}, which is not a parameter, resource or pseudo parameter`);
  }

  private fnGetAtt(args: unknown, path: Path | null): unknown {
    let pair: unknown[];
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      if (dot <= 0) fail(path, `Fn::GetAtt needs Resource.Attribute, received '${args}'`);
      pair = [args.slice(0, dot), args.slice(dot + 1)];
    } else {
      pair = this.argList(args, 'Fn::GetAtt', path, 2, 2);
    }
    const [resource, attribute] = pair;
    const attributeName =
      typeof attribute === 'string'
        ? attribute
        : this.resolve(attribute, child(child(path, 'Fn::GetAtt'), 1));
    if (typeof resource !== 'string') fail(path, 'Fn::GetAtt needs a resource logical ID first');
    if (isUnknown(attributeName)) return attributeName;
    if (typeof attributeName !== 'string') {
      fail(path, `Fn::GetAtt needs an attribute name, received ${describeValue(attributeName)}`);
    }
    return this.getAtt(resource, attributeName, path);
  }

  private sub(args: unknown, path: Path | null): unknown {
    let template: unknown;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(args)) {
      const list = this.argList(args, 'Fn::Sub', path, 1, 2);
      template = list[0];
      if (list.length === 2) {
        const map = this.resolve(list[1], child(child(path, 'Fn::Sub'), 1));
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
      parts.push(this.subVariable(name, variables, path));
    }
    parts.push(template.slice(last));
    return compose(parts, this.book);
  }

  private subVariable(name: string, variables: Record<string, unknown>, path: Path | null): Part {
    let value: unknown;
    if (Object.hasOwn(variables, name)) value = variables[name];
    else if (this.isKnownName(name))
      value = this.lookup(name, path, `Fn::Sub refers to \${${name}}`);
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      const resource = name.slice(0, dot);
      if (
        this.resourceDeclaration(resource) === undefined &&
        this.samGenerated(resource, name) === undefined
      ) {
        fail(path, `Fn::Sub refers to \${${name}}, and ${resource} is not a resource`);
      }
      value = this.getAtt(resource, name.slice(dot + 1), path);
    } else {
      fail(
        path,
        `Fn::Sub refers to \${${name}}, which is not a parameter, resource or pseudo parameter`,
      );
    }
    if (value === NO_VALUE) fail(path, `Fn::Sub cannot insert \${${name}}: it is AWS::NoValue`);
    if (Array.isArray(value)) fail(path, `Fn::Sub cannot insert \${${name}}: it is a list`);
    return this.asPart(value, path, `\${${name}} in Fn::Sub`);
  }

  private isKnownName(name: string): boolean {
    if (name.startsWith('AWS::')) return true;
    if (this.template.Parameters !== undefined && Object.hasOwn(this.template.Parameters, name))
      return true;
    return (
      this.resourceDeclaration(name) !== undefined || this.samGenerated(name, name) !== undefined
    );
  }

  private join(args: unknown, path: Path | null): unknown {
    const [delimiter, items] = this.argList(args, 'Fn::Join', path, 2, 2);
    const where = child(path, 'Fn::Join');
    const separator = this.resolve(delimiter, child(where, 0));
    if (typeof separator !== 'string')
      fail(path, `Fn::Join takes a delimiter string first, received ${describeValue(separator)}`);
    const list = this.resolve(items, child(where, 1));
    if (isUnknown(list) || isSecret(list)) return list;
    if (!Array.isArray(list))
      fail(path, `Fn::Join takes a list second, received ${describeValue(list)}`);
    const parts: Part[] = [];
    list.forEach((item, index) => {
      if (index > 0) parts.push(separator);
      parts.push(this.asPart(item, child(child(where, 1), index), 'each item Fn::Join joins'));
    });
    return compose(parts, this.book);
  }

  private select(args: unknown, path: Path | null): unknown {
    const [indexNode, listNode] = this.argList(args, 'Fn::Select', path, 2, 2);
    const where = child(path, 'Fn::Select');
    const index = this.resolve(indexNode, child(where, 0));
    const list = this.resolve(listNode, child(where, 1));
    if (isUnknown(index)) return index;
    const position = typeof index === 'number' ? index : Number(index);
    if (
      !Number.isInteger(position) ||
      position < 0 ||
      (typeof index === 'string' && !/^\d+$/.test(index))
    ) {
      fail(path, `Fn::Select takes a whole number index first, received ${describeValue(index)}`);
    }
    if (isUnknown(list)) return list;
    if (!Array.isArray(list))
      fail(path, `Fn::Select takes a list second, received ${describeValue(list)}`);
    if (position >= list.length) {
      fail(path, `Fn::Select index ${position} is out of range for a list of ${list.length}`);
    }
    return list[position];
  }

  private split(args: unknown, path: Path | null): unknown {
    const [delimiterNode, sourceNode] = this.argList(args, 'Fn::Split', path, 2, 2);
    const where = child(path, 'Fn::Split');
    const delimiter = this.resolve(delimiterNode, child(where, 0));
    if (typeof delimiter !== 'string' || delimiter === '') {
      fail(
        path,
        `Fn::Split takes a non-empty delimiter first, received ${describeValue(delimiter)}`,
      );
    }
    const source = this.text(sourceNode, child(where, 1), 'the string Fn::Split splits');
    if (isUnknown(source)) return source;
    if (isSecret(source)) {
      return new UnknownValue(
        `NoEcho parameter ${source.parameter}`,
        'Fn::Split of a NoEcho value is not computed offline',
      );
    }
    return source.split(delimiter);
  }

  private findInMap(args: unknown, path: Path | null): unknown {
    const list = this.argList(args, 'Fn::FindInMap', path, 3, 4);
    const where = child(path, 'Fn::FindInMap');
    const keys = list
      .slice(0, 3)
      .map((item, index) => this.text(item, child(where, index), 'each Fn::FindInMap key'));
    let fallback: unknown;
    if (list.length === 4) {
      const options = this.resolve(list[3], child(where, 3));
      if (!isMapping(options) || !Object.hasOwn(options, 'DefaultValue')) {
        fail(path, 'Fn::FindInMap takes { DefaultValue: ... } as its fourth argument');
      }
      fallback = options.DefaultValue;
    }
    const unknown = keys.find(isUnknown);
    if (unknown !== undefined) return unknown;
    if (keys.some(isSecret)) fail(path, 'Fn::FindInMap cannot look up a NoEcho value');
    const [mapName, top, second] = keys as string[];
    const mappings = this.template.Mappings ?? {};
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
      return this.resolve(inner[second], pathOf('Mappings', mapName, top, second));
    } catch (error) {
      if (error instanceof FallbackSignal) return fallback;
      throw error;
    }
  }

  private importValue(args: unknown, path: Path | null): unknown {
    const name = this.text(
      args,
      child(path, 'Fn::ImportValue'),
      'the export name of Fn::ImportValue',
    );
    if (isUnknown(name)) return name;
    if (isSecret(name)) fail(path, 'Fn::ImportValue cannot take a NoEcho value as an export name');
    const exports = this.ctx.exports ?? {};
    if (Object.hasOwn(exports, name)) return exports[name];
    return new UnknownValue(
      `Fn::ImportValue ${name}`,
      `the export ${name} comes from another stack; supply the account's exports to know it`,
    );
  }

  private base64(args: unknown, path: Path | null): unknown {
    const value = this.text(args, child(path, 'Fn::Base64'), 'the value of Fn::Base64');
    if (isUnknown(value)) return value;
    if (isSecret(value)) {
      const clear = this.book.clearOf(value);
      return clear === undefined
        ? new SecretValue(value.parameter, undefined)
        : this.book.secret(value.parameter, Buffer.from(clear, 'utf8').toString('base64'));
    }
    return Buffer.from(value, 'utf8').toString('base64');
  }

  private fnCidr(args: unknown, path: Path | null): unknown {
    const list = this.argList(args, 'Fn::Cidr', path, 3, 3);
    const where = child(path, 'Fn::Cidr');
    const values = list.map((item, index) =>
      this.text(item, child(where, index), 'each Fn::Cidr argument'),
    );
    const unknown = values.find(isUnknown);
    if (unknown !== undefined) return unknown;
    if (values.some(isSecret)) fail(path, 'Fn::Cidr cannot take a NoEcho value');
    const [block, count, bits] = values as string[];
    try {
      return cidr(block, Number(count), Number(bits));
    } catch (error) {
      fail(path, `Fn::Cidr: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private getAZs(args: unknown, path: Path | null): unknown {
    const region = this.text(args ?? '', child(path, 'Fn::GetAZs'), 'the region of Fn::GetAZs');
    if (isUnknown(region)) return region;
    if (isSecret(region)) fail(path, 'Fn::GetAZs cannot take a NoEcho value');
    const current = this.env.region;
    const isCurrent = region === '' || region === current;
    if (isCurrent && this.ctx.availabilityZones !== undefined && !this.overrides.pseudo) {
      return [...this.ctx.availabilityZones];
    }
    const named =
      region === '' ? (typeof current === 'string' ? current : 'the stack region') : region;
    return new UnknownValue(
      `Fn::GetAZs ${named}`,
      `the availability zones of ${named} were not supplied`,
    );
  }

  private fnIf(args: unknown, path: Path | null): unknown {
    const [name, whenTrue, whenFalse] = this.argList(args, 'Fn::If', path, 3, 3);
    if (typeof name !== 'string')
      fail(path, `Fn::If takes a condition name first, received ${describeValue(name)}`);
    const value = this.condition(name, path);
    const where = child(path, 'Fn::If');
    if (value === true) return this.resolve(whenTrue, child(where, 1));
    if (value === false) return this.resolve(whenFalse, child(where, 2));
    return new UnknownValue(
      value.source,
      `Fn::If picks a value by condition ${name}, which cannot be decided offline: ${value.reason}`,
    );
  }

  private transform(args: unknown, path: Path | null): unknown {
    const calls = Array.isArray(args) ? args : [args];
    const names = calls.map((call) => {
      const name = isMapping(call)
        ? this.resolve(call.Name, child(child(path, 'Fn::Transform'), 'Name'))
        : undefined;
      if (typeof name !== 'string') fail(path, 'Fn::Transform needs a macro Name');
      return name;
    });
    if (names.length === 0) fail(path, 'Fn::Transform needs a macro Name');
    this.macroSink?.push(...names.map((name) => `Fn::Transform ${name} at ${renderPath(path)}`));
    return new UnknownValue(
      `Fn::Transform ${names.join(', ')}`,
      `the macro ${names.join(', ')} writes this part when CloudFormation processes the template; read the processed template to know it`,
    );
  }

  private toJsonString(args: unknown, path: Path | null): unknown {
    const value = this.resolve(args, child(path, 'Fn::ToJsonString'));
    if (typeof value === 'string') return value;
    const symbolic = findSymbolic(value);
    if (symbolic === undefined) return JSON.stringify(value);
    if (isUnknown(symbolic)) return symbolic;
    return new SecretValue(symbolic.parameter, undefined);
  }

  private length(args: unknown, path: Path | null): unknown {
    const value = this.resolve(args, child(path, 'Fn::Length'));
    if (isUnknown(value)) return value;
    if (!Array.isArray(value))
      fail(path, `Fn::Length takes a list, received ${describeValue(value)}`);
    return value.length;
  }

  /** A parameter given for the stack that the template does not declare is a typo to report. */
  private checkGivenParameters(): void {
    if (this.overrides.parameters !== undefined) return;
    const declared = this.template.Parameters ?? {};
    for (const name of Object.keys(this.ctx.parameters)) {
      if (!Object.hasOwn(declared, name)) {
        throw new TemplateError(
          `Parameters.${name}`,
          'a value was given for this parameter, but the template does not declare it',
        );
      }
    }
  }
}

class FallbackSignal extends Error {}

function isFunctionName(key: string): boolean {
  return key === 'Ref' || (key.startsWith('Fn::') && !key.startsWith(FOR_EACH));
}

function isFunction(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && isFunctionName(keys[0]);
}

/** How Fn::Equals sees a value: text, as CloudFormation compares `true` and `'true'` alike. */
function comparable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === NO_VALUE || value === undefined || value === null) return '';
  return JSON.stringify(value);
}

function pseudoValues(ctx: StackContext): Record<string, unknown> {
  const partition = ctx.partition ?? partitionOf(ctx.region);
  return {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': ctx.urlSuffix ?? urlSuffixOf(partition),
    'AWS::StackName': ctx.stackName,
    'AWS::StackId':
      ctx.stackId ??
      new UnknownValue(
        'AWS::StackId',
        'the stack ID was not supplied (CloudFormation assigns it at create time)',
      ),
    'AWS::NotificationARNs':
      ctx.notificationArns === undefined
        ? new UnknownValue(
            'AWS::NotificationARNs',
            "the stack's notification ARNs were not supplied",
          )
        : [...ctx.notificationArns],
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

export function urlSuffixOf(partition: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'amazonaws.com.cn';
    case 'aws-iso':
      return 'c2s.ic.gov';
    case 'aws-iso-b':
      return 'sc2s.sgov.gov';
    default:
      return 'amazonaws.com';
  }
}

function transformNames(transform: unknown): string[] {
  if (transform === undefined || transform === null) return [];
  const items = Array.isArray(transform) ? transform : [transform];
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (isMapping(item) && typeof item.Name === 'string') return item.Name;
    throw new TemplateError(
      'Transform',
      `names a macro by string or { Name }, received ${describeValue(item)}`,
    );
  });
}

/** Whether a value is the NoValue marker, for callers walking resolved trees. */
export function isNoValue(value: unknown): boolean {
  return value === NO_VALUE;
}

export { renderPath };
