/**
 * Reads the product's own template, template/connector.yaml, for the template's tests. Every
 * test reads the file itself; a test that breaks a contract on purpose does so on a copy it
 * makes from what this returns.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTemplate } from '../../../../functions/engine/template';

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

/** The short YAML tags CloudFormation documents, each with the long form it stands for. */
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

/**
 * Parses CloudFormation YAML or JSON with the template engine, into the long-form JSON tree
 * CloudFormation sees.
 */
export function parseCfnYaml(text: string, source = 'template'): CfnTemplate {
  const tree = parseTemplate(text, source).template as unknown as Partial<CfnTemplate>;
  return {
    ...tree,
    Parameters: tree.Parameters ?? {},
    Conditions: tree.Conditions ?? {},
    Resources: tree.Resources ?? {},
    Outputs: tree.Outputs ?? {},
  };
}

/** The product's template, parsed. A fresh copy each call, so a test may change it freely. */
export function loadTemplate(): CfnTemplate {
  return parseCfnYaml(templateText(), 'template/connector.yaml');
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
