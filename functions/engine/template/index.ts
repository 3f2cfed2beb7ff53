/**
 * The template engine: from a CloudFormation template (YAML or JSON), the values it was
 * deployed with and what CloudFormation knows about the stack, to the exact IAM state the stack
 * promises. What cannot be known offline stays an `UnknownValue` naming its source; NoEcho values
 * stay `SecretValue`s, known by digest at most.
 *
 * @example
 * const doc = parseTemplate(text, 'template/connector.yaml');
 * const state = promisedState(doc, {
 *   accountId: '123456789012', region: 'eu-west-1', stackName: 'connector',
 *   parameters: { Prefix: 'acme' },
 * });
 * for (const role of state.roles) console.log(role.name, role.trustPolicy);
 */

export { promisedState, resolveTemplate } from './engine';
export { TemplateError } from './errors';
export { type CreatedIamName, createdIamNames, IAM_NAME_LIMITS } from './names';
export { LIMITS, parseTemplate } from './parse';
export type {
  ConditionValue,
  DefinedBy,
  ExternalRoleGrant,
  NotExpanded,
  PromisedIamState,
  PromisedInlinePolicy,
  PromisedManagedPolicy,
  PromisedManagedPolicyArn,
  PromisedRole,
  ResolvedResource,
  ResolvedTemplate,
  StackContext,
  StackResource,
  TemplateDocument,
} from './types';
