/**
 * Whether a grant is admin-equivalent, judged by what it allows rather than by how it is
 * written: `*` on `arn:*` or on every resource but one, `iam:PassRole` on `role/*`, or
 * `iam:PutRolePolicy` on the role's own ARN are all as good as administrator access.
 *
 * A grant is admin-equivalent when it allows any of the privilege-escalation requests below, on
 * a resource of this account that the policy does not name (probes of several shapes, their
 * names drawn from the document's digest: see `probeNames`), or, for the actions a role can use
 * on itself, on a role that holds the grant. A policy variable in a resource is resolved where
 * the judgement knows it and read as possibly anything otherwise (see `admin-variables.ts`).
 * Conditions are taken conservatively: a request allowed only under a condition, or allowed
 * unless a conditional Deny applies, counts as allowed; so does a request whose coverage the
 * policy core cannot decide (a wildcard in an ARN that IAM's documentation reads two ways).
 *
 * So is a grant that lets a role run code as another role (a function's code, a command sent to
 * an instance: see `admin-code.ts`), on a resource of the account no policy names; that is why
 * PowerUserAccess, every action but IAM, Organizations and Account, counts by name, and a
 * statement allowing every action but those its `NotAction` lists counts whenever what it leaves
 * reaches such code on (nearly) every resource, and no Deny takes it away.
 *
 * The judgement of one document is bounded: it reads only the statements whose actions may
 * include an escalation action (see `admin-document.ts`, which also says how a statement that
 * cannot be read is taken), and all its parts spend from one budget of steps; a document that
 * uses it up is taken as admin-equivalent, and its judgement says why.
 */
import {
  actionsNotAllowed,
  Budget,
  isAdminEquivalent,
  PolicyError,
  WorkLimitReached,
  withBudget,
} from '../policy';
import { CODE_ACTIONS, codeRequests, codeText } from './admin-code';
import { type JudgedDocument, judgedDocument, type RawDocument, touching } from './admin-document';
import {
  type AdminScope,
  ESCALATION_ACTIONS,
  type EscalationRequest,
  escalationRequests,
  mayBeAllowed,
  probeNames,
} from './admin-requests';
import { resolveVariables } from './admin-variables';

export { type AdminScope, ESCALATION_ACTIONS } from './admin-requests';

/**
 * AWS managed policies that grant administrator power, or the power to get it, whatever their
 * documents say in detail (PowerUserAccess allows everything but IAM and Organizations, which
 * leaves a way to escalate through the services it allows).
 */
export const ADMIN_AWS_POLICIES = new Set([
  'AdministratorAccess',
  'AdministratorAccess-Amplify',
  'AdministratorAccess-AWSElasticBeanstalk',
  'IAMFullAccess',
  'PowerUserAccess',
  'AWSOrganizationsFullAccess',
]);
/** Whether a grant is admin-equivalent, and why. */
export interface AdminJudgement {
  admin: boolean;
  /** What makes it admin-equivalent, in words: `every action on every resource`. */
  grants?: string;
  /** How the judgement was made conservatively, when it was: a statement not read, no time. */
  note?: string;
}

/**
 * The steps one document's judgement may take, all its parts together (a step is about a
 * microsecond, as in the policy core's comparisons). A document whose judgement takes more is
 * taken as admin-equivalent, with that reason: it is one IAM would hold, written to be slow.
 */
export const ADMIN_JUDGEMENT_STEPS = 300_000;

/** The actions a judgement asks about, by which it picks the statements it reads. */
const JUDGED_ACTIONS = [...ESCALATION_ACTIONS.map(([action]) => action), ...CODE_ACTIONS];

/**
 * Whether a grant is admin-equivalent: an AWS admin policy by ARN, or by its document (see the
 * module comment). A document that cannot be read as a whole is not judged admin-equivalent
 * here (its finding says it could not be read); one whose statements cannot all be read is
 * judged by those that can, an unread Allow taken as allowing its actions on every resource.
 */
export function isAdminGrant(document: unknown, arn?: string, scope?: AdminScope): boolean {
  return judgeAdmin(document, arn, scope).admin;
}

/**
 * {@link isAdminGrant}, with what makes the grant admin-equivalent in words. The whole
 * judgement spends from one budget of {@link ADMIN_JUDGEMENT_STEPS}; a document that uses it
 * up is judged admin-equivalent, with a note saying so.
 *
 * @example
 * judgeAdmin(document, undefined, { account, partition: 'aws', holders: [roleArn] }).grants;
 */
export function judgeAdmin(document: unknown, arn?: string, scope?: AdminScope): AdminJudgement {
  if (arn !== undefined && /^arn:[\w-]+:iam::aws:policy\//.test(arn)) {
    const name = arn.split('/').pop() ?? '';
    if (ADMIN_AWS_POLICIES.has(name)) return { admin: true, grants: `AWS's ${name}` };
  }
  if (document === undefined || document === null) return { admin: false };
  let read: JudgedDocument;
  try {
    read = judgedDocument(document, JUDGED_ACTIONS);
  } catch (error) {
    if (error instanceof PolicyError) return { admin: false };
    throw error;
  }

  const judged = scope ?? defaultScope(read.whole);
  const { account } = judged;
  const { whole, relevant } = read;
  read = {
    ...read,
    whole: resolveVariables(whole, account),
    relevant: resolveVariables(relevant, account),
  };
  const budget = new Budget(ADMIN_JUDGEMENT_STEPS, 'judging this document');
  let grants: string | undefined;
  try {
    grants = withBudget([budget], () => grantOf(read, judged));
  } catch (error) {
    if (!(error instanceof WorkLimitReached)) throw error;
  }
  if (budget.exhausted) return outOfSteps();
  if (grants === undefined) return { admin: false };
  return { admin: true, grants, ...unreadNote(read.unread) };
}

/** The judgement of a document whose judgement took more steps than its limit. */
function outOfSteps(): AdminJudgement {
  const limit = ADMIN_JUDGEMENT_STEPS.toLocaleString('en-US');
  const taken = 'so it is taken as admin-equivalent';
  const note = `judging it takes more than ${limit} steps, its limit, ${taken}`;
  return { admin: true, grants: `what cannot be judged in time (${note})`, note };
}

function unreadNote(unread: JudgedDocument['unread']): { note?: string } {
  const named = (effect: string) =>
    unread.filter((u) => u.effect === effect).map((u) => `Statement[${u.index}]`);
  const allows = named('Allow');
  const denies = named('Deny');
  const parts = [
    allows.length === 0 ? '' : `${allows.join(', ')} as allowing its actions on every resource`,
    denies.length === 0 ? '' : `${denies.join(', ')} as denying nothing`,
  ].filter((part) => part !== '');
  if (parts.length === 0) return {};
  return { note: `a statement that cannot be read is taken conservatively: ${parts.join('; ')}` };
}

/** What makes the document admin-equivalent, in words; undefined when nothing does. */
function grantOf(read: JudgedDocument, scope: AdminScope): string | undefined {
  const names = probeNames(read.whole);
  const requests = escalationRequests(scope, names);
  const blocked = actionsNotAllowed(read.relevant, requests);
  const allowed = requests.findIndex(
    (request) => !blocked.some((b) => same(b, request) && b.reason !== 'conditional'),
  );
  const everything = isAdminEquivalent(read.relevant);
  if (everything && allows(read.whole, { action: '*', resource: '*' })) {
    return 'every action on every resource';
  }
  if (allowed >= 0) return requestText(requests[allowed], scope);
  const code = codeAllowed(read.whole, scope, names[0]);
  if (code !== undefined) {
    if (!allowsAllButListed(read.whole)) return codeText(code);
    const listed = 'every action but those its NotAction lists, on every resource or nearly';
    return `${listed}: ${codeText(code)}`;
  }
  if (everything) return `an IAM action ${HOW}`;
  const notAllowed = requests.filter((r) =>
    blocked.some((b) => same(b, r) && b.reason === 'not-allowed'),
  );
  const maybe = mayBeAllowed(read.relevant, notAllowed);
  return maybe === undefined ? undefined : requestText(maybe, scope);
}

/** The first request for running code as another role that the document allows. */
function codeAllowed(whole: RawDocument, scope: AdminScope, name: string) {
  const asked = touching(whole, CODE_ACTIONS);
  if (!asked.Statement.some((s) => (s as { Effect?: unknown }).Effect === 'Allow')) return;
  const text = JSON.stringify(whole);
  const requests = codeRequests({ partition: scope.partition, account: scope.account, text, name });
  const blocked = actionsNotAllowed(asked, requests);
  return requests.find((r) => !blocked.some((b) => same(b, r) && b.reason !== 'conditional'));
}

const HOW = 'with which a role can give itself any permission';

function same(blocked: { action: string; resource: string }, request: EscalationRequest) {
  return blocked.action === request.action && blocked.resource === request.resource;
}

/** A request the judgement found allowed, in words. */
function requestText(request: EscalationRequest, scope: AdminScope): string {
  if (scope.holders.includes(request.resource)) return `${request.action} on itself, ${HOW}`;
  const target = ESCALATION_ACTIONS.find(([action]) => action === request.action)?.[1];
  return `${request.action} on any ${target} of this account, ${HOW}`;
}

/** Whether a document allows a request, under conditions or not. */
function allows(document: unknown, request: EscalationRequest): boolean {
  const blocked = actionsNotAllowed(document, [request]);
  return blocked.length === 0 || blocked[0].reason === 'conditional';
}
/** The account named by the document's own ARNs, else a placeholder one; `aws` partition. */
function defaultScope(document: unknown): AdminScope {
  const found = /arn:([\w-]+):[\w-]*:[\w-]*:(\d{12}):/.exec(JSON.stringify(document));
  return { partition: found?.[1] ?? 'aws', account: found?.[2] ?? '000000000000', holders: [] };
}

/** Whether an Allow statement allows every action but those its `NotAction` lists. */
function allowsAllButListed(document: RawDocument): boolean {
  return document.Statement.some((statement) => {
    const s = statement as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || s.Effect !== 'Allow') return false;
    return s.NotAction !== undefined && ![s.NotAction].flat().includes('*');
  });
}
