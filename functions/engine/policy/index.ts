/**
 * The policy core: reads IAM policy documents from any form they arrive in, decides whether two
 * grant the same, and explains a directed difference per statement and element.
 */

export { Budget, WorkLimitReached, withBudget } from './budget';
export { catalogueFromMap, servicesIn, unknownActions } from './catalogue';
export { changeDocument } from './change-base';
export { comparePolicies } from './compare';
export type { ParseOptions, PolicyDocument, PolicyStatement } from './document';
export { PolicyError, parsePolicy } from './document';
export { actionsNotAllowed, isAdminEquivalent } from './evaluate';
export { maskSecretValues, SECRET_PLACEHOLDER, secretValuesIn } from './secrets';
export type {
  ActionCatalogue,
  ActionRequest,
  BlockedAction,
  ChangeDirection,
  CompareOptions,
  Direction,
  PolicyChange,
  PolicyComparison,
  PolicyElement,
  PolicyKind,
  UnknownAction,
  UnreadStatement,
} from './types';
