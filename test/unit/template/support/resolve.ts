/**
 * Resolves the product's template with a sample parameter file, through the template engine, as
 * the drift guard and the validator do.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type PromisedIamState,
  type PromisedRole,
  parseTemplate,
  promisedState,
  type StackContext,
} from '../../../../functions/engine/template';
import { templateText } from './template';

export const FIXTURES_DIR = resolve(__dirname, '../../../fixtures/connector');
export const ACCOUNT_ID = '123456789012';

/** A parameter file of test/fixtures/connector, as a plain map. */
export function sampleParameters(name: string): Record<string, string> {
  const list = JSON.parse(readFileSync(resolve(FIXTURES_DIR, `${name}.json`), 'utf8')) as {
    ParameterKey: string;
    ParameterValue: string;
  }[];
  return Object.fromEntries(list.map((p) => [p.ParameterKey, p.ParameterValue]));
}

/** The IAM state the template promises for these parameters. */
export function promised(
  parameters: Record<string, string>,
  context: Partial<StackContext> = {},
): PromisedIamState {
  return promisedState(parseTemplate(templateText(), 'template/connector.yaml'), {
    accountId: ACCOUNT_ID,
    region: 'eu-west-1',
    stackName: 'connector',
    ...context,
    parameters,
  });
}

export function roleById(state: PromisedIamState, logicalId: string): PromisedRole {
  const role = state.roles.find((r) => r.logicalId === logicalId);
  if (role === undefined) throw new Error(`the promised state has no role ${logicalId}`);
  return role;
}

/** Every document that grants or denies a role something: its inline and stack managed ones. */
export function documentsOf(state: PromisedIamState, role: PromisedRole): unknown[] {
  const managed = state.managedPolicies
    .filter((p) => role.managedPolicyArns.some((a) => a.arn === p.arn))
    .map((p) => p.document);
  return [...role.inlinePolicies.map((p) => p.document), ...managed];
}

/** One document holding every statement of the given documents. */
export function merged(documents: unknown[]): unknown {
  const statements = documents.flatMap((d) => [(d as { Statement: unknown }).Statement].flat());
  return { Version: '2012-10-17', Statement: statements };
}
