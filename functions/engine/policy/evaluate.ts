/**
 * Deciding what one policy allows, without comparing it with another: whether it is as good
 * as full administrator access, and which requested actions it would not allow (used to warn
 * when a permissions boundary would block what the connector's roles need).
 */
import { type Atom, all, atomCovers, atomsMeet, atomsOf } from './atoms';
import { budgetExhausted, WorkLimitReached } from './budget';
import { parsePolicy } from './document';
import { blockImplies, type Verdict } from './implication';
import type { ActionRequest, BlockedAction } from './types';

/**
 * IAM actions that let whoever holds them on every resource give themselves any permission,
 * so holding one is as good as holding all.
 */
const ESCALATION_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:PutRolePolicy',
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:PutGroupPolicy',
  'iam:CreatePolicyVersion',
];

/**
 * Whether a permissions policy grants full access: every action on every resource, or one of
 * the IAM actions that let a principal grant itself anything, on every resource. A grant under
 * conditions still counts (an MFA condition does not make admin access less than admin); an
 * unconditional Deny that meets the grant removes it.
 *
 * @throws PolicyError when the document cannot be read, a statement without a Resource (or
 *   NotResource) included: IAM refuses one in a permissions policy, and it is not every resource
 * @throws WorkLimitReached when called under `withBudget` and a budget in force is used up
 */
export function isAdminEquivalent(document: unknown): boolean {
  const atoms = atomsOf(parsePolicy(document, 'policy', { kind: 'permissions' }));
  const grants = (action: string) => {
    const outcome = decide(atoms, { action, resource: '*' });
    return outcome === null || outcome === 'conditional';
  };
  return grants('*') || ESCALATION_ACTIONS.some(grants);
}

/**
 * The requests a policy would not allow, each with why: an explicit Deny that meets it, no
 * Allow that covers it, or an Allow (or Deny) that depends on conditions. A request without a
 * resource stands for every resource. Principals in the policy are not considered.
 *
 * @throws PolicyError when the document cannot be read (as for {@link isAdminEquivalent})
 * @throws WorkLimitReached when called under `withBudget` and a budget in force is used up
 *
 * @example
 * actionsNotAllowed(boundary, [{ action: 's3:PutObject', resource: 'arn:aws:s3:::backups/*' }]);
 */
export function actionsNotAllowed(document: unknown, requests: ActionRequest[]): BlockedAction[] {
  const atoms = atomsOf(parsePolicy(document, 'policy', { kind: 'permissions' }));
  return requests.flatMap((request) => {
    const reason = decide(atoms, request);
    return reason === null
      ? []
      : [{ action: request.action, resource: request.resource ?? '*', reason }];
  });
}

/**
 * The verdict, or `unknown` for patterns too long to compare (see pattern.ts). A budget in
 * force that is used up (`withBudget` in budget.ts) stops the whole decision instead.
 */
function orUnknown(verdict: () => Verdict): Verdict {
  try {
    return verdict();
  } catch (error) {
    if (error instanceof WorkLimitReached && !budgetExhausted()) return 'unknown';
    throw error;
  }
}

function decide(atoms: Atom[], request: ActionRequest): BlockedAction['reason'] | null {
  const asked: Atom = {
    statement: {
      index: -1,
      sid: null,
      effect: 'Allow',
      principal: null,
      action: { not: false, values: [request.action] },
      resource: null,
      condition: [],
    },
    effect: 'Allow',
    action: { kind: 'one', value: request.action },
    resource: { kind: 'one', value: request.resource ?? '*' },
    principal: null,
    condition: [],
    variables: true,
  };

  let conditionalDeny = false;
  for (const deny of atoms.filter((atom) => atom.effect === 'Deny')) {
    const meets = orUnknown(() => atomsMeet(deny, asked));
    if (meets === 'no') continue;
    const always = blockImplies([], deny.condition) === 'yes';
    if (meets === 'yes' && always) return 'explicit-deny';
    conditionalDeny = true;
  }

  let allowed = false;
  let conditionalAllow = false;
  for (const allow of atoms.filter((atom) => atom.effect === 'Allow')) {
    const v = orUnknown(() => {
      const both = atomCovers(allow, { ...asked, principal: allow.principal });
      return all(both.action, both.resource);
    });
    if (v === 'no') continue;
    // A grant too long to compare may cover the request: it counts as conditional.
    if (v === 'yes' && blockImplies([], allow.condition) === 'yes') allowed = true;
    else conditionalAllow = true;
  }
  if (allowed) return conditionalDeny ? 'conditional' : null;
  return conditionalAllow ? 'conditional' : 'not-allowed';
}
