/**
 * The checks of one promised role: does it exist, was it re-created behind the stack's back,
 * its trust policy and its settings (path, maximum session duration, tags). Its grants are
 * checked in compare-grants.ts.
 */
import type { PromisedRole } from '../template/types';
import { isUnknown, secretPlaceholder, type UnknownValue } from '../values';
import {
  type ComparisonContext,
  changeText,
  directionText,
  knownTags,
  roleRef,
  unknownText,
} from './compare-context';
import { checkAttachments, checkBoundary, checkInlinePolicies } from './compare-grants';
import { findingDirection, trustSeverity } from './findings';
import { isUnreadable, type LiveRole } from './live-state';
import { cli } from './remediation';
import type { ResourceRef } from './types';

/** Checks one promised role against the live state, and records what was checked. */
export function checkRole(ctx: ComparisonContext, role: PromisedRole): void {
  const ref = roleRef(role, null);
  if (isUnknown(role.name)) {
    ctx.incomplete(ref, 'role name', `its name ${unknownText(role.name)}`);
    ctx.notChecked(ref, `its name ${unknownText(role.name)}`);
    return;
  }
  const live = ctx.input.live.roles.get(role.name);
  if (isUnreadable(live)) {
    ctx.incomplete(ref, 'role', `role ${role.name} could not be read: ${live.reason}`);
    ctx.notChecked(ref, live.reason);
    return;
  }
  if (live === null || live === undefined) {
    missingRole(ctx, role, ref);
    ctx.checked(ref);
    return;
  }

  const liveRef = roleRef(role, live);
  ctx.checked(liveRef);
  for (const p of role.inlinePolicies) {
    if (p.definedBy.logicalId !== role.logicalId) {
      ctx.checked({ ...liveRef, type: p.definedBy.type, logicalId: p.definedBy.logicalId });
    }
  }
  recreated(ctx, role, live, liveRef);
  trust(ctx, role, live, liveRef);
  checkBoundary(ctx, role, live, liveRef);
  checkInlinePolicies(ctx, role, live, liveRef);
  checkAttachments(ctx, role, live, liveRef);
  settings(ctx, role, live, liveRef);
}

function missingRole(ctx: ComparisonContext, role: PromisedRole, ref: ResourceRef): void {
  const name = role.name as string;
  const trust = ctx.masked(role.trustPolicy);
  const dependents = typeof role.arn === 'string' ? trustsNaming(ctx, role, role.arn) : [];
  const remediation = [
    cli.createRole(name, {
      path: role.path,
      trust,
      maxSessionDuration: role.maxSessionDuration,
      boundary: typeof role.permissionsBoundary === 'string' ? role.permissionsBoundary : null,
      tags: tagsForCommand(role.tags),
    }),
    ...role.inlinePolicies
      .filter((p) => typeof p.name === 'string')
      .map((p) => cli.putInline(name, p.name as string, ctx.masked(p.document))),
    ...ctx
      .expectedManaged(role)
      .filter((a): a is string => typeof a === 'string')
      .map((arn) => cli.attach('role', name, arn)),
    ...dependents.map((d) => cli.updateTrust(d.name as string, ctx.masked(d.trustPolicy))),
  ];
  const broken =
    dependents.length === 0
      ? ''
      : ` IAM turned the trust policies that named it (${dependents.map((d) => d.logicalId).join(', ')}) to its old unique ID, which a re-created role does not have, so they are saved again after it.`;
  ctx.add({
    kind: 'role-missing',
    severity: 'HIGH',
    direction: null,
    resource: ref,
    concern: 'role',
    summary: `Role ${role.logicalId} (${name}) does not exist: the connector cannot use it.${broken}`,
    expected: { roleName: name, path: role.path },
    actual: null,
    remediation,
  });
}

/** The other promised roles whose trust policy names `arn`, with a name to run commands on. */
function trustsNaming(ctx: ComparisonContext, role: PromisedRole, arn: string): PromisedRole[] {
  return ctx.input.promised.roles.filter(
    (other) =>
      other !== role &&
      typeof other.name === 'string' &&
      JSON.stringify(other.trustPolicy).includes(arn),
  );
}

/**
 * Tag values for a command: known ones as they are, one built from a NoEcho parameter as that
 * parameter's placeholder, any other unknown one as its own placeholder, to fill in.
 */
function tagsForCommand(tags: Record<string, string | UnknownValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).map(([k, v]) => [k, typeof v === 'string' ? v : hiddenAs(v)]),
  );
}

/** What stands for a value the template knows only as unknown: a secret's placeholder, or its own. */
function hiddenAs(value: UnknownValue): string {
  const noEcho = /^NoEcho parameter (.+)$/.exec(value.source);
  return noEcho?.[1] === undefined ? value.toJSON() : secretPlaceholder(noEcho[1]);
}

function recreated(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
): void {
  if (role.lastUpdated === undefined || live.createDate === null) return;
  if (live.createDate.getTime() <= role.lastUpdated.getTime()) return;
  const dependents = trustsNaming(ctx, role, live.arn);
  const remediation = dependents.map((d) =>
    cli.updateTrust(d.name as string, ctx.masked(d.trustPolicy)),
  );
  ctx.add({
    kind: 'role-recreated',
    severity: 'HIGH',
    direction: null,
    resource: ref,
    concern: 'role',
    summary: `Role ${role.logicalId} (${live.name}) was re-created outside the stack at ${live.createDate.toISOString()}, after the stack last updated it at ${role.lastUpdated.toISOString()}: it has a new unique ID (${live.roleId}), so every trust policy that named the old role no longer matches it.${dependents.length > 0 ? ' Saving the trust policies that name it again restores them.' : ''}`,
    expected: { createdBy: 'the stack', notCreatedAfter: role.lastUpdated.toISOString() },
    actual: { roleId: live.roleId, createDate: live.createDate.toISOString() },
    remediation,
  });
}

function trust(ctx: ComparisonContext, role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
  const verdict = ctx.judge(role.trustPolicy, live.trustPolicy, 'trust');
  if (verdict.outcome === 'same') return;
  if (verdict.outcome === 'incomplete') {
    ctx.incomplete(ref, 'trust policy', `the trust policy of role ${live.name} ${verdict.reason}`);
    return;
  }
  const { comparison } = verdict;
  ctx.add({
    kind: 'trust-policy-changed',
    severity: trustSeverity(comparison),
    direction: findingDirection(comparison.direction),
    resource: ref,
    concern: 'trust',
    summary: `Role ${role.logicalId} (${live.name}): trust policy ${directionText(comparison.direction)}: ${changeText(comparison)}.`,
    expected: ctx.masked(role.trustPolicy),
    actual: ctx.maskedLive(live.trustPolicy),
    changes: comparison.changes,
    remediation: [cli.updateTrust(live.name, ctx.masked(role.trustPolicy))],
  });
}

function settings(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
): void {
  const who = `Role ${role.logicalId} (${live.name})`;
  if (role.path !== live.path) {
    ctx.add({
      kind: 'role-setting-changed',
      severity: 'LOW',
      direction: null,
      resource: ref,
      concern: 'path',
      summary: `${who}: path is ${live.path} where the template sets ${role.path}; IAM cannot change a role's path in place, so re-create the role through the stack.`,
      expected: { path: role.path },
      actual: { path: live.path },
    });
  }

  if (isUnreadable(live.maxSessionDuration)) {
    const reason = live.maxSessionDuration.reason;
    const what = `the maximum session duration of role ${live.name} (${reason})`;
    ctx.incomplete(ref, 'max-session-duration', what);
  } else if (live.maxSessionDuration !== role.maxSessionDuration) {
    const grew = live.maxSessionDuration > role.maxSessionDuration;
    ctx.add({
      kind: 'role-setting-changed',
      severity: grew ? 'MEDIUM' : 'LOW',
      direction: null,
      resource: ref,
      concern: 'max-session-duration',
      summary: `${who}: maximum session duration ${grew ? 'raised' : 'lowered'} from ${role.maxSessionDuration} to ${live.maxSessionDuration} seconds.`,
      expected: { maxSessionDuration: role.maxSessionDuration },
      actual: { maxSessionDuration: live.maxSessionDuration },
      remediation: [cli.updateSessionDuration(live.name, role.maxSessionDuration)],
    });
  }

  tags(ctx, role, live, ref, who);
}

function tags(
  ctx: ComparisonContext,
  role: PromisedRole,
  live: LiveRole,
  ref: ResourceRef,
  who: string,
): void {
  if (isUnreadable(live.tags)) {
    ctx.incomplete(
      ref,
      'tags',
      `the tags of role ${live.name} could not be read: ${live.tags.reason}`,
    );
    return;
  }
  // Stack-level tags reach a role only when CloudFormation last wrote it, so a role may lack
  // one without anyone having touched it: they are accepted, and checked only when present.
  const stackTags = ctx.input.stackTags ?? sharedTags(ctx);
  const expected: Record<string, string | UnknownValue> = { ...stackTags, ...role.tags };
  const actual = Object.fromEntries(
    Object.entries(live.tags).filter(([k]) => !k.startsWith('aws:')),
  );
  const unknown = Object.entries(expected).filter(([k, v]) => isUnknown(v) && k in actual);
  // A live value the template knows only as unknown is shown as its placeholder: one built
  // from a NoEcho parameter is a secret, kept out of every finding.
  const shown = { ...actual };
  for (const [k, v] of unknown) {
    const placeholder = hiddenAs(v as UnknownValue);
    if (placeholder.startsWith('<secret:')) ctx.hide(actual[k] as string, placeholder);
    shown[k] = placeholder;
  }
  const restore: Record<string, string> = {};
  const removeKeys: string[] = [];
  for (const [k, v] of Object.entries(expected)) {
    if (isUnknown(v)) continue;
    const optional = k in stackTags && !(k in role.tags);
    if (optional && !(k in actual)) continue;
    if (actual[k] !== v) restore[k] = v;
  }
  for (const k of Object.keys(actual)) if (!(k in expected)) removeKeys.push(k);
  if (unknown.length > 0) {
    ctx.incomplete(
      ref,
      'tags',
      `the values of tags ${unknown.map(([k]) => k).join(', ')} on role ${live.name} ${unknown.map(([, v]) => unknownText(v as UnknownValue)).join('; ')}`,
    );
  }
  if (Object.keys(restore).length === 0 && removeKeys.length === 0) return;
  const parts = [
    ...Object.keys(restore).map((k) => (k in actual ? `tag ${k} changed` : `tag ${k} removed`)),
    ...removeKeys.map((k) => `tag ${k} added`),
  ];
  const remediation: string[] = [];
  if (removeKeys.length > 0) remediation.push(cli.untagRole(live.name, removeKeys));
  if (Object.keys(restore).length > 0) remediation.push(cli.tagRole(live.name, restore));
  ctx.add({
    kind: 'role-setting-changed',
    severity: 'LOW',
    direction: null,
    resource: ref,
    concern: 'tags',
    summary: `${who}: ${parts.join(', ')}.`,
    expected: { tags: knownTags(expected) },
    actual: { tags: shown },
    remediation,
  });
}

/**
 * Offline, the stack's own tags are not known; CloudFormation puts them on every role it
 * creates, so a tag every live stack role carries alike is taken as one of them.
 */
function sharedTags(ctx: ComparisonContext): Record<string, string> {
  const tagSets: Record<string, string>[] = [];
  for (const role of ctx.input.promised.roles) {
    if (isUnknown(role.name)) continue;
    const live = ctx.input.live.roles.get(role.name);
    if (live === null || live === undefined || isUnreadable(live) || isUnreadable(live.tags))
      continue;
    tagSets.push(live.tags);
  }
  if (tagSets.length < 2) return {};
  const [first, ...rest] = tagSets as [Record<string, string>, ...Record<string, string>[]];
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((t) => t[k] === v)),
  );
}
