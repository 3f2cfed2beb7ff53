/**
 * The live rules about policies: each global managed policy and the boundary exists and can
 * be attached, and the boundary leaves the connector's roles the actions they need, as the
 * policy core decides from the boundary's default version.
 */
import type { Policy } from '@aws-sdk/client-iam';
import { type ActionRequest, actionsNotAllowed, type BlockedAction, parsePolicy } from '../policy';
import type { PromisedIamState } from '../template';
import { isUnknown } from '../values';
import type { LiveContext } from './live';
import { error, type RuleProblem, receivedText, shown, warning } from './types';
import { attempt, type Cause, type Found, type Unavailable } from './unavailable';

const BLOCKED_SHOWN = 8;
/**
 * IAM keeps a managed policy document to 6,144 characters without whitespace; a document past
 * twice that did not come from IAM and is not evaluated, so it cannot hold up the answer.
 */
const MAX_DOCUMENT_CHARACTERS = 2 * 6_144;

/** Whether a global managed policy exists and can be attached. */
export async function policyProblems(
  parameter: string,
  arn: string,
  ctx: LiveContext,
): Promise<Found> {
  const found = await lookUpPolicy(parameter, arn, ctx);
  if ('problems' in found) return found.problems;
  return 'unavailable' in found ? found.unavailable : [];
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
  if (size > MAX_DOCUMENT_CHARACTERS) return unevaluable(tooLarge(size));

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

function tooLarge(size: number): Cause {
  return {
    key: 'too-large',
    why:
      `its document has ${size} characters, more than IAM keeps for a managed policy, so it ` +
      'was not evaluated',
    fix: 'check what the boundary allows by hand',
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
