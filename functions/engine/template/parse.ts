/**
 * Reads a template's text, YAML (see `yaml-reader.ts`) or JSON, into the JSON tree CloudFormation
 * works on, and checks its overall shape: sections, resources, parameters and CloudFormation's
 * limits.
 */
import { nestsTooDeep } from '../nesting';
import { TemplateError } from './errors';
import type { TemplateBody, TemplateDocument } from './types';
import { parseYaml } from './yaml-reader';

/**
 * CloudFormation's limits on one template. The quota table says "1 MB"; the API refuses a
 * template over 1,000,000 bytes ("Template may not exceed 1000000 bytes in size").
 *
 * `processedBytes` is not CloudFormation's: it is this engine's ceiling for a processed template
 * read back from a deployed stack. CloudFormation checks the size of what the user submitted;
 * macros (SAM, AWS::Include, others) then expand it, and GetTemplate returns the result
 * rewritten as JSON, which may be larger than any template a user may submit. Ten times the
 * submitted limit leaves room for any expansion that stays within the 500 resources
 * CloudFormation still allows, and keeps the text, its parse tree and the resolved state well
 * inside the memory of the drift-guard function.
 */
/**
 * A template nested deeper is refused before the engine walks it recursively (its resolver,
 * conditions and IAM readers recurse once a level); real templates nest a few dozen levels.
 */
const MOST_TEMPLATE_NESTING = 200;

export const LIMITS = {
  bytes: 1_000_000,
  processedBytes: 10_000_000,
  resources: 500,
  parameters: 200,
  outputs: 200,
  mappings: 200,
} as const;

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Globals',
  'Resources',
  'Outputs',
]);

export interface ParseOptions {
  /**
   * Where the text comes from. `submitted` (the default): a template a user gives, which
   * CloudFormation would refuse over {@link LIMITS}.bytes. `processed`: the processed template
   * of a deployed stack (GetTemplate with TemplateStage Processed), which macros may have made
   * larger: it is refused only over {@link LIMITS}.processedBytes, a guard on memory.
   */
  origin?: 'submitted' | 'processed';
}

/**
 * Parses a CloudFormation template, YAML or JSON, and checks its overall shape.
 *
 * @param text the template body
 * @param source where it came from, for messages (`template/connector.yaml`, `stack X`)
 * @throws TemplateError naming the line or the JSON path at fault
 * @example
 * const doc = parseTemplate(readFileSync('template.yaml', 'utf8'), 'template.yaml');
 * const deployed = parseTemplate(processedText, 'stack connector', { origin: 'processed' });
 */
export function parseTemplate(
  text: string,
  source = 'template',
  options: ParseOptions = {},
): TemplateDocument {
  if (typeof text !== 'string') {
    throw new TemplateError('', `${source}: the template must be text, received ${typeof text}`);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const origin = options.origin ?? 'submitted';
  checkSize(bytes, source, origin);
  // CloudFormation writes a processed template as JSON; only one that no macro touched, which
  // is the template as submitted and so within its limit, can be YAML. Reading YAML takes
  // several times the memory JSON does, so a larger processed template is read as JSON only.
  const jsonOnly = origin === 'processed' && bytes > LIMITS.bytes;
  const { tree, format } = read(text, source, jsonOnly);
  const template = checkShape(tree, source);
  return { source, format, bytes, template };
}

function checkSize(bytes: number, source: string, origin: 'submitted' | 'processed'): void {
  if (origin === 'processed') {
    if (bytes <= LIMITS.processedBytes) return;
    throw new TemplateError(
      '',
      `${source}: the processed template is ${bytes} bytes, more than the ` +
        `${LIMITS.processedBytes} bytes this tool reads (a guard on memory: CloudFormation's own ` +
        `limit of ${LIMITS.bytes} applies to the template a user submits, before macros expand it)`,
    );
  }
  if (origin !== 'submitted') {
    throw new TemplateError(
      '',
      `${source}: the template's origin must be 'submitted' or 'processed', received ` +
        `${JSON.stringify(origin)}`,
    );
  }
  if (bytes > LIMITS.bytes) {
    throw new TemplateError(
      '',
      `${source}: the template is ${bytes} bytes, more than CloudFormation's limit of ` +
        `${LIMITS.bytes}`,
    );
  }
}

const PROCESSED_JSON =
  `a processed template of more than ${LIMITS.bytes} bytes must be JSON, as CloudFormation ` +
  'writes it, and ';

/**
 * Reads the text, turning any failure that is not already a TemplateError (a stack overflow on
 * absurdly deep nesting, say) into one, so a bad template never crashes the caller.
 */
function read(
  text: string,
  source: string,
  jsonOnly: boolean,
): { tree: unknown; format: 'json' | 'yaml' } {
  const body = text.replace(/^\uFEFF/, '');
  try {
    if (jsonOnly) return { tree: parseJson(body, source, PROCESSED_JSON), format: 'json' };
    return readText(body, source);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new TemplateError('', `${source}: the template could not be read (${message})`, {
      cause: error,
    });
  }
}

function readText(body: string, source: string): { tree: unknown; format: 'json' | 'yaml' } {
  if (!/^\s*\{/.test(body)) return { tree: parseYaml(body, source), format: 'yaml' };
  try {
    return { tree: parseJson(body, source), format: 'json' };
  } catch (error) {
    // A YAML template may also open with a flow mapping; only if it is not YAML either is the
    // JSON error the one to report.
    return { tree: tryYaml(body, source, error), format: 'yaml' };
  }
}

function tryYaml(text: string, source: string, jsonError: unknown): unknown {
  try {
    return parseYaml(text, source);
  } catch {
    throw jsonError;
  }
}

function parseJson(text: string, source: string, context = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TemplateError('', `${source}: ${context}the JSON does not parse (${message})`, {
      cause: error,
    });
  }
}

function checkShape(tree: unknown, source: string): TemplateBody {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new TemplateError('', `${source}: a template must be a mapping of sections`);
  }
  if (nestsTooDeep(tree, MOST_TEMPLATE_NESTING)) {
    throw new TemplateError(
      '',
      `${source}: the template nests more than ${MOST_TEMPLATE_NESTING} levels deep, deeper than ` +
        'this tool reads (real templates nest a few dozen at most)',
    );
  }
  const body = tree as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!SECTIONS.has(key)) {
      throw new TemplateError(
        key,
        `is not a template section (expected one of ${[...SECTIONS].join(', ')})`,
      );
    }
  }
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Rules', 'Metadata']) {
    const value = body[section];
    if (value !== undefined && value !== null && !isMapping(value)) {
      throw new TemplateError(section, `must be a mapping, received ${kindOf(value)}`);
    }
  }
  const resources = body.Resources;
  if (!isMapping(resources) || Object.keys(resources).length === 0) {
    throw new TemplateError('Resources', 'a template needs at least one resource');
  }
  countAtMost(resources, 'Resources', LIMITS.resources);
  countAtMost(body.Parameters, 'Parameters', LIMITS.parameters);
  countAtMost(body.Outputs, 'Outputs', LIMITS.outputs);
  countAtMost(body.Mappings, 'Mappings', LIMITS.mappings);
  // Loops and a macro (a Fn::Transform key) make resources DependsOn may name: then it is not
  // checked.
  const made = Object.keys(resources).some(
    (key) => key.startsWith('Fn::ForEach::') || key === 'Fn::Transform',
  );
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (logicalId.startsWith('Fn::ForEach::') || logicalId === 'Fn::Transform') continue;
    checkResource(logicalId, resource);
    if (!made)
      checkDependsOn(logicalId, (resource as Record<string, unknown>).DependsOn, resources);
  }
  if (isMapping(body.Parameters)) {
    for (const [name, declaration] of Object.entries(body.Parameters)) {
      const where = `Parameters.${name}`;
      if (!isMapping(declaration)) {
        throw new TemplateError(where, `must be a mapping, received ${kindOf(declaration)}`);
      }
      if (typeof declaration.Type !== 'string') {
        throw new TemplateError(`${where}.Type`, 'every parameter needs a Type');
      }
      if (!isParameterType(declaration.Type)) {
        throw new TemplateError(
          `${where}.Type`,
          `'${declaration.Type}' is not a CloudFormation parameter type (String, Number, ` +
            'List<Number>, CommaDelimitedList, an AWS-specific type such as ' +
            'AWS::EC2::VPC::Id or List<AWS::EC2::Subnet::Id>, or AWS::SSM::Parameter::Value<...>)',
        );
      }
    }
  }
  if (isMapping(body.Mappings)) checkMappings(body.Mappings);
  return body as unknown as TemplateBody;
}

const BASIC_TYPE = /^(String|Number|List<Number>|CommaDelimitedList)$/;
const AWS_NAME = 'AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+';
/** AWS-specific types: `AWS::EC2::VPC::Id`, `List<AWS::EC2::Subnet::Id>` and the like. */
const AWS_TYPE = new RegExp(`^(${AWS_NAME}|List<${AWS_NAME}>)$`);
const SSM_VALUE = /^AWS::SSM::Parameter::Value<(.+)>$/;

/** Whether CloudFormation knows a parameter type (case matters, as it does to CloudFormation). */
function isParameterType(type: string): boolean {
  if (BASIC_TYPE.test(type) || AWS_TYPE.test(type)) return true;
  const ssm = SSM_VALUE.exec(type);
  if (ssm === null) return false;
  return (
    ssm[1] === 'String' ||
    ssm[1] === 'List<String>' ||
    BASIC_TYPE.test(ssm[1]) ||
    AWS_TYPE.test(ssm[1])
  );
}

const LOGICAL_ID = /^[A-Za-z0-9]+$/;

function checkResource(logicalId: string, resource: unknown): void {
  const where = `Resources.${logicalId}`;
  if (!LOGICAL_ID.test(logicalId)) {
    throw new TemplateError(where, 'a logical ID must be alphanumeric (A-Za-z0-9)');
  }
  if (!isMapping(resource)) {
    throw new TemplateError(where, `must be a mapping, received ${kindOf(resource)}`);
  }
  if (typeof resource.Type !== 'string' || resource.Type === '') {
    throw new TemplateError(`${where}.Type`, 'every resource needs a Type');
  }
  const properties = resource.Properties;
  if (properties !== undefined && properties !== null && !isMapping(properties)) {
    if (!isFunctionCall(properties)) {
      throw new TemplateError(
        `${where}.Properties`,
        `must be a mapping, received ${kindOf(properties)}`,
      );
    }
  }
  if (resource.Condition !== undefined && typeof resource.Condition !== 'string') {
    throw new TemplateError(`${where}.Condition`, 'must name a condition');
  }
}

/** DependsOn must name resources of the template (loops may make names; then it is not checked). */
function checkDependsOn(
  logicalId: string,
  dependsOn: unknown,
  resources: Record<string, unknown>,
): void {
  if (dependsOn === undefined) return;
  const where = `Resources.${logicalId}.DependsOn`;
  const names = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  for (const name of names) {
    if (typeof name !== 'string') {
      throw new TemplateError(where, `must name resources, received ${kindOf(name)}`);
    }
    if (!Object.hasOwn(resources, name)) {
      throw new TemplateError(where, `names ${name}, which is not a resource of the template`);
    }
  }
}

function checkMappings(mappings: Record<string, unknown>): void {
  for (const [name, map] of Object.entries(mappings)) {
    if (name === 'Fn::Transform') continue;
    if (!isMapping(map)) {
      throw new TemplateError(`Mappings.${name}`, `must be a mapping, received ${kindOf(map)}`);
    }
    for (const [key, inner] of Object.entries(map)) {
      if (!isMapping(inner)) {
        throw new TemplateError(
          `Mappings.${name}.${key}`,
          `must be a mapping of second-level keys, received ${kindOf(inner)}`,
        );
      }
    }
  }
}

function countAtMost(value: unknown, section: string, limit: number): void {
  if (!isMapping(value)) return;
  const count = Object.keys(value).length;
  if (count > limit) {
    throw new TemplateError(
      section,
      `has ${count} entries, more than CloudFormation's limit of ${limit}`,
    );
  }
}

function isFunctionCall(value: Record<string, unknown> | unknown): boolean {
  if (!isMapping(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0].startsWith('Fn::') || keys[0] === 'Ref');
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
