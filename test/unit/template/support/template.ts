/**
 * Reads the product's own template, template/connector.yaml, for the template's tests. Every
 * test reads the file itself; a test that breaks a contract on purpose does so on a copy it
 * makes from what this returns.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';

export const TEMPLATE_PATH = resolve(__dirname, '../../../../template/connector.yaml');

export interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties?: Record<string, unknown>;
  [attribute: string]: unknown;
}

export interface CfnTemplate {
  Parameters: Record<string, Record<string, unknown>>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, Record<string, unknown>>;
  [section: string]: unknown;
}

/** The short YAML tags CloudFormation accepts, each with the long form it stands for. */
export const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
  '!ForEach': 'Fn::ForEach',
};

export function templateText(): string {
  return readFileSync(TEMPLATE_PATH, 'utf8');
}

function toLongForm(node: Node | null, path: string): unknown {
  if (node === null) return null;
  const tag = node.tag;
  let value: unknown;
  if (isScalar(node)) value = node.value;
  else if (isSeq(node))
    value = node.items.map((item, i) => toLongForm(item as Node, `${path}[${i}]`));
  else if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      out[key] = toLongForm(pair.value as Node | null, `${path}.${key}`);
    }
    value = out;
  } else throw new Error(`${path}: YAML aliases are not used in CloudFormation templates`);

  if (tag === undefined || !tag.startsWith('!')) return value;
  const longForm = SHORT_TAGS[tag];
  if (longForm === undefined) throw new Error(`${path}: ${tag} is not a CloudFormation short tag`);
  if (tag === '!GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [longForm]: [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [longForm]: value };
}

/**
 * Parses CloudFormation YAML into the long-form JSON tree CloudFormation sees. Throws on a
 * YAML error, an unknown tag or a missing section.
 */
export function parseCfnYaml(text: string): CfnTemplate {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map(String).join('\n'));
  const tree = toLongForm(doc.contents as Node, '') as Partial<CfnTemplate>;
  if (tree.Resources === undefined) throw new Error('the template has no Resources section');
  return {
    ...tree,
    Parameters: tree.Parameters ?? {},
    Conditions: tree.Conditions ?? {},
    Resources: tree.Resources,
    Outputs: tree.Outputs ?? {},
  };
}

/** The product's template, parsed. A fresh copy each call, so a test may change it freely. */
export function loadTemplate(): CfnTemplate {
  return parseCfnYaml(templateText());
}

/** The role resources, by logical ID. */
export function rolesOf(template: CfnTemplate): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
}

/** The value at a path inside parsed JSON, or undefined; for reading nested properties. */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** `${name}`, as a Fn::Sub variable is written. */
export function subVariable(name: string): string {
  return `\${${name}}`;
}
