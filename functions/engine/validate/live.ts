/**
 * The live rules, which ask IAM: the global policies and the boundary exist and can be
 * attached, the boundary leaves the connector's roles the actions they need, and (on Create
 * and before deploying, never on Update) no role or policy already has a name the stack will
 * create.
 *
 * A check that cannot be made (access denied by an SCP or by the caller's own policies,
 * throttling that outlasted the retries, a network failure) is a warning naming the check and
 * why, never a failure: only an answer that proves a value wrong fails the validation.
 */
import { isAccessDenied } from '../aws/clients';
import type { IamAdapter } from '../aws/iam';
import { describeError } from '../errors';
import { type ActionRequest, actionsNotAllowed, parsePolicy } from '../policy';
import type { PromisedIamState } from '../template';
import { isUnknown } from '../values';
import { type ParameterValues, splitList } from './parameters';
import { error, type RuleProblem, shown, warning } from './types';

/** Which live checks to make; an Update makes only those whose values changed. */
export interface LiveScope {
  policies: boolean;
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
}

const CONCURRENCY = 4;
const BLOCKED_SHOWN = 8;

/** Every live problem, in a stable order whatever order the answers came in. */
export async function liveProblems(
  values: ParameterValues,
  scope: LiveScope,
  ctx: LiveContext,
): Promise<RuleProblem[]> {
  const checks: (() => Promise<RuleProblem[]>)[] = [];
  if (scope.policies && !ctx.inError.has('GlobalManagedPolicies')) {
    for (const arn of new Set(splitList(values.GlobalManagedPolicies))) {
      checks.push(() => policyProblems('GlobalManagedPolicies', arn, ctx));
    }
  }
  const boundary = values.GlobalPermissionsBoundary;
  if (scope.boundary && boundary !== '' && !ctx.inError.has('GlobalPermissionsBoundary')) {
    checks.push(() => boundaryProblems(boundary, ctx));
  }
  if (scope.names && ctx.state !== undefined) {
    for (const role of ctx.state.roles) {
      if (ctx.preexisting.has(role.logicalId) || isUnknown(role.name)) continue;
      const name = role.name;
      checks.push(() => roleNameProblems(name, role.logicalId, ctx));
    }
    const policies = ctx.state.managedPolicies.filter((p) => !ctx.preexisting.has(p.logicalId));
    if (ctx.accountId === undefined && policies.length > 0) {
      checks.push(async () => [unknownAccountWarning(policies.length)]);
    }
    for (const policy of ctx.accountId === undefined ? [] : policies) {
      const arn = policy.arn;
      if (typeof arn === 'string')
        checks.push(() => policyNameProblems(arn, policy.logicalId, ctx));
    }
  }
  const results = await inPool(checks, CONCURRENCY);
  return results.flat();
}

function unknownAccountWarning(count: number): RuleProblem {
  return warning(
    'IamResourceNamesPrefix',
    'live-check-unavailable',
    `Could not check whether the ${count} managed polic${count === 1 ? 'y' : 'ies'} the stack ` +
      'creates already exist: their ARNs hold the account ID, which is not known here. ' +
      'Fix: pass --account with the account you will install in.',
  );
}

async function policyProblems(parameter: string, arn: string, ctx: LiveContext) {
  return (await lookUpPolicy(parameter, arn, ctx)).problems;
}

async function lookUpPolicy(parameter: string, arn: string, ctx: LiveContext) {
  const found = await attempt(`${parameter}: whether ${arn} exists`, parameter, () =>
    ctx.iam.getPolicy(arn),
  );
  if (!found.ok) return { problems: [found.problem] };
  if (found.value === null) {
    return {
      problems: [
        error(
          parameter,
          'policy-not-found',
          `${parameter} names ${shown(arn)}, but IAM has no such policy. Fix: create the ` +
            'policy first, or correct the ARN (account ID, path and name).',
        ),
      ],
    };
  }
  if (found.value.IsAttachable === false) {
    return {
      problems: [
        error(
          parameter,
          'policy-not-attachable',
          `${parameter} names ${shown(arn)}, which IAM marks as not attachable (a deprecated ` +
            'or service-only policy). Fix: use a policy that can be attached to roles.',
        ),
      ],
    };
  }
  return { problems: [], policy: found.value };
}

async function boundaryProblems(arn: string, ctx: LiveContext): Promise<RuleProblem[]> {
  const parameter = 'GlobalPermissionsBoundary';
  const { problems, policy } = await lookUpPolicy(parameter, arn, ctx);
  const version = policy?.DefaultVersionId;
  if (problems.length > 0 || ctx.state === undefined || version === undefined) return problems;

  const read = await attempt(`${parameter}: what ${arn} allows`, parameter, () =>
    ctx.iam.getPolicyVersionDocument(arn, version),
  );
  if (!read.ok) return [read.problem];

  const state = ctx.state;
  const evaluated = await attempt(
    `${parameter}: which connector actions ${arn} blocks`,
    parameter,
    async () => actionsNotAllowed(read.value, connectorRequests(state)),
  );
  if (!evaluated.ok) return [evaluated.problem];
  const blocked = evaluated.value;
  if (blocked.length === 0) return [];
  const actions = [...new Set(blocked.map((b) => b.action))];
  const listed = actions.slice(0, BLOCKED_SHOWN).join(', ');
  const more = actions.length > BLOCKED_SHOWN ? ` and ${actions.length - BLOCKED_SHOWN} more` : '';
  const denied = blocked.some((b) => b.reason === 'explicit-deny')
    ? ' (some by an explicit Deny)'
    : '';
  return [
    warning(
      parameter,
      'boundary-blocks-connector',
      `${parameter} ${shown(arn)} does not allow ${actions.length} ` +
        `action${actions.length === 1 ? '' : 's'} the connector's roles need${denied}: ` +
        `${listed}${more}; those parts of the connector will fail with access denied. Fix: ` +
        'allow these actions in the boundary, or use a boundary made for the connector.',
    ),
  ];
}

/**
 * The requests the connector's roles make: every action their Allow statements grant, on each
 * resource named. A resource the template leaves unknown until deploy is asked about as `*`.
 *
 * Known limitation: only policies the template itself defines (inline policies and the stack's
 * own managed policies) are read. An AWS managed policy a template attaches by ARN is not
 * fetched, so a boundary that blocks only what such a policy grants is not warned about; the
 * connector template attaches none.
 */
export function connectorRequests(state: PromisedIamState): ActionRequest[] {
  const documents = [
    ...state.roles.flatMap((role) => role.inlinePolicies.map((p) => p.document)),
    ...state.managedPolicies.filter((p) => p.attachedTo.roles.length > 0).map((p) => p.document),
  ];
  const seen = new Map<string, ActionRequest>();
  for (const document of documents) {
    let parsed: ReturnType<typeof parsePolicy>;
    try {
      parsed = parsePolicy(document);
    } catch {
      continue;
    }
    for (const statement of parsed.statements) {
      if (
        statement.effect !== 'Allow' ||
        statement.action.not ||
        isUnknown(statement.action.values)
      )
        continue;
      const resources =
        statement.resource === null ||
        statement.resource.not ||
        isUnknown(statement.resource.values)
          ? ['*']
          : statement.resource.values.map((r) => (typeof r === 'string' ? r : '*'));
      for (const action of statement.action.values) {
        if (typeof action !== 'string') continue;
        for (const resource of resources) seen.set(`${action}\n${resource}`, { action, resource });
      }
    }
  }
  return [...seen.values()];
}

async function roleNameProblems(name: string, logicalId: string, ctx: LiveContext) {
  const found = await attempt(`whether a role named ${name} exists`, 'IamResourceNamesPrefix', () =>
    ctx.iam.getRole(name),
  );
  if (!found.ok) return [found.problem];
  if (found.value === null) return [];
  return [
    error(
      'IamResourceNamesPrefix',
      'role-name-taken',
      `A role named ${shown(name)} already exists in this account outside this stack, so ` +
        `creating ${logicalId} would fail. Fix: choose an IamResourceNamesPrefix or ` +
        'IamResourceNamesSuffix that makes the names unique, or remove the old role if it is ' +
        'left over from an earlier install.',
      ['IamResourceNamesPrefix', 'IamResourceNamesSuffix'],
    ),
  ];
}

async function policyNameProblems(arn: string, logicalId: string, ctx: LiveContext) {
  const found = await attempt(`whether a policy ${arn} exists`, 'IamResourceNamesPrefix', () =>
    ctx.iam.getPolicy(arn),
  );
  if (!found.ok) return [found.problem];
  if (found.value === null) return [];
  return [
    error(
      'IamResourceNamesPrefix',
      'policy-name-taken',
      `A managed policy ${shown(arn)} already exists in this account outside this stack, so ` +
        `creating ${logicalId} would fail. Fix: choose an IamResourceNamesPrefix or ` +
        'IamResourceNamesSuffix that makes the names unique, or remove the old policy.',
      ['IamResourceNamesPrefix', 'IamResourceNamesSuffix'],
    ),
  ];
}

type Attempt<T> = { ok: true; value: T } | { ok: false; problem: RuleProblem };

async function attempt<T>(
  what: string,
  parameter: string,
  call: () => Promise<T>,
): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (cause) {
    const denied = isAccessDenied(cause);
    const why = denied
      ? "access was denied (by an SCP, a boundary or the caller's own policy)"
      : describeError(cause);
    const fix = denied
      ? 'allow iam:GetRole, iam:GetPolicy and iam:GetPolicyVersion to the caller, or check by hand'
      : 'retry; if it happens again, check by hand';
    return {
      ok: false,
      problem: warning(
        parameter,
        'live-check-unavailable',
        `Could not check ${what}: ${why}. The value was not proven wrong, so this does not ` +
          `block the install. Fix: ${fix}.`,
      ),
    };
  }
}

async function inPool<T>(tasks: (() => Promise<T>)[], size: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
  return results;
}
