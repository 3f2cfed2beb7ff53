/**
 * Validating a set of installation parameters: the offline rules, the template's own
 * constraints, what the template says the stack will create, and (with an IAM adapter) the
 * live checks, gathered into one report with every problem at once.
 */
import { partitionOf } from '../aws/clients';
import type { IamAdapter } from '../aws/iam';
import type { PromisedIamState, TemplateDocument } from '../template';
import { adminPolicyProblems } from './admin';
import { type LiveContext, type LiveScope, liveProblems } from './live';
import {
  leftToPackaging,
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterValues,
  readParameterValues,
  splitList,
} from './parameters';
import {
  planIamState,
  planProblems,
  resourcesBefore,
  templateConstraintProblems,
  validationResourceId,
} from './planned';
import { offlineProblems } from './rules';
import type { Problem, RuleProblem, ValidationReport } from './types';

/** What is being validated for: a stack Create, an Update, or a check before deploying. */
export type Operation = 'create' | 'update' | 'check';

export interface ValidateOptions {
  /** The connector template, parsed; it gives defaults, constraints and the names created. */
  template: TemplateDocument;
  operation: Operation;
  /** On Update, the properties before the change (after it, during a rollback). */
  previous?: Record<string, unknown>;
  /** This account; enables "not this account" and the managed-policy name look-ups. */
  accountId?: string;
  region?: string;
  /** Derived from the region when absent, `aws` when neither is known. */
  partition?: string;
  stackName?: string;
  now?: Date;
  /** Makes the live checks; without it only offline rules run. */
  iam?: IamAdapter;
  /**
   * Stops the live checks when aborted: every IAM call in flight is aborted, no further one is
   * made, and `validateInstall` rejects with the signal's reason instead of giving a report.
   */
  signal?: AbortSignal;
}

/** The report, and the parameter values as read (clear values: never log or print them). */
export interface InstallValidation {
  report: ValidationReport;
  values: ParameterValues;
  /**
   * In a check against the source template, the code-location parameters the input leaves out:
   * packaging fills them in, so they were not checked. Empty otherwise.
   */
  leftToPackaging: ParameterName[];
}

const UNCHANGED =
  'This value is unchanged by this update, so it does not block it (an update must never ' +
  'fail on inputs accepted before, or a rollback could not complete).';

/**
 * Validates installation parameters and reports every problem at once.
 *
 * On Update only problems that involve a changed value are errors; the others become warnings,
 * and the live checks run only for values that changed. Whether a role or managed policy already
 * has a name the stack will create is asked on Create and in a check before deploying, never on
 * Update: there the stack's own roles hold those names (the old ones during a rollback), and IAM
 * cannot tell them from a stranger's. A name taken on a forward Update fails at IAM and rolls back
 * cleanly; failing a rollback here would leave the stack in UPDATE_ROLLBACK_FAILED.
 *
 * @example
 * const { report } = await validateInstall(properties, { template, operation: 'check' });
 * if (!report.valid) for (const e of report.errors) console.log(e.parameter, e.rule, e.message);
 */
export async function validateInstall(
  input: Record<string, unknown>,
  options: ValidateOptions,
): Promise<InstallValidation> {
  const { template } = options;
  const partition = options.partition ?? (options.region ? partitionOf(options.region) : 'aws');
  const packaging = options.operation === 'check' ? leftToPackaging(input, template) : [];
  const read = readParameterValues(input, template, packaging);
  const values = read.values;
  const unreadable = new Set(read.problems.map((p) => p.parameter));
  const readable = (p: RuleProblem) => !p.involves.some((name) => unreadable.has(name));

  const problems: RuleProblem[] = [...read.problems];
  const where = {
    accountId: options.accountId,
    region: options.region,
    partition,
    now: options.now ?? new Date(),
  };
  problems.push(...offlineProblems(values, where).filter(readable));
  const flagged = new Set([...errorParameters(problems), ...packaging]);
  problems.push(...templateConstraintProblems(values, template, flagged));

  const inError = errorParameters(problems);
  const affixesInError =
    inError.has('IamResourceNamesPrefix') || inError.has('IamResourceNamesSuffix');
  const standIns = new Set([...inError, ...packaging]);
  const plan = planIamState(values, standIns, { ...options, template });
  problems.push(...plan.problems);
  if (plan.state) problems.push(...planProblems(plan.state, affixesInError));
  if (!inError.has('GlobalManagedPolicies')) {
    problems.push(...adminPolicyProblems(values, plan.state));
  }

  if (options.iam) {
    const scope = liveScope(options, values, affixesInError);
    const context = liveContext(options.iam, options, problems, plan.state, partition);
    problems.push(...(await liveProblems(values, scope, context)));
  }

  const settled =
    options.operation === 'update' && options.previous
      ? problems.map((p) => demoteUnchanged(p, input, options.previous ?? {}))
      : problems;
  return { report: toReport(settled), values, leftToPackaging: packaging };
}

/**
 * On Update, only the values that changed and no name look-ups; otherwise all of them. Of the
 * global policies an Update looks up only those it adds, so that a policy accepted before (and
 * perhaps deleted since) cannot fail the rollback that restores it.
 */
function liveScope(
  options: ValidateOptions,
  values: ParameterValues,
  affixesInError: boolean,
): LiveScope {
  const previous =
    options.operation === 'update' && options.previous
      ? readParameterValues(options.previous, options.template).values
      : undefined;
  const before = new Set(splitList(previous?.GlobalManagedPolicies ?? ''));
  const policies = new Set(splitList(values.GlobalManagedPolicies));
  return {
    policies: [...policies].filter((arn) => previous === undefined || !before.has(arn)),
    boundary: previous?.GlobalPermissionsBoundary !== values.GlobalPermissionsBoundary,
    names: options.operation !== 'update' && !affixesInError,
  };
}

function liveContext(
  iam: IamAdapter,
  options: ValidateOptions,
  problems: RuleProblem[],
  state: PromisedIamState | undefined,
  partition: string,
): LiveContext {
  const validationId = validationResourceId(options.template);
  return {
    iam,
    partition,
    accountId: options.accountId,
    state,
    preexisting: validationId ? resourcesBefore(options.template, validationId) : new Set(),
    inError: errorParameters(problems),
    signal: options.signal,
  };
}

function demoteUnchanged(
  problem: RuleProblem,
  input: Record<string, unknown>,
  previous: Record<string, unknown>,
): RuleProblem {
  if (problem.level !== 'error' || problem.involves.length === 0) return problem;
  const same = problem.involves.every(
    (name) => JSON.stringify(input[name]) === JSON.stringify(previous[name]),
  );
  return same ? { ...problem, level: 'warning', message: problem.message + UNCHANGED } : problem;
}

function errorParameters(problems: RuleProblem[]): Set<string> {
  return new Set(problems.filter((p) => p.level === 'error').flatMap((p) => p.involves));
}

function toReport(problems: RuleProblem[]): ValidationReport {
  const order = (p: RuleProblem) => {
    const index = (PARAMETER_NAMES as readonly string[]).indexOf(p.parameter ?? '');
    return index < 0
      ? p.parameter === null
        ? PARAMETER_NAMES.length + 1
        : PARAMETER_NAMES.length
      : index;
  };
  const sorted = problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order(a.p) - order(b.p) || a.i - b.i)
    .map(({ p }) => p);
  const plain = (p: RuleProblem): Problem => ({
    parameter: p.parameter,
    rule: p.rule,
    message: p.message,
  });
  const errors = sorted.filter((p) => p.level === 'error').map(plain);
  const warnings = sorted.filter((p) => p.level === 'warning').map(plain);
  return { valid: errors.length === 0, errors, warnings };
}
