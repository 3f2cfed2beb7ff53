/**
 * The grants of one live role against its promise: permissions boundary, inline policies and
 * attached managed policies.
 */
import type { PolicyComparison } from '../policy';
import type { PromisedRole } from '../template/types';
import { isUnknown, type UnknownValue } from '../values';
import {
  type ComparisonContext,
  changeText,
  directionText,
  removalDirection,
  unknownText,
} from './compare-context';
import { findingDirection, grantSeverity, holdsDeny, removalSeverity } from './findings';
import { isUnreadable, type LiveRole } from './live-state';
import { cli } from './remediation';
import type { ResourceRef } from './types';

/** The role's permissions boundary against the promised one. */
export function checkBoundary(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
): void {
  const promised = role.permissionsBoundary;
  const actual = live.permissionsBoundaryArn;
  if (isUnknown(promised)) {
    ctx.incomplete(
      ref,
      'permissions boundary',
      `the permissions boundary of role ${live.name} ${unknownText(promised)}`,
    );
    return;
  }
  if (promised === actual) return;
  const base = {
    kind: 'permissions-boundary-changed' as const,
    resource: ref,
    concern: 'permissions-boundary',
    expected: promised,
    actual,
  };
  if (promised === null) {
    ctx.add({
      ...base,
      severity: 'LOW',
      direction: 'narrowed',
      summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${actual} added where the template sets none.`,
      remediation: [cli.deleteBoundary(live.name)],
    });
    return;
  }
  if (actual === null) {
    ctx.add({
      ...base,
      severity: 'CRITICAL',
      direction: 'widened',
      summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${promised} removed; the role is no longer capped by it.`,
      remediation: [cli.putBoundary(live.name, promised)],
    });
    return;
  }
  const before = ctx.policyDocument(promised);
  const after = ctx.policyDocument(actual);
  let direction: PolicyComparison['direction'] = 'unknown';
  let changes: PolicyComparison['changes'] = [];
  if (before !== undefined && after !== undefined) {
    const verdict = ctx.judge(before, after, 'permissions');
    direction =
      verdict.outcome === 'drift'
        ? verdict.comparison.direction
        : verdict.outcome === 'same'
          ? 'none'
          : 'unknown';
    changes = verdict.outcome === 'drift' ? verdict.comparison.changes : [];
  }
  const severity = direction === 'none' ? 'LOW' : direction === 'narrowed' ? 'MEDIUM' : 'CRITICAL';
  const how = {
    none: 'one that grants the same',
    unknown: 'one whose grant could not be compared with it',
    widened: 'a wider one',
    narrowed: 'a narrower one',
    mixed: 'one wider in some ways and narrower in others',
  }[direction];
  ctx.add({
    ...base,
    severity,
    direction: direction === 'none' ? null : direction,
    summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${promised} replaced by ${actual}, ${how}.`,
    changes,
    remediation: [cli.putBoundary(live.name, promised)],
  });
}

/** The role's inline policies, by name, against the promised ones. */
export function checkInlinePolicies(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
): void {
  if (isUnreadable(live.inlinePolicies)) {
    ctx.incomplete(
      ref,
      'inline policies',
      `the inline policies of role ${live.name} could not be read: ${live.inlinePolicies.reason}`,
    );
    return;
  }
  const liveDocs = live.inlinePolicies;
  const unmatched = new Set(liveDocs.keys());
  const unknownNamed = role.inlinePolicies.filter((p) => isUnknown(p.name));

  for (const p of role.inlinePolicies) {
    if (isUnknown(p.name)) continue;
    const name = p.name as string;
    unmatched.delete(name);
    const concern = `inline:${name}`;
    if (!liveDocs.has(name)) {
      const removed = removalDirection(p.document);
      ctx.add({
        kind: 'inline-policy-removed',
        severity: removalSeverity(holdsDeny(p.document)),
        direction: removed,
        resource: ref,
        concern,
        summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} removed${holdsDeny(p.document) ? '; it held a Deny, so the role can now do more' : '; the connector may break'}.`,
        expected: { policyName: name, document: ctx.masked(p.document) },
        actual: null,
        remediation: [cli.putInline(live.name, name, ctx.masked(p.document))],
      });
      continue;
    }
    const doc = liveDocs.get(name);
    if (isUnreadable(doc)) {
      ctx.incomplete(
        ref,
        concern,
        `inline policy ${name} of role ${live.name} could not be read: ${doc.reason}`,
      );
      continue;
    }
    const verdict = ctx.judge(p.document, doc, 'permissions');
    if (verdict.outcome === 'same') continue;
    if (verdict.outcome === 'incomplete') {
      ctx.incomplete(ref, concern, `inline policy ${name} of role ${live.name} ${verdict.reason}`);
      continue;
    }
    const { comparison } = verdict;
    ctx.add({
      kind: 'inline-policy-changed',
      severity: grantSeverity(
        comparison.direction,
        ctx.isAdmin(doc, undefined, [live.arn]) && !ctx.isAdmin(p.document, undefined, [live.arn]),
      ),
      direction: findingDirection(comparison.direction),
      resource: ref,
      concern,
      summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} ${directionText(comparison.direction)}: ${changeText(comparison)}.`,
      expected: { policyName: name, document: ctx.masked(p.document) },
      actual: { policyName: name, document: ctx.maskedLive(doc) },
      changes: comparison.changes,
      remediation: [cli.putInline(live.name, name, ctx.masked(p.document))],
    });
  }

  for (const name of unmatched) {
    const doc = liveDocs.get(name);
    if (unknownNamed.length > 0) {
      const match = unknownNamed.find(
        (p) => ctx.judge(p.document, doc, 'permissions').outcome === 'same',
      );
      const sources = unknownNamed.map((p) => unknownText(p.name as UnknownValue)).join('; ');
      if (match === undefined) {
        ctx.incomplete(
          ref,
          `inline:${name}`,
          `inline policy ${name} of role ${live.name} may be the one the template names by a value that cannot be known (${sources})`,
        );
      }
      continue;
    }
    const judged = ctx.grantOf(doc, undefined, [live.arn]);
    ctx.add({
      kind: 'inline-policy-added',
      severity: judged.severity,
      direction: judged.direction,
      resource: ref,
      concern: `inline:${name}`,
      summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} added${judged.admin ? ', granting admin-equivalent power' : ''}: ${judged.text}.`,
      expected: null,
      actual: { policyName: name, document: ctx.maskedLive(doc) },
      changes: judged.changes,
      remediation: [cli.deleteInline(live.name, name)],
    });
  }
}

/** The managed policies attached to the role against those the template attaches. */
export function checkAttachments(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
): void {
  if (isUnreadable(live.attachedPolicies)) {
    ctx.incomplete(
      ref,
      'managed policies',
      `the managed policies attached to role ${live.name} could not be read: ${live.attachedPolicies.reason}`,
    );
    return;
  }
  const expected = ctx.expectedManaged(role);
  const unknown = expected.filter(isUnknown);
  const known = new Set(expected.filter((a): a is string => typeof a === 'string'));
  const attached = new Map(live.attachedPolicies.map((a) => [a.arn, a]));

  for (const arn of known) {
    if (attached.has(arn)) continue;
    const doc = ctx.policyDocument(arn);
    const deny = doc !== undefined && holdsDeny(doc);
    ctx.add({
      kind: 'managed-policy-detached',
      severity: removalSeverity(deny),
      direction: doc === undefined ? 'unknown' : removalDirection(doc),
      resource: ref,
      concern: `managed:${arn}`,
      summary: `Role ${role.logicalId} (${live.name}): managed policy ${arn} detached${deny ? '; it held a Deny, so the role can now do more' : '; the connector may break'}.`,
      expected: { policyArn: arn },
      actual: null,
      remediation: [cli.attach('role', live.name, arn)],
    });
  }

  for (const [arn, a] of attached) {
    if (known.has(arn)) continue;
    if (unknown.length > 0) {
      ctx.incomplete(
        ref,
        `managed:${arn}`,
        `managed policy ${arn} attached to role ${live.name} may be the one the template names by a value that cannot be known (${unknown.map(unknownText).join('; ')})`,
      );
      continue;
    }
    const judged = ctx.grantOf(ctx.policyDocument(arn), arn, [live.arn]);
    ctx.add({
      kind: 'managed-policy-attached',
      severity: judged.severity,
      direction: judged.direction,
      resource: ref,
      concern: `managed:${arn}`,
      summary: `Role ${role.logicalId} (${live.name}): managed policy ${a.name || arn} attached${judged.admin ? ', granting admin-equivalent power' : ''}: ${judged.text}.`,
      expected: null,
      actual: { policyArn: arn, policyName: a.name },
      changes: judged.changes,
      remediation: [cli.detach('role', live.name, arn)],
    });
  }
}
