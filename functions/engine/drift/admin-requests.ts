/**
 * The requests an admin-equivalence judgement asks about (see `admin.ts`): the escalation
 * actions, each on a probe resource of its kind and, for those a role can use on itself, on the
 * roles holding the grant; and whether a request the policy core found not allowed may still be.
 */
import { createHash } from 'node:crypto';
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
 * Every escalation request for the scope: each action on each probe resource of its kind (see
 * {@link probeNames}), and the self-escalations on the holders' own ARNs.
 */
export function escalationRequests(scope: AdminScope, names: string[]): EscalationRequest[] {
  const iam = `arn:${scope.partition}:iam::${scope.account}`;
  const probes = ESCALATION_ACTIONS.flatMap(([action, target]) =>
    names.map((name) => ({ action, resource: `${iam}:${target}/${name}` })),
  );
  const self = scope.holders.flatMap((resource) =>
    SELF_ESCALATION.map((action) => ({ action, resource })),
  );
  return [...probes, ...self];
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = ['.', '-', '_', '@', '+', '=', ','];

/**
 * The probe names for a document: each stands for "a resource of the account that no policy
 * singles out", and a grant is judged admin-equivalent when it allows an escalation action on
 * any of them. They are drawn from the SHA-256 of the document, so a judgement of the same
 * document always gives the same verdict, and a Deny naming them changes the document and so
 * the names. They have different shapes, because a Deny or an Allow of a pattern meets names of
 * some shapes only: lower case and digits (24 characters), mixed case (32), every punctuation
 * IAM allows (`. - _ @ + = ,`, 31), two characters, 64 (the longest role or user name), and a
 * name under a path (`role/path/name`).
 *
 * Limitation: a Deny whose patterns together meet every one of these shapes (`*a*`, `*b*`, ...
 * for every character the probes may hold, say) hides a grant on the names it leaves out; such a
 * document is judged not admin-equivalent, the same way every time.
 */
export function probeNames(document: unknown): string[] {
  const digest = createHash('sha256')
    .update(JSON.stringify(document) ?? '')
    .digest();
  const pick = (alphabet: string, length: number, from: number) =>
    Array.from(
      { length },
      (_, i) => alphabet[digest[(from + i) % digest.length] % alphabet.length],
    ).join('');
  const punctuated = PUNCTUATION.map((mark, i) => pick(LOWER, 3, 3 * i) + mark).join('');
  return [
    pick(LOWER, 24, 0),
    pick(MIXED, 32, 5),
    `${punctuated}${pick(MIXED, 3, 21)}`,
    pick(LOWER, 2, 11),
    pick(MIXED, 64, 17),
    `${pick(LOWER, 8, 23)}/${pick(LOWER, 12, 29)}`,
  ];
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
