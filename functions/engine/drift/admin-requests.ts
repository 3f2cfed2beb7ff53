/**
 * The requests an admin-equivalence judgement asks about (see `admin.ts`): the escalation
 * actions, each on a probe resource of its kind and, for those a role can use on itself, on the
 * roles holding the grant; and whether a request the policy core found not allowed may still be.
 */
import { randomInt } from 'node:crypto';
import { comparePolicies } from '../policy';
import { type RawDocument, touching } from './admin-document';

/** The kind of IAM resource an escalation action acts on. */
export type Target = 'role' | 'user' | 'group' | 'policy';

/**
 * Privilege-escalation actions, each with the kind of resource it acts on. Whoever may make one
 * of them on any such resource of the account can give itself, or a principal it controls,
 * any permission: write or attach a policy to a role, user or group; rewrite a managed
 * policy's default version; make any role assumable (`UpdateAssumeRolePolicy`) or assume it;
 * hand any role to a service it controls (`PassRole`, which with `CreateRole` covers making
 * one); sign in as or get keys for any user; join any group.
 */
export const ESCALATION_ACTIONS: readonly (readonly [string, Target])[] = [
  ['iam:PutRolePolicy', 'role'],
  ['iam:AttachRolePolicy', 'role'],
  ['iam:UpdateAssumeRolePolicy', 'role'],
  ['iam:PassRole', 'role'],
  ['sts:AssumeRole', 'role'],
  ['iam:PutUserPolicy', 'user'],
  ['iam:AttachUserPolicy', 'user'],
  ['iam:CreateAccessKey', 'user'],
  ['iam:CreateLoginProfile', 'user'],
  ['iam:UpdateLoginProfile', 'user'],
  ['iam:AddUserToGroup', 'group'],
  ['iam:PutGroupPolicy', 'group'],
  ['iam:AttachGroupPolicy', 'group'],
  ['iam:CreatePolicyVersion', 'policy'],
  ['iam:SetDefaultPolicyVersion', 'policy'],
];

/** What a role may do to itself to gain any permission. */
const SELF_ESCALATION = ['iam:PutRolePolicy', 'iam:AttachRolePolicy'];

/** The account and the roles a grant is judged for. */
export interface AdminScope {
  account: string;
  partition: string;
  /** ARNs of the roles that hold the grant. */
  holders: string[];
}

/** One request a judgement asks about. */
export type EscalationRequest = { action: string; resource: string };

/**
 * Every escalation request for the scope: each action on a probe resource of its kind, and the
 * self-escalations on the holders' own ARNs.
 *
 * A probe stands for "a resource of the account that no policy singles out". Its name is drawn
 * at random for each judgement, 24 to 48 of the characters IAM allows in a name, with no fixed
 * part, so a Deny cannot be written to meet the probe and no other name, and an Allow naming
 * one resource is never mistaken for one reaching them all. Limitation: a Deny whose patterns
 * together meet nearly every name (one `*x*` pattern for each character but one, say) most
 * likely meets the probe too, and the grant on the few names it leaves out is not judged
 * admin-equivalent; two judgements of such a document may differ.
 */
export function escalationRequests(scope: AdminScope): EscalationRequest[] {
  const iam = `arn:${scope.partition}:iam::${scope.account}`;
  const name = probeName();
  const probes = ESCALATION_ACTIONS.map(([action, target]) => ({
    action,
    resource: `${iam}:${target}/${name}`,
  }));
  const self = scope.holders.flatMap((resource) =>
    SELF_ESCALATION.map((action) => ({ action, resource })),
  );
  return [...probes, ...self];
}

const NAME_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-';

/** A name IAM would accept for a role, user, group or policy, drawn at random. */
function probeName(): string {
  const length = randomInt(24, 49);
  const pick = () => NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)];
  return Array.from({ length }, pick).join('');
}

/**
 * The first request the policy core found not allowed that may still be: adding it to the
 * document changes nothing, or whether it changes anything cannot be decided (a wildcard in an
 * ARN that IAM's documentation reads two ways). Only the Allow statements that may cover a
 * resource without naming it (a wildcard, a variable, `NotResource`) and may touch the action
 * are asked: no other can cover the request, and Deny statements are compared with Deny
 * statements only, the same on both sides.
 */
export function mayBeAllowed(document: RawDocument, requests: EscalationRequest[]) {
  const unnamed = { ...document, Statement: document.Statement.filter(coversUnnamed) };
  if (unnamed.Statement.length === 0) return undefined;
  return requests.find(({ action, resource }) => {
    const asked = touching(unnamed, [action]);
    if (asked.Statement.length === 0) return false;
    const probe = { Effect: 'Allow', Action: action, Resource: resource };
    const widened = { ...asked, Statement: [...asked.Statement, probe] };
    const { direction } = comparePolicies(asked, widened);
    return direction === 'none' || direction === 'unknown';
  });
}

/** Whether a statement is an Allow that may cover a resource it does not name. */
function coversUnnamed(item: unknown): boolean {
  const s = item as Record<string, unknown>;
  if (s.Effect !== 'Allow') return false;
  if (s.NotResource !== undefined) return true;
  return [s.Resource].flat().some((r) => typeof r !== 'string' || /[*?$]/.test(r));
}
