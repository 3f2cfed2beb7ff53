/**
 * The live rules about policies: each global managed policy and the boundary exists and can
 * be attached, no global policy is administrator access, and the boundary leaves the
 * connector's roles the actions they need, as the policy core decides from each policy's
 * default version.
 */
import { setImmediate } from 'node:timers/promises';
import type { Policy } from '@aws-sdk/client-iam';
import { type ActionRequest, actionsNotAllowed, type BlockedAction, parsePolicy } from '../policy';
import type { PromisedIamState } from '../template';
import { isUnknown } from '../values';
import { adminDocumentGrant, adminPolicyProblem, awsAdminGrant, globalPolicyScope } from './admin';
import type { LiveContext } from './live';
import { error, type RuleProblem, receivedText, shown, warning } from './types';
import { attempt, type Cause, type Found, type Unavailable } from './unavailable';

const BLOCKED_SHOWN = 8;
/**
 * IAM keeps a managed policy document to 6,144 characters without whitespace; a document past
 * twice that did not come from IAM and is not evaluated, so it cannot hold up the answer.
 */
const MAX_DOCUMENT_CHARACTERS = 2 * 6_144;

/**
 * AWS's own managed policies are not held to the 6,144 characters of a customer's, so a global
 * policy's document is read up to a wider bound; its judgement is bounded by steps whatever its
 * length (`ADMIN_JUDGEMENT_STEPS` in drift/admin.ts).
 */
const MAX_GLOBAL_DOCUMENT_CHARACTERS = 65_536;

/**
 * Whether a global managed policy exists, can be attached, and is not administrator access by
 * what its default version allows (AWS's administrator policies are refused by name offline).
 */
export async function policyProblems(
  parameter: string,
  arn: string,
  ctx: LiveContext,
): Promise<Found> {
  const found = await lookUpPolicy(parameter, arn, ctx);
  if ('problems' in found) return found.problems;
  if ('unavailable' in found) return found.unavailable;
  const version = found.policy.DefaultVersionId;
  if (version === undefined || awsAdminGrant(arn) !== undefined) return [];
  return adminDocumentProblems(parameter, arn, version, ctx);
}

async function adminDocumentProblems(
  parameter: string,
  arn: string,
  version: string,
  ctx: LiveContext,
): Promise<Found> {
  const unavailable = (cause: Cause): Unavailable => ({
    parameter,
    check: 'policy-document',
    subject: arn,
    cause,
  });
  const options = { abortSignal: ctx.signal };
  const read = await attempt(() => ctx.iam.getPolicyVersionDocument(arn, version, options));
  if (!read.ok) return unavailable(read.cause);
  const size = JSON.stringify(read.value ?? null).length;
  if (size > MAX_GLOBAL_DOCUMENT_CHARACTERS) {
    return unavailable(tooLarge(size, MAX_GLOBAL_DOCUMENT_CHARACTERS, GLOBAL_BY_HAND));
  }
  // The judgement runs without a pause (bounded by its budget): let a deadline answer due go
  // out first, and judge nothing once it has.
  await setImmediate();
  ctx.signal?.throwIfAborted();
  let grants: string | undefined;
  try {
    grants = adminDocumentGrant(read.value, globalPolicyScope(arn, ctx, ctx.state));
  } catch (cause) {
    return unavailable(notEvaluable(cause));
  }
  if (grants === undefined) return [];
  return [adminPolicyProblem(arn, `which by its default version grants ${grants}`, ctx.state)];
}

async function lookUpPolicy(
  parameter: string,
  arn: string,
  ctx: LiveContext,
): Promise<{ problems: RuleProblem[] } | { policy: Policy } | { unavailable: Unavailable }> {
  const found = await attempt(() => ctx.iam.getPolicy(arn, { abortSignal: ctx.signal }));
  if (!found.ok)
    return { unavailable: { parameter, check: 'policy', subject: arn, cause: found.cause } };
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
  return { policy: found.value };
}

/** Whether the boundary exists, can be attached, and what it keeps from the connector. */
export async function boundaryProblems(arn: string, ctx: LiveContext): Promise<Found> {
  const parameter = 'GlobalPermissionsBoundary';
  const found = await lookUpPolicy(parameter, arn, ctx);
  if (!('policy' in found)) return 'problems' in found ? found.problems : found.unavailable;
  const version = found.policy.DefaultVersionId;
  if (ctx.state === undefined || version === undefined) return [];

  const options = { abortSignal: ctx.signal };
  const read = await attempt(() => ctx.iam.getPolicyVersionDocument(arn, version, options));
  if (!read.ok) return { parameter, check: 'boundary-document', subject: arn, cause: read.cause };
  const unevaluable = (cause: Cause): Unavailable => ({
    parameter,
    check: 'boundary-evaluation',
    subject: arn,
    cause,
  });
  const size = JSON.stringify(read.value ?? null).length;
  if (size > MAX_DOCUMENT_CHARACTERS) {
    return unevaluable(tooLarge(size, MAX_DOCUMENT_CHARACTERS, BOUNDARY_BY_HAND));
  }

  let blocked: BlockedAction[];
  try {
    blocked = actionsNotAllowed(read.value, connectorRequests(ctx.state));
  } catch (cause) {
    return unevaluable(notEvaluable(cause));
  }
  return blocked.length === 0 ? [] : [blockedWarning(parameter, arn, blocked)];
}

function blockedWarning(parameter: string, arn: string, blocked: BlockedAction[]): RuleProblem {
  const actions = [...new Set(blocked.map((b) => b.action))];
  const listed = actions.slice(0, BLOCKED_SHOWN).join(', ');
  const more = actions.length > BLOCKED_SHOWN ? ` and ${actions.length - BLOCKED_SHOWN} more` : '';
  const denied = blocked.some((b) => b.reason === 'explicit-deny')
    ? ' (some by an explicit Deny)'
    : '';
  return warning(
    parameter,
    'boundary-blocks-connector',
    `${parameter} ${shown(arn)} does not allow ${actions.length} ` +
      `action${actions.length === 1 ? '' : 's'} the connector's roles need${denied}: ` +
      `${listed}${more}; those parts of the connector will fail with access denied. Fix: ` +
      'allow these actions in the boundary, or use a boundary made for the connector.',
  );
}

const BOUNDARY_BY_HAND = 'check what the boundary allows by hand';
const GLOBAL_BY_HAND = 'check by hand that the policy grants no administrator access';

function tooLarge(size: number, limit: number, fix: string): Cause {
  const more =
    limit === MAX_DOCUMENT_CHARACTERS
      ? 'more than IAM keeps for a managed policy'
      : `more than the ${limit} this check reads`;
  return {
    key: 'too-large',
    why: `its document has ${size} characters, ${more}, so it was not evaluated`,
    fix,
  };
}

function notEvaluable(error: unknown): Cause {
  const detail = receivedText(error instanceof Error ? error.message : String(error));
  return {
    key: 'not-evaluable',
    why: `its document could not be read as a policy (${detail.replace(/\.$/, '')})`,
    fix: "look at the policy's default version in the IAM console, and correct it there",
  };
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
