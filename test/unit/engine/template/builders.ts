/**
 * Builders for template-engine tests: a stack context and a template from partial values.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  type PromisedIamState,
  type PromisedRole,
  parseTemplate,
  promisedState,
  type StackContext,
  type TemplateDocument,
} from '../../../../functions/engine/template';
import { REALWORLD_DIR } from '../../../helpers/requirements';

export const ACCOUNT = '111122223333';

/** A stack context in us-east-1 with no parameters, overridden by `partial`. */
export function stackContext(partial: Partial<StackContext> = {}): StackContext {
  return {
    accountId: ACCOUNT,
    region: 'us-east-1',
    stackName: 'connector',
    stackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/connector/0f4b6a20-1111-2222-3333-444455556666`,
    notificationArns: [],
    parameters: {},
    ...partial,
  };
}

/** A template with the given sections; `Resources` gets a placeholder topic when absent. */
export function template(sections: Record<string, unknown>): TemplateDocument {
  const body = { Resources: { Placeholder: { Type: 'AWS::SNS::Topic' } }, ...sections };
  return parseTemplate(JSON.stringify(body), 'test template');
}

/** Parses YAML text as a template. */
export function yamlTemplate(text: string): TemplateDocument {
  return parseTemplate(text, 'test template');
}

/** A template with one role whose properties are `properties`. */
export function roleTemplate(
  properties: Record<string, unknown>,
  sections: Record<string, unknown> = {},
): TemplateDocument {
  const resources = {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: trust(), ...properties },
    },
    ...((sections.Resources as Record<string, unknown>) ?? {}),
  };
  return template({ ...sections, Resources: resources });
}

/** A trust policy letting `principal` assume the role. */
export function trust(principal: unknown = { Service: 'lambda.amazonaws.com' }): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
  };
}

/** Resolves a value by placing it as a tag value of a role with the given sections. */
export function resolveValue(
  value: unknown,
  sections: Record<string, unknown> = {},
  ctx: Partial<StackContext> = {},
): unknown {
  const doc = roleTemplate({ RoleName: 'probe', Description: value }, sections);
  const state = promisedState(doc, stackContext(ctx));
  return state.roles[0].description;
}

/** Resolves any JSON value (list, mapping) by placing it in the role's trust policy. */
export function resolveTree(
  value: unknown,
  sections: Record<string, unknown> = {},
  ctx: Partial<StackContext> = {},
): unknown {
  const doc = roleTemplate(
    { RoleName: 'probe', AssumeRolePolicyDocument: { Probe: value } },
    sections,
  );
  const state = promisedState(doc, stackContext(ctx));
  return (state.roles[0].trustPolicy as { Probe?: unknown }).Probe;
}

export function roleNamed(state: PromisedIamState, logicalId: string): PromisedRole {
  const role = state.roles.find((candidate) => candidate.logicalId === logicalId);
  if (role === undefined) throw new Error(`no role ${logicalId} in the promised state`);
  return role;
}

/** Reads a realworld template (read-only, outside the project). */
export function realworld(file: string): TemplateDocument {
  return parseTemplate(readFileSync(resolve(REALWORLD_DIR, 'templates', file), 'utf8'), file);
}

/** The parameter file written for a realworld template. */
export function realworldParameters(file: string): Record<string, string | string[]> {
  const path = resolve(
    __dirname,
    '../../../fixtures/template/realworld',
    `${file}.parameters.json`,
  );
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string | string[]>;
}

export { stringify as toYaml };

/** Reads a part of a resolved JSON tree by keys and indexes; undefined where it is absent. */
export function dig(value: unknown, ...keys: (string | number)[]): unknown {
  let at = value;
  for (const key of keys) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** The statements of a policy document. */
export function statementsOf(document: unknown): Record<string, unknown>[] {
  const statements = dig(document, 'Statement');
  if (!Array.isArray(statements)) throw new Error('the document has no Statement list');
  return statements as Record<string, unknown>[];
}
