/**
 * Building findings: stable ids and the severity rules (the admin-equivalence judgement that
 * decides CRITICAL for a grant is in `admin.ts`).
 */
import { createHash } from 'node:crypto';
import type { Direction, PolicyChange, PolicyComparison } from '../policy';
import type { Finding, FindingDirection, FindingKind, ResourceRef, Severity } from './types';

/** The stable id of a finding: stack, resource, kind and what the finding concerns. */
export function findingId(
  stack: string,
  resource: ResourceRef,
  kind: FindingKind,
  concern: string,
): string {
  const key = [stack, resource.logicalId ?? resource.name ?? resource.arn ?? '', kind, concern];
  return createHash('sha256').update(key.join('\u0000'), 'utf8').digest('hex').slice(0, 24);
}

/** Whether a document holds a Deny statement (removing it widens). */
export function holdsDeny(document: unknown): boolean {
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s) => String((s as { Effect?: unknown })?.Effect).toLowerCase() === 'deny');
}

/**
 * Condition keys of a trust policy that say who may assume the role: the external ID; the
 * confused-deputy guards (the account, resource, organization or owner a service acts for); the
 * caller's own account, ARN, organization or user ID; and a web or SAML identity's subject and
 * audience (`token.actions.githubusercontent.com:sub`, `saml:aud`). One of them removed, or
 * given another value, lets in a party that was kept out.
 */
const TRUST_GUARD_KEYS = new RegExp(
  `^(${[
    'sts:externalid',
    'aws:source(account|arn|orgid|orgpaths|owner)',
    'aws:principal(account|arn|orgid|orgpaths)',
    'aws:user(id|name)',
    '[^:]+:(sub|aud|oaud)',
  ].join('|')})$`,
  'i',
);

/** Elements whose value replaced by another lets the new one in: a principal or an action. */
const WHO_AND_WHAT = new Set(['Principal', 'NotPrincipal', 'Action', 'NotAction']);

/**
 * A change of a trust policy: CRITICAL when it lets anyone or anything in that was kept out
 * (a new principal or `*`, a new action, an external ID or another guard on who may assume the
 * role removed or given another value), even beside changes that narrow (the vendor's account
 * swapped for another is one principal removed and one added; a guard pointed at another
 * account is one change that both widens and narrows); HIGH when mixed or unknown otherwise (a
 * condition such as a principal tag given another value); MEDIUM when narrowed.
 */
export function trustSeverity(
  comparison: Pick<PolicyComparison, 'direction' | 'changes'>,
): Severity {
  if (comparison.direction === 'narrowed') return 'MEDIUM';
  if (comparison.direction === 'widened' || comparison.changes.some(letsIn)) return 'CRITICAL';
  return 'HIGH';
}

function letsIn(change: PolicyChange): boolean {
  if (change.direction === 'widened') return true;
  if (change.direction !== 'mixed') return false;
  if (WHO_AND_WHAT.has(change.element)) return true;
  return (
    change.element === 'Condition' &&
    [change.before, change.after].flatMap(conditionKeys).some((k) => TRUST_GUARD_KEYS.test(k))
  );
}

/** The keys of a Condition block (`{Operator: {key: value}}`). */
function conditionKeys(block: unknown): string[] {
  if (block === null || typeof block !== 'object') return [];
  return Object.values(block).flatMap((keys) =>
    keys !== null && typeof keys === 'object' ? Object.keys(keys) : [],
  );
}

/**
 * A change of a grant (inline or managed policy, attachment): CRITICAL when what is now granted
 * is admin-equivalent and the change is not a narrowing, HIGH for any other widening and when
 * mixed or unknown, MEDIUM when narrowed.
 */
export function grantSeverity(direction: Direction, adminNow: boolean): Severity {
  if (direction === 'narrowed') return 'MEDIUM';
  if (adminNow) return 'CRITICAL';
  return 'HIGH';
}

/** A removed grant: MEDIUM, HIGH when it held a Deny. */
export function removalSeverity(heldDeny: boolean): Severity {
  return heldDeny ? 'HIGH' : 'MEDIUM';
}

export function findingDirection(direction: Direction): FindingDirection {
  return direction === 'none' ? null : direction;
}

/** The parts of a finding the comparison fills; the id and actor are added here. */
export type FindingDraft = Omit<Finding, 'id' | 'actor' | 'changes' | 'remediation'> & {
  concern: string;
  changes?: Finding['changes'];
  remediation?: string[];
};

export function finding(stack: string, draft: FindingDraft): Finding {
  const { concern, ...rest } = draft;
  return {
    id: findingId(stack, draft.resource, draft.kind, concern),
    kind: rest.kind,
    severity: rest.severity,
    direction: rest.direction,
    resource: rest.resource,
    summary: rest.summary,
    expected: rest.expected,
    actual: rest.actual,
    changes: rest.changes ?? [],
    actor: null,
    remediation: rest.remediation ?? [],
  };
}
