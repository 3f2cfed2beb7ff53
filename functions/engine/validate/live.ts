/**
 * The live rules, which ask IAM: the global policies and the boundary exist and can be
 * attached, the boundary leaves the connector's roles the actions they need (both in
 * `policies.ts`), and (on Create and before deploying, never on Update) no role or policy
 * already has a name the stack will create.
 *
 * A check that cannot be made (access denied by an SCP or by the caller's own policies,
 * throttling that outlasted the retries, a network failure) is a warning naming the check and
 * why, never a failure: only an answer that proves a value wrong fails the validation.
 */
import type { IamAdapter } from '../aws/iam';
import type { PromisedIamState } from '../template';
import { isUnknown } from '../values';
import type { ParameterValues } from './parameters';
import { boundaryProblems, policyProblems } from './policies';
import { error, type RuleProblem, shown, warning } from './types';
import { attempt, type Found, type Unavailable, unavailableWarnings } from './unavailable';

/** Which live checks to make; an Update makes only those whose values changed. */
export interface LiveScope {
  /** The global managed policies to look up: on Update, those the update adds. */
  policies: string[];
  boundary: boolean;
  /** Whether names the stack will create are free: on Create and before deploying only. */
  names: boolean;
}

export interface LiveContext {
  iam: IamAdapter;
  partition: string;
  /** This account; needed to look up managed policy names the stack will create. */
  accountId?: string;
  /** The stack's promised IAM state, when it could be computed. */
  state?: PromisedIamState;
  /** Logical IDs of resources that exist before the validation runs (the stack's own). */
  preexisting: Set<string>;
  /** Parameters already in error; their values are not looked up. */
  inError: Set<string>;
  /** Once aborted, the IAM calls in flight stop and no further look-up starts. */
  signal?: AbortSignal;
}

const CONCURRENCY = 4;

/**
 * Every live problem, in a stable order whatever order the answers came in. Rejects with the
 * signal's reason once `ctx.signal` is aborted: the look-ups still running stop, none is
 * started after it, and what they would have found is not reported.
 */
export async function liveProblems(
  values: ParameterValues,
  scope: LiveScope,
  ctx: LiveContext,
): Promise<RuleProblem[]> {
  const checks: (() => Promise<Found>)[] = [];
  if (!ctx.inError.has('GlobalManagedPolicies')) {
    for (const arn of scope.policies) {
      checks.push(() => policyProblems('GlobalManagedPolicies', arn, ctx));
    }
  }
  const boundary = values.GlobalPermissionsBoundary;
  if (scope.boundary && boundary !== '' && !ctx.inError.has('GlobalPermissionsBoundary')) {
    checks.push(() => boundaryProblems(boundary, ctx));
  }
  if (scope.names && ctx.state !== undefined) checks.push(...nameChecks(ctx.state, ctx));

  const results = await inPool(checks, CONCURRENCY, ctx.signal);
  ctx.signal?.throwIfAborted();
  const problems = results.filter((r): r is RuleProblem[] => Array.isArray(r)).flat();
  const unavailable = results.filter((r): r is Unavailable => !Array.isArray(r));
  return [...problems, ...unavailableWarnings(unavailable)];
}

function nameChecks(state: PromisedIamState, ctx: LiveContext): (() => Promise<Found>)[] {
  const checks: (() => Promise<Found>)[] = [];
  for (const role of state.roles) {
    if (ctx.preexisting.has(role.logicalId) || isUnknown(role.name)) continue;
    const name = role.name;
    checks.push(() => roleNameProblems(name, role.logicalId, ctx));
  }
  const policies = state.managedPolicies.filter((p) => !ctx.preexisting.has(p.logicalId));
  if (ctx.accountId === undefined && policies.length > 0) {
    checks.push(async () => [unknownAccountWarning(policies.length)]);
  }
  for (const policy of ctx.accountId === undefined ? [] : policies) {
    const arn = policy.arn;
    if (typeof arn === 'string') checks.push(() => policyNameProblems(arn, policy.logicalId, ctx));
  }
  return checks;
}

function unknownAccountWarning(count: number): RuleProblem {
  const policies = count === 1 ? 'the managed policy' : `the ${count} managed policies`;
  return warning(
    'IamResourceNamesPrefix',
    'live-check-unavailable',
    `Could not check whether ${policies} the stack creates already ` +
      `${count === 1 ? 'exists' : 'exist'}: their ARNs hold the account ID, which is not known ` +
      'here. Fix: pass --account with the account you will install in.',
  );
}

async function roleNameProblems(name: string, logicalId: string, ctx: LiveContext): Promise<Found> {
  const parameter = 'IamResourceNamesPrefix';
  const found = await attempt(() => ctx.iam.getRole(name, { abortSignal: ctx.signal }));
  if (!found.ok) return { parameter, check: 'role-name', subject: name, cause: found.cause };
  if (found.value === null) return [];
  return [
    error(
      parameter,
      'role-name-taken',
      `A role named ${shown(name)} already exists in this account outside this stack, so ` +
        `creating ${logicalId} would fail. Fix: choose an IamResourceNamesPrefix or ` +
        'IamResourceNamesSuffix that makes the names unique, or remove the old role if it is ' +
        'left over from an earlier install.',
      ['IamResourceNamesPrefix', 'IamResourceNamesSuffix'],
    ),
  ];
}

async function policyNameProblems(
  arn: string,
  logicalId: string,
  ctx: LiveContext,
): Promise<Found> {
  const parameter = 'IamResourceNamesPrefix';
  const found = await attempt(() => ctx.iam.getPolicy(arn, { abortSignal: ctx.signal }));
  if (!found.ok) return { parameter, check: 'policy-name', subject: arn, cause: found.cause };
  if (found.value === null) return [];
  return [
    error(
      parameter,
      'policy-name-taken',
      `A managed policy ${shown(arn)} already exists in this account outside this stack, so ` +
        `creating ${logicalId} would fail. Fix: choose an IamResourceNamesPrefix or ` +
        'IamResourceNamesSuffix that makes the names unique, or remove the old policy.',
      ['IamResourceNamesPrefix', 'IamResourceNamesSuffix'],
    ),
  ];
}

/** Runs the tasks, `size` at a time; once `signal` is aborted, starts no more of them. */
async function inPool<T>(
  tasks: (() => Promise<T>)[],
  size: number,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && signal?.aborted !== true) {
      const index = next;
      next += 1;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
  return results;
}
