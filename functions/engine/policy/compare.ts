/**
 * The directed comparison of an expected policy document with a live one. Both are split into
 * atoms (see atoms.ts); an Allow atom of one side that the other side's Allow atoms do not
 * cover is a grant added (live) or removed (expected), and a Deny atom of one side that the
 * other's Deny atoms do not cover is a deny removed (expected) or added (live). Each such atom
 * is explained by the element that makes the difference, then atoms are grouped into one
 * change per statement and element.
 *
 * Deny statements are compared with Deny statements, and a removed Deny reads as a widening
 * even when no Allow of the same document grants what it denied: a Deny also limits what the
 * role's other policies grant.
 *
 * Limits of the reasoning, and what a user sees of them:
 * - Conditions on different keys are not related: a guard moved from aws:SourceAccount to an
 *   aws:SourceArn naming the same account reads as one condition removed and one added.
 * - Conditions on one key are related by IAM's rules where those decide it (the same operator,
 *   exact values against patterns, a positive against a negated check of the same text, bounds,
 *   IPv4 and IPv6 ranges, and whether a request without the key passes). StringLike of values
 *   without a wildcard is StringEquals; StringEqualsIgnoreCase is compared with StringEquals by
 *   the letter cases of its ASCII values (for a secret known by digest, by those of the live
 *   text that matched it); other pairs, such as ForAnyValue against a plain operator, are
 *   `unknown`.
 * - A wildcard in an ARN matches colons only where IAM lets it (pattern.ts). ArnLike compares
 *   the six parts of an ARN one by one. For the Resource element IAM's documentation gives two
 *   rules (a `*` ending a colon-separated part may span colons; or parts are compared as for
 *   ArnLike); where they disagree, as for `arn:aws:logs:*` against one log group, the change is
 *   `unknown` and names both patterns, as it is for a wildcard in the service part, which IAM
 *   does not allow. On aws:SourceArn and aws:PrincipalArn, whose values are ARNs, StringLike and
 *   ArnLike are related: the same where the wildcards stand only in the resource part, and
 *   StringLike wider where one of its wildcards may span a colon before it.
 * - A role's ARN and the ARNs of its sessions are different principals here, and `"*"` and
 *   `{"AWS": "*"}` are the same one.
 * - Without an action catalogue, actions are names: a list naming every action `s3:Get*`
 *   matches today reads as narrower than the wildcard. A NotAction set compared with actions
 *   whose service part is a wildcard (`*:Get*`) is decided by a dozen well-known real actions
 *   it may grant; when the other side grants all of those too, it is `unknown`.
 * - With a catalogue, a wildcard stands for the actions it matches today: `s3:Get*` in place of
 *   a list of every one of them reads as equivalent, though it will also grant the s3:Get
 *   actions AWS adds later. (The drift check uses no catalogue, so there it reads as widened.)
 * - A NotResource set is covered only by `*` (or by a NotResource excluding less).
 * - Condition key names compare in lower case throughout, so a change in the letter case of a
 *   tag key inside `aws:RequestTag/...` is not reported.
 */
import { registerSecret } from '../log';
import { isSecret, isUnknown, type SecretValue, sha256Hex } from '../values';
import { atomsOf, listHasVariable } from './atoms';
import { Budget, withBudget } from './budget';
import { reasonFor, undecided } from './change-base';
import { describeGaps } from './changes';
import {
  type Leaf,
  type LeafList,
  type PolicyDocument,
  PolicyError,
  type PolicyStatement,
  parsePolicy,
} from './document';
import { findGaps } from './gaps';
import { hasVariable } from './pattern';
import { noteSecretText } from './string-checks';
import type {
  ChangeDirection,
  CompareOptions,
  Direction,
  PolicyChange,
  PolicyComparison,
  PolicyElement,
  UnreadStatement,
} from './types';

const ELEMENT_ORDER: PolicyElement[] = [
  'Version',
  'Statement',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];

/**
 * How many steps one comparison may take in all; the grants left
 * when they are spent are reported undecided, each statement by name.
 */
const STEPS_PER_COMPARISON = 300_000;

/**
 * Compares the expected document (from the template) with the live one (from IAM).
 *
 * @param expected the promised document; may hold `UnknownValue` and `SecretValue` leaves
 * @param live the deployed document, in any form {@link parsePolicy} reads
 * @throws PolicyError when either document cannot be read as a whole (a statement that cannot
 *   be read is an `unknown` change naming it)
 *
 * @example
 * const result = comparePolicies(templateTrust, liveTrust, { kind: 'trust' });
 * if (result.direction === 'widened') for (const c of result.changes) log(c.summary);
 */
export function comparePolicies(
  expected: unknown,
  live: unknown,
  options: CompareOptions = {},
): PolicyComparison {
  // A statement that cannot be read is compared as undecided, naming it; the others still are.
  const kind = options.kind ?? 'permissions';
  const names = options.names ?? { expected: 'expected policy', live: 'live policy' };
  const read = { unreadStatements: true, kind };
  const before = parsePolicy(expected, names.expected, read);
  const after = parsePolicy(live, names.live, read);
  if (kind === 'trust') {
    requirePrincipals(before, names.expected);
    requirePrincipals(after, names.live);
  }
  const unread = options.skipUnread
    ? [...takeUnread(before, 'expected'), ...takeUnread(after, 'live')]
    : undefined;
  const opaque = before.opaque ?? after.opaque;
  if (opaque) {
    const reason = `not verifiable: depends on ${opaque.source}`;
    const change: PolicyChange = {
      direction: 'unknown',
      statement: { index: -1, sid: null },
      element: 'Statement',
      before: before.opaque ? opaque.toJSON() : null,
      after: null,
      summary: `could not compare the statements: ${reason}`,
    };
    return summarise([undecided(change, reason)], unread);
  }
  resolveSecrets(before, after);

  const budget = new Budget(STEPS_PER_COMPARISON, 'comparing the two documents');
  const gaps = withBudget([budget], () =>
    findGaps(atomsOf(before), atomsOf(after), options.catalogue),
  );
  const changes = [
    ...versionChanges(before, after),
    ...describeGaps(gaps, kind, { expected: before, live: after }),
  ];
  changes.sort(
    (a, b) =>
      a.statement.index - b.statement.index ||
      ELEMENT_ORDER.indexOf(a.element) - ELEMENT_ORDER.indexOf(b.element) ||
      (a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0),
  );
  return summarise(changes, unread);
}

/** Takes the statements that could not be read out of a document, naming each and why. */
function takeUnread(document: PolicyDocument, side: 'expected' | 'live'): UnreadStatement[] {
  const unread = document.statements.filter((statement) => statement.unread !== undefined);
  document.statements = document.statements.filter((statement) => statement.unread === undefined);
  return unread.map(({ index, sid, unread: reason }) => ({
    document: side,
    statement: { index, sid },
    reason: reason as string,
  }));
}

/** A trust policy says who may assume the role in every statement. */
function requirePrincipals(document: PolicyDocument, where: string): void {
  const bare = document.statements.find((s) => s.principal === null && !s.opaque);
  if (bare) {
    throw new PolicyError(
      `${where}: Statement[${bare.index}]: expected a Principal or NotPrincipal element ` +
        'in a trust policy statement, received neither.',
    );
  }
}

function summarise(changes: PolicyChange[], unread?: UnreadStatement[]): PolicyComparison {
  const has = (direction: ChangeDirection) => changes.some((c) => c.direction === direction);
  let direction: Direction = 'none';
  if (has('mixed') || (has('widened') && has('narrowed'))) direction = 'mixed';
  else if (has('widened')) direction = 'widened';
  else if (has('unknown')) direction = 'unknown';
  else if (has('narrowed')) direction = 'narrowed';

  const unknown = changes.find((c) => c.direction === 'unknown');
  const result: PolicyComparison = { equivalent: changes.length === 0, direction, changes };
  if (unknown) result.reason = reasonFor(unknown) ?? unknown.summary;
  if (unread) result.unread = unread;
  return result;
}

/**
 * Lets a live clear value meet the expected secret it matches by digest: wherever it stands
 * (a condition value, most often an external ID, but also a resource or principal), the live
 * value is replaced by the secret leaf, so the two compare equal and only the placeholder is
 * ever shown. A Sid holding the secret, which changes name, shows as the placeholder too.
 */
function resolveSecrets(expected: PolicyDocument, live: PolicyDocument): void {
  const secrets = new Map<string, SecretValue>();
  for (const statement of expected.statements) {
    for (const leaf of leavesOf(statement)) {
      if (isSecret(leaf) && leaf.sha256 !== undefined) secrets.set(leaf.sha256, leaf);
    }
  }
  if (secrets.size === 0) return;

  const swap = (leaf: Leaf): Leaf => {
    const secret = typeof leaf === 'string' ? secrets.get(sha256Hex(leaf)) : undefined;
    if (secret === undefined) return leaf;
    noteSecretText(secret, leaf as string);
    // Now known in clear: any later text that carries it, such as an AWS error message
    // quoting it run together with other characters, is masked by the log scrubber too.
    registerSecret(leaf as string);
    return secret;
  };
  const swapAll = (values: LeafList): LeafList => (isUnknown(values) ? values : values.map(swap));
  for (const statement of live.statements) {
    const sid = statement.sid === null ? undefined : secrets.get(sha256Hex(statement.sid));
    if (sid) statement.sid = sid.toJSON();
    statement.action = { ...statement.action, values: swapAll(statement.action.values) };
    if (statement.resource) {
      statement.resource = { ...statement.resource, values: swapAll(statement.resource.values) };
    }
    if (statement.principal && !isUnknown(statement.principal.entries)) {
      const entries = statement.principal.entries.map((e) => ({ ...e, value: swap(e.value) }));
      statement.principal = { ...statement.principal, entries };
    }
    if (!isUnknown(statement.condition)) {
      statement.condition = statement.condition.map((clause) =>
        isUnknown(clause.values) ? clause : { ...clause, values: clause.values.map(swap) },
      );
    }
  }
}

function leavesOf(statement: PolicyStatement): Leaf[] {
  const list = (values: LeafList | undefined) => (values && !isUnknown(values) ? values : []);
  const principals = statement.principal?.entries;
  return [
    ...list(statement.action.values),
    ...list(statement.resource?.values),
    ...(principals && !isUnknown(principals) ? principals.map((e) => e.value) : []),
    ...(isUnknown(statement.condition)
      ? []
      : statement.condition.flatMap((clause) => list(clause.values))),
  ];
}

function versionChanges(before: PolicyDocument, after: PolicyDocument): PolicyChange[] {
  // Only 2012-10-17 reads policy variables; 2008-10-17 and no Version read them as text.
  const reads = (document: PolicyDocument) => document.version === '2012-10-17';
  if (reads(before) === reads(after)) return [];
  const variables = [before, after].some((doc) => doc.statements.some(usesVariables));
  if (!variables) return [];
  const reason = 'policy variables are read differently under the two Versions';
  const change: PolicyChange = {
    direction: 'unknown',
    statement: { index: -1, sid: null },
    element: 'Version',
    before: before.version,
    after: after.version,
    summary: `Version changed from ${before.version ?? 'none'} to ${after.version ?? 'none'}: ${reason}`,
  };
  return [undecided(change, reason)];
}

function usesVariables(statement: PolicyStatement): boolean {
  if (statement.resource && listHasVariable(statement.resource.values)) return true;
  if (isUnknown(statement.condition)) return false;
  return statement.condition.some(
    (clause) =>
      !isUnknown(clause.values) &&
      clause.values.some((v) => typeof v === 'string' && hasVariable(v)),
  );
}
