/**
 * The installation-parameter rules, shared by the install-validator custom resource and the
 * `validate` command.
 */

export {
  noEchoParameters,
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterValues,
  PROTOCOL_PROPERTIES,
  SECRET_MIN_MASKED,
  secretsToMask,
} from './parameters';
export { scheduleProblem } from './schedule';
export { type Problem, shown, type ValidationReport } from './types';
export { type NamedSecret, shownName } from './unknown';
export {
  type InstallValidation,
  type Operation,
  type ValidateOptions,
  validateInstall,
} from './validate';
