import type { PromisedManagedPolicy } from '../template/types';
import { isUnknown } from '../values';
import {
  type ComparisonContext,
  changeText,
  directionText,
  MANAGED,
  plainNames,
  removalDirection,
  unknownText,
} from './compare-context';
import { findingDirection, grantSeverity, holdsDeny, removalSeverity } from './findings';
import { isUnreadable, type LivePolicy } from './live-state';
import { cli } from './remediation';
import type { ResourceRef } from './types';

/** Checks one of the stack's managed policies: existence, default version, attachments. */
export function checkManagedPolicy(ctx: ComparisonContext, policy: PromisedManagedPolicy): void {
  const ref: ResourceRef = {
    type: MANAGED,
    logicalId: policy.logicalId,
    name: typeof policy.name === 'string' ? policy.name : null,
    arn: typeof policy.arn === 'string' ? policy.arn : null,
  };
  if (isUnknown(policy.arn)) {
    ctx.incomplete(ref, 'policy', `its ARN ${unknownText(policy.arn)}`);
    ctx.notChecked(ref, `its ARN ${unknownText(policy.arn)}`);
    return;
  }
  const arn = policy.arn as string;
  const live = ctx.input.live.policies.get(arn);
  if (isUnreadable(live)) {
    ctx.incomplete(ref, 'policy', `managed policy ${arn} could not be read: ${live.reason}`);
    ctx.notChecked(ref, live.reason);
    return;
  }
  ctx.checked(ref);
  if (live === null || live === undefined) {
    const deny = holdsDeny(policy.document);
    const name = ref.name ?? arn.split('/').pop() ?? arn;
    ctx.add({
      kind: 'managed-policy-changed',
      severity: removalSeverity(deny),
      direction: removalDirection(policy.document),
      resource: ref,
      concern: 'document',
      summary: `Managed policy ${policy.logicalId} (${arn}) was deleted: every role it was attached to lost its grant${deny ? ', and its Deny no longer applies' : ''}.`,
      expected: { document: ctx.masked(policy.document) },
      actual: null,
      remediation: [cli.createPolicy(name, policy.path, ctx.masked(policy.document))],
    });
    return;
  }
  policyDocumentChanged(ctx, policy, live, ref);
  attachedElsewhere(ctx, policy, live, ref);
}

function policyDocumentChanged(
  ctx: ComparisonContext,
  policy: PromisedManagedPolicy,
  live: LivePolicy,
  ref: ResourceRef,
): void {
  if (isUnreadable(live.document)) {
    ctx.incomplete(
      ref,
      'document',
      `the default version of managed policy ${live.arn} could not be read: ${live.document.reason}`,
    );
    return;
  }
  const verdict = ctx.judge(policy.document, live.document, 'permissions');
  if (verdict.outcome === 'same') return;
  if (verdict.outcome === 'incomplete') {
    ctx.incomplete(ref, 'document', `managed policy ${live.arn} ${verdict.reason}`);
    return;
  }
  const { comparison } = verdict;
  ctx.add({
    kind: 'managed-policy-changed',
    severity: grantSeverity(
      comparison.direction,
      ctx.isAdmin(live.document, undefined, holdersOf(ctx, live.arn)) &&
        !ctx.isAdmin(policy.document, undefined, holdersOf(ctx, live.arn)),
    ),
    direction: findingDirection(comparison.direction),
    resource: ref,
    concern: 'document',
    summary: `Managed policy ${policy.logicalId} (${live.name}): default version ${live.defaultVersionId ?? '?'} ${directionText(comparison.direction)}: ${changeText(comparison)}.`,
    expected: { document: ctx.masked(policy.document) },
    actual: { defaultVersionId: live.defaultVersionId, document: ctx.maskedLive(live.document) },
    changes: comparison.changes,
    remediation: restoreVersion(ctx, policy, live),
  });
}

/**
 * Sets back a version that matches the template when one exists, otherwise creates one. IAM
 * keeps five versions at most; when five exist, the oldest non-default one is deleted first.
 * Every source lists the versions of a stack policy; only when IAM refused to list them is the
 * count unknown, and then a comment before the command says what to do if IAM answers
 * LimitExceeded.
 */
function restoreVersion(
  ctx: ComparisonContext,
  policy: PromisedManagedPolicy,
  live: LivePolicy,
): string[] {
  const versions = live.versions ?? [];
  const match = versions.find(
    (v) =>
      !v.isDefault &&
      v.document !== undefined &&
      ctx.judge(policy.document, v.document, 'permissions').outcome === 'same',
  );
  if (match !== undefined) return [cli.setDefaultVersion(live.arn, match.versionId)];
  const commands: string[] = [];
  if (live.versions === null) {
    commands.push(
      '# The versions of this policy could not be listed. IAM keeps five at most: if the ' +
        'command below fails with LimitExceeded, delete the oldest version that is not the ' +
        `default first (aws iam list-policy-versions --policy-arn ${live.arn}).`,
    );
  }
  if (versions.length >= 5) {
    const oldest = versions
      .filter((v) => !v.isDefault)
      .sort((a, b) => (a.createDate?.getTime() ?? 0) - (b.createDate?.getTime() ?? 0))[0];
    if (oldest !== undefined) commands.push(cli.deletePolicyVersion(live.arn, oldest.versionId));
  }
  commands.push(cli.createPolicyVersion(live.arn, ctx.masked(policy.document)));
  return commands;
}

function attachedElsewhere(
  ctx: ComparisonContext,
  policy: PromisedManagedPolicy,
  live: LivePolicy,
  ref: ResourceRef,
): void {
  if (live.attachedTo === null) return;
  if (isUnreadable(live.attachedTo)) {
    ctx.incomplete(
      ref,
      'entities',
      `the entities managed policy ${live.arn} is attached to could not be read: ${live.attachedTo.reason}`,
    );
    return;
  }
  const promisedRoles = [...policy.attachedTo.roles];
  for (const role of ctx.input.promised.roles) {
    if (role.managedPolicyArns.some((a) => a.arn === live.arn)) promisedRoles.push(role.name);
  }
  const expected = {
    role: promisedRoles,
    user: policy.attachedTo.users,
    group: policy.attachedTo.groups,
  };
  const actual = {
    role: live.attachedTo.roles,
    user: live.attachedTo.users,
    group: live.attachedTo.groups,
  };
  const judged = ctx.grantOf(live.document, live.arn, holdersOf(ctx, live.arn));

  for (const type of ['role', 'user', 'group'] as const) {
    const known = new Set(expected[type].filter((n): n is string => typeof n === 'string'));
    const unknown = expected[type].filter(isUnknown);
    for (const name of actual[type]) {
      if (known.has(name)) continue;
      if (unknown.length > 0) {
        ctx.incomplete(
          ref,
          `${type}:${name}`,
          `managed policy ${live.arn} is attached to ${type} ${name}, which may be one the template names by a value that cannot be known (${unknown.map(unknownText).join('; ')})`,
        );
        continue;
      }
      ctx.add({
        kind: 'policy-attached-elsewhere',
        severity: judged.severity,
        direction: judged.direction,
        resource: ref,
        concern: `${type}:${name}`,
        summary: `Managed policy ${policy.logicalId} (${live.name}) is also attached to ${type} ${name}, which the template does not name${judged.admin ? '; it grants admin-equivalent power' : ''}.`,
        expected: {
          attachedTo: {
            roles: plainNames(expected.role),
            users: plainNames(expected.user),
            groups: plainNames(expected.group),
          },
        },
        actual: { entityType: type, entityName: name },
        changes: judged.changes,
        remediation: [cli.detach(type, name, live.arn)],
      });
    }
    // Stack roles are checked from the role's side; users and groups only from here.
    if (type === 'role') continue;
    for (const name of known) {
      if (actual[type].includes(name)) continue;
      ctx.add({
        kind: 'managed-policy-detached',
        severity: removalSeverity(holdsDeny(policy.document)),
        direction: removalDirection(policy.document),
        resource: ref,
        concern: `${type}:${name}`,
        summary: `Managed policy ${policy.logicalId} (${live.name}) is no longer attached to ${type} ${name}.`,
        expected: { entityType: type, entityName: name },
        actual: null,
        remediation: [cli.attach(type, name, live.arn)],
      });
    }
  }
}

/** ARNs of the stack's roles the policy is attached to, as read live. */
function holdersOf(ctx: ComparisonContext, policyArn: string): string[] {
  const out: string[] = [];
  for (const role of ctx.input.live.roles.values()) {
    if (role === null || isUnreadable(role) || isUnreadable(role.attachedPolicies)) continue;
    if (role.attachedPolicies.some((a) => a.arn === policyArn)) out.push(role.arn);
  }
  return out;
}
