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
import { isSecret, isUnknown, UnknownValue } from '../values';
import { type Env, type PropertyReader, TYPE_RULES } from './attributes';
import { compose, type Part, SecretBook } from './compose';
import { conditionExpression } from './conditions';
import { child, describeValue, fail, type Path, pathOf, TemplateError } from './errors';
import { expandLoops, FOR_EACH, hasLoops, type UnexpandedLoop } from './foreach';
import {
  argList,
  asPart,
  base64,
  dynamicReference,
  findInMap,
  fnCidr,
  fnIf,
  getAZs,
  getStackOutput,
  type Intrinsics,
  importValue,
  join,
  length,
  NO_VALUE,
  select,
  split,
  sub,
  toJsonString,
  transform,
} from './functions';
import { derived, identified } from './identity';
import {
  liftSectionMacros,
  MACRO_KEY,
  type MacroSection,
  macroUnknown,
  type SectionMacro,
} from './macros';
import { putOwn } from './own';
import { memberParameterUnknown, type ParameterValue, parameterValue } from './parameters';
import { isMapping, LIMITS } from './parse';
import { pseudoValues, transformNames } from './pseudo';
import type {
  ConditionValue,
  ResourceDeclaration,
  StackContext,
  StackResource,
  TemplateBody,
} from './types';

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** How a StackSet's member template is resolved: pseudo values and parameters set from outside. */
export interface Overrides {
  pseudo?: Record<string, unknown>;
  parameters?: Record<string, ParameterValue>;
  /** Names the resolution in unknown sources, e.g. the StackSet's logical ID. */
  stackSet?: string;
}

export class Resolver implements Intrinsics {
  readonly book = new SecretBook();
  readonly env: Env;
  readonly transforms: string[];
  /** The template with its Fn::ForEach loops expanded. */
  readonly template: TemplateBody;
  /** Loops whose collection is known only after deploy, so their output is not known. */
  readonly unexpandedLoops: UnexpandedLoop[] = [];
  /** Macros that sections call with their own `Fn::Transform` key (AWS::Include, say). */
  readonly sectionMacros: SectionMacro[];
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
    readonly ctx: StackContext,
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
    const lifted = liftSectionMacros(template);
    this.sectionMacros = lifted.macros;
    this.template = lifted.template;
    this.template = this.expandSections(lifted.template);
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
      if (section !== 'Conditions') checkExpandedCount(section, expanded);
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
    const declarations = this.template.Parameters ?? {};
    const declaration = Object.hasOwn(declarations, name) ? declarations[name] : undefined;
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
      putOwn(out, name, this.parameter(name));
    return out;
  }

  condition(name: string, path: Path | null): ConditionValue {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const conditions = this.template.Conditions ?? {};
    if (!Object.hasOwn(conditions, name)) {
      const macro = this.sectionMacro('Conditions');
      if (macro !== undefined) return macroUnknown(macro, `the condition ${name}`);
      fail(path, `refers to condition ${name}, which is not declared in Conditions`);
    }
    if (this.conditionsActive.has(name)) {
      fail(pathOf('Conditions', name), 'refers to itself through other conditions');
    }
    this.conditionsActive.add(name);
    try {
      const value = conditionExpression(this, conditions[name], pathOf('Conditions', name));
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
      putOwn(out, name, this.condition(name, null));
    return out;
  }

  // ---- resources ------------------------------------------------------------------------

  /** Whether the stack creates a resource, from its Condition. */
  created(logicalId: string): ConditionValue {
    const declaration = this.resourceDeclaration(logicalId);
    if (declaration?.Condition === undefined) return true;
    const value = this.condition(
      declaration.Condition,
      pathOf('Resources', logicalId, 'Condition'),
    );
    // A condition that cannot be decided offline is decided by the deployed stack itself when
    // its resources were supplied: CloudFormation created the resource if and only if it holds.
    if (isUnknown(value) && this.ctx.resources !== undefined && !this.forMembers) {
      return this.physical.has(logicalId);
    }
    return value;
  }

  /** One property of a resource, resolved once; undefined when absent or removed. */
  property(logicalId: string, name: string): unknown {
    const key = `${logicalId}\u0000${name}`;
    if (this.propertyValues.has(key)) return this.propertyValues.get(key);
    const declaration = this.resourceDeclaration(logicalId);
    const properties = declaration?.Properties;
    const path = pathOf('Resources', logicalId, 'Properties', name);
    if (properties === undefined || properties === null) return undefined;
    if (!isMapping(properties) || isFunction(properties) || Object.hasOwn(properties, MACRO_KEY)) {
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
    if (!isMapping(properties) || isFunction(properties) || Object.hasOwn(properties, MACRO_KEY)) {
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
      if (value !== undefined) putOwn(out, name, value);
    }
    return out;
  }

  get forMembers(): boolean {
    return this.overrides.pseudo !== undefined;
  }

  recordMacros(...calls: string[]): void {
    this.macroSink?.push(...calls);
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
    if (isUnknown(created)) return derived(created, `Ref ${logicalId} if created`);
    const physical = this.physical.get(logicalId);
    if (physical !== undefined) return physical.physicalId;
    const rule = TYPE_RULES[declaration.Type];
    if (rule?.nameProperty !== undefined) {
      const name = this.property(logicalId, rule.nameProperty);
      if (name !== undefined) {
        const part = asPart(name, path, `${logicalId}.${rule.nameProperty}`);
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
      `${logicalId} (${type}): ${how}; supply the stack's resources ` +
        `(describe-stack-resources) to know it`,
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
    if (isUnknown(created)) return derived(created, `${logicalId}.${attribute} if created`);
    const rule = TYPE_RULES[declaration.Type];
    if (rule?.allAttributes !== undefined && !rule.allAttributes.includes(attribute)) {
      fail(
        path,
        `Fn::GetAtt asks ${logicalId} (${declaration.Type}) for ${attribute}; it has ` +
          `${rule.allAttributes.join(', ')}`,
      );
    }
    const build = rule?.attributes?.[attribute];
    if (build !== undefined) {
      const id = asPart(this.refResource(logicalId, path), path, `Ref ${logicalId}`);
      const parts = build(id, this.env, this.reader(logicalId));
      if (parts !== null) return compose(parts, this.book);
    }
    const unknown = new UnknownValue(
      `${declaration.Type}.${attribute}`,
      `${logicalId} (${declaration.Type}) reports ${attribute} only once CloudFormation ` +
        `has created it`,
    );
    return identified(unknown, `Fn::GetAtt ${logicalId}.${attribute}`);
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
        `${fn} refers to ${logicalId}, whose condition ${declaration.Condition} is false, ` +
          `so the stack does not create it`,
      );
    }
  }

  /**
   * A resource the template names but does not declare, made by a transform: SAM makes resources
   * (a function's role, `<Function>Role`), and a macro called from the Resources section may add
   * any.
   */
  private samGenerated(name: string, source: string): UnknownValue | undefined {
    const owner = this.samPrefixes.find((prefix) => name.startsWith(prefix) && name !== prefix);
    if (owner === undefined) {
      const macro = this.sectionMacro('Resources');
      return macro === undefined ? undefined : macroUnknown(macro, `the resource ${name}`);
    }
    return new UnknownValue(
      source,
      `${name} is made by the SAM transform from ${owner}; read the processed template to know it`,
    );
  }

  /** The macro a section calls with its own `Fn::Transform` key, if any. */
  sectionMacro(section: MacroSection): SectionMacro | undefined {
    return this.sectionMacros.find((macro) => macro.section === section);
  }

  // ---- intrinsic functions --------------------------------------------------------------

  /** Resolves any template value; may return {@link NO_VALUE}. */
  resolve(node: unknown, path: Path | null): unknown {
    if (typeof node === 'string') return dynamicReference(node);
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
    // A macro called beside other keys merges its output into this mapping: all of it is unknown.
    if (Object.hasOwn(record, MACRO_KEY)) return transform(this, record[MACRO_KEY], path);
    const named = keys.find((key) => isFunctionName(key) && !key.startsWith(FOR_EACH));
    if (named !== undefined) {
      fail(
        path,
        `${named} must be the only key of its mapping, which also has ` +
          `${keys.filter((k) => k !== named).join(', ')}`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const value = this.resolve(record[key], child(path, key));
      if (value !== NO_VALUE) putOwn(out, key, value);
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
        return sub(this, args, path);
      case 'Fn::Join':
        return join(this, args, path);
      case 'Fn::Select':
        return select(this, args, path);
      case 'Fn::Split':
        return split(this, args, path);
      case 'Fn::FindInMap':
        return findInMap(this, args, path);
      case 'Fn::ImportValue':
        return importValue(this, args, path);
      case 'Fn::Base64':
        return base64(this, args, path);
      case 'Fn::Cidr':
        return fnCidr(this, args, path);
      case 'Fn::GetAZs':
        return getAZs(this, args, path);
      case 'Fn::If':
        return fnIf(this, args, path);
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return conditionExpression(this, { [name]: args }, path);
      case 'Fn::Transform':
        return transform(this, args, path);
      case 'Fn::ToJsonString':
        return toJsonString(this, args, path);
      case 'Fn::Length':
        return length(this, args, path);
      case 'Fn::GetStackOutput':
        return getStackOutput(this, args, path);
      default:
        fail(path, `${name} is not a CloudFormation function`);
    }
  }

  private ref(args: unknown, path: Path | null): unknown {
    const target = isMapping(args) ? this.resolve(args, child(path, 'Ref')) : args;
    if (typeof target !== 'string') {
      fail(
        path,
        `Ref takes the name of a parameter, resource or pseudo parameter, received ` +
          `${describeValue(target)}`,
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
      pair = argList(args, 'Fn::GetAtt', path, 2, 2);
    }
    const [resource, attribute] = pair;
    const attributeName =
      typeof attribute === 'string'
        ? attribute
        : this.resolve(attribute, child(child(path, 'Fn::GetAtt'), 1));
    if (typeof resource !== 'string') fail(path, 'Fn::GetAtt needs a resource logical ID first');
    if (isUnknown(attributeName)) return derived(attributeName, `Fn::GetAtt ${resource} by`);
    if (typeof attributeName !== 'string') {
      fail(path, `Fn::GetAtt needs an attribute name, received ${describeValue(attributeName)}`);
    }
    return this.getAtt(resource, attributeName, path);
  }

  subVariable(name: string, variables: Record<string, unknown>, path: Path | null): Part {
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
    return asPart(value, path, `\${${name}} in Fn::Sub`);
  }

  private isKnownName(name: string): boolean {
    if (name.startsWith('AWS::')) return true;
    if (this.template.Parameters !== undefined && Object.hasOwn(this.template.Parameters, name))
      return true;
    return (
      this.resourceDeclaration(name) !== undefined || this.samGenerated(name, name) !== undefined
    );
  }

  /** A parameter given for the stack that the template does not declare is a typo to report. */
  private checkGivenParameters(): void {
    if (this.overrides.parameters !== undefined) return;
    const declared = this.template.Parameters ?? {};
    for (const [name, value] of Object.entries(this.ctx.parameters)) {
      if (value !== undefined && !Object.hasOwn(declared, name)) {
        throw new TemplateError(
          `Parameters.${name}`,
          'a value was given for this parameter, but the template does not declare it',
        );
      }
    }
  }
}

/** CloudFormation's limits on resources and outputs hold for the template its loops produce. */
function checkExpandedCount(section: 'Resources' | 'Outputs', expanded: object): void {
  const limit = section === 'Resources' ? LIMITS.resources : LIMITS.outputs;
  const count = Object.keys(expanded).length;
  if (count > limit) {
    fail(
      pathOf(section),
      `has ${count} entries once its Fn::ForEach loops are expanded, more than ` +
        `CloudFormation's limit of ${limit}`,
    );
  }
}

function isFunctionName(key: string): boolean {
  return key === 'Ref' || (key.startsWith('Fn::') && !key.startsWith(FOR_EACH));
}

function isFunction(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && isFunctionName(keys[0]);
}

export { NO_VALUE };
