/**
 * Compares the promised IAM state of a stack with what is live and emits findings. Pure: the
 * live state was read beforehand, so the same rules judge a live read and an offline export.
 *
 * What cannot be decided (a value only known to a custom resource or a macro, a secret whose
 * digest was not supplied, something IAM would not let us read) becomes a `check-incomplete`
 * finding naming what and why; it is never reported as drift, and never left out.
 */

import { describeError } from '../errors';
import { comparePolicies, type PolicyComparison } from '../policy';
import type { PromisedIamState, PromisedManagedPolicy, PromisedRole } from '../template/types';
import { isUnknown, type UnknownValue } from '../values';
import {
  type FindingDraft,
  finding,
  findingDirection,
  grantSeverity,
  holdsDeny,
  isAdminGrant,
  removalSeverity,
  trustSeverity,
} from './findings';
import { isUnreadable, type LiveIamState, type LivePolicy, type LiveRole } from './live-state';
import {
  externalIdsIn,
  maskDocument,
  placeholderFor,
  redactValues,
  type SecretNames,
  secretsIn,
  undigestedAsUnknown,
  unknownSources,
} from './redact';
import { cli } from './remediation';
import type { Coverage, Finding, ResourceRef } from './types';

export interface CompareInput {
  /** The stack's name: part of every finding id. */
  stack: string;
  promised: PromisedIamState;
  live: LiveIamState;
  /** Plain parameter values, to name an external ID that is not NoEcho. */
  parameters: Record<string, string | string[]>;
  accountId: string;
  /** Stack-level tags CloudFormation propagates to the roles; unknown offline. */
  stackTags?: Record<string, string>;
}

export interface CompareResult {
  findings: Finding[];
  coverage: Coverage;
}

const EMPTY_POLICY = { Version: '2012-10-17', Statement: [] };
const ROLE = 'AWS::IAM::Role';
const MANAGED = 'AWS::IAM::ManagedPolicy';

type Verdict =
  | { outcome: 'same' }
  | { outcome: 'incomplete'; reason: string }
  | { outcome: 'drift'; comparison: PolicyComparison };

/** Compares everything promised with the live state; see the module comment. */
export function compareState(input: CompareInput): CompareResult {
  return new Comparison(input).run();
}

class Comparison {
  private readonly drafts: FindingDraft[] = [];
  private readonly coverage: Coverage = { checked: [], notChecked: [] };
  private readonly names: SecretNames;
  /** Clear external IDs seen live that no parameter names: redacted from every output. */
  private readonly liveSecrets = new Set<string>();
  private readonly noSessionDuration: { role: string; reason: string }[] = [];

  constructor(private readonly input: CompareInput) {
    const plain: Record<string, string> = { 'AWS::AccountId': input.accountId };
    for (const [k, v] of Object.entries(input.parameters)) {
      if (typeof v === 'string' && v !== '****') plain[k] = v;
    }
    const secrets = [
      ...input.promised.roles.flatMap((r) => secretsIn(r.trustPolicy)),
      ...input.promised.roles.flatMap((r) =>
        r.inlinePolicies.flatMap((p) => secretsIn(p.document)),
      ),
    ];
    this.names = { secrets, plain };
  }

  run(): CompareResult {
    const { promised } = this.input;
    for (const role of promised.roles) this.role(role);
    for (const policy of promised.managedPolicies) this.managedPolicy(policy);
    this.sessionDurationsUnread();
    this.notExpanded();

    const findings = this.drafts.map((d) => finding(this.input.stack, d));
    const replacements = new Map<string, string>();
    for (const clear of this.liveSecrets) {
      if (!Object.values(this.names.plain).includes(clear)) {
        replacements.set(clear, placeholderFor(clear, this.names));
      }
    }
    return { findings: redactValues(findings, replacements), coverage: this.coverage };
  }

  // Roles

  private role(role: PromisedRole): void {
    const ref = roleRef(role, null);
    if (isUnknown(role.name)) {
      this.incomplete(ref, 'role name', `its name ${unknownText(role.name)}`);
      this.notChecked(ref, `its name ${unknownText(role.name)}`);
      return;
    }
    const live = this.input.live.roles.get(role.name);
    if (isUnreadable(live)) {
      this.incomplete(ref, 'role', `role ${role.name} could not be read: ${live.reason}`);
      this.notChecked(ref, live.reason);
      return;
    }
    if (live === null || live === undefined) {
      this.missingRole(role, ref);
      this.checked(ref);
      return;
    }

    const liveRef = roleRef(role, live);
    this.checked(liveRef);
    for (const p of role.inlinePolicies) {
      if (p.definedBy.logicalId !== role.logicalId) {
        this.checked({ ...liveRef, type: p.definedBy.type, logicalId: p.definedBy.logicalId });
      }
    }
    this.recreated(role, live, liveRef);
    this.trust(role, live, liveRef);
    this.boundary(role, live, liveRef);
    this.inline(role, live, liveRef);
    this.attachments(role, live, liveRef);
    this.settings(role, live, liveRef);
  }

  private missingRole(role: PromisedRole, ref: ResourceRef): void {
    const name = role.name as string;
    const trust = this.masked(role.trustPolicy);
    const remediation = [
      cli.createRole(name, {
        path: role.path,
        trust,
        maxSessionDuration: role.maxSessionDuration,
        boundary: typeof role.permissionsBoundary === 'string' ? role.permissionsBoundary : null,
        tags: knownTags(role.tags),
      }),
      ...role.inlinePolicies
        .filter((p) => typeof p.name === 'string')
        .map((p) => cli.putInline(name, p.name as string, this.masked(p.document))),
      ...this.expectedManaged(role)
        .filter((a): a is string => typeof a === 'string')
        .map((arn) => cli.attach('role', name, arn)),
    ];
    this.add({
      kind: 'role-missing',
      severity: 'HIGH',
      direction: null,
      resource: ref,
      concern: 'role',
      summary: `Role ${role.logicalId} (${name}) does not exist: the connector cannot use it, and trusts that named it are broken until it is re-created.`,
      expected: { roleName: name, path: role.path },
      actual: null,
      remediation,
    });
  }

  private recreated(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    if (role.lastUpdated === undefined || live.createDate === null) return;
    if (live.createDate.getTime() <= role.lastUpdated.getTime()) return;
    const arn = live.arn;
    const dependents = this.input.promised.roles.filter(
      (other) => other !== role && JSON.stringify(other.trustPolicy).includes(arn),
    );
    const remediation = dependents
      .filter((d) => typeof d.name === 'string')
      .map((d) => cli.updateTrust(d.name as string, this.masked(d.trustPolicy)));
    this.add({
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

  private trust(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    const verdict = this.judge(role.trustPolicy, live.trustPolicy, 'trust');
    if (verdict.outcome === 'same') return;
    if (verdict.outcome === 'incomplete') {
      this.incomplete(
        ref,
        'trust policy',
        `the trust policy of role ${live.name} ${verdict.reason}`,
      );
      return;
    }
    const { comparison } = verdict;
    this.add({
      kind: 'trust-policy-changed',
      severity: trustSeverity(comparison.direction),
      direction: findingDirection(comparison.direction),
      resource: ref,
      concern: 'trust',
      summary: `Role ${role.logicalId} (${live.name}): trust policy ${comparison.direction}: ${changeText(comparison)}.`,
      expected: this.masked(role.trustPolicy),
      actual: this.maskedLive(live.trustPolicy),
      changes: comparison.changes,
      remediation: [cli.updateTrust(live.name, this.masked(role.trustPolicy))],
    });
  }

  private boundary(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    const promised = role.permissionsBoundary;
    const actual = live.permissionsBoundaryArn;
    if (isUnknown(promised)) {
      this.incomplete(
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
      this.add({
        ...base,
        severity: 'LOW',
        direction: 'narrowed',
        summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${actual} added where the template sets none.`,
        remediation: [cli.deleteBoundary(live.name)],
      });
      return;
    }
    if (actual === null) {
      this.add({
        ...base,
        severity: 'CRITICAL',
        direction: 'widened',
        summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${promised} removed; the role is no longer capped by it.`,
        remediation: [cli.putBoundary(live.name, promised)],
      });
      return;
    }
    const before = this.policyDocument(promised);
    const after = this.policyDocument(actual);
    let direction: PolicyComparison['direction'] = 'unknown';
    let changes: PolicyComparison['changes'] = [];
    if (before !== undefined && after !== undefined) {
      const verdict = this.judge(before, after, 'permissions');
      direction =
        verdict.outcome === 'drift'
          ? verdict.comparison.direction
          : verdict.outcome === 'same'
            ? 'none'
            : 'unknown';
      changes = verdict.outcome === 'drift' ? verdict.comparison.changes : [];
    }
    const severity =
      direction === 'none' ? 'LOW' : direction === 'narrowed' ? 'MEDIUM' : 'CRITICAL';
    const how =
      direction === 'none'
        ? 'one that grants the same'
        : direction === 'unknown'
          ? 'one whose grant could not be compared with it'
          : `a ${direction} one`;
    this.add({
      ...base,
      severity,
      direction: direction === 'none' ? null : direction,
      summary: `Role ${role.logicalId} (${live.name}): permissions boundary ${promised} replaced by ${actual}, ${how}.`,
      changes,
      remediation: [cli.putBoundary(live.name, promised)],
    });
  }

  private inline(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    if (isUnreadable(live.inlinePolicies)) {
      this.incomplete(
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
        this.add({
          kind: 'inline-policy-removed',
          severity: removalSeverity(holdsDeny(p.document)),
          direction: removed,
          resource: ref,
          concern,
          summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} removed${holdsDeny(p.document) ? '; it held a Deny, so the role can now do more' : '; the connector may break'}.`,
          expected: { policyName: name, document: this.masked(p.document) },
          actual: null,
          remediation: [cli.putInline(live.name, name, this.masked(p.document))],
        });
        continue;
      }
      const doc = liveDocs.get(name);
      if (isUnreadable(doc)) {
        this.incomplete(
          ref,
          concern,
          `inline policy ${name} of role ${live.name} could not be read: ${doc.reason}`,
        );
        continue;
      }
      const verdict = this.judge(p.document, doc, 'permissions');
      if (verdict.outcome === 'same') continue;
      if (verdict.outcome === 'incomplete') {
        this.incomplete(
          ref,
          concern,
          `inline policy ${name} of role ${live.name} ${verdict.reason}`,
        );
        continue;
      }
      const { comparison } = verdict;
      this.add({
        kind: 'inline-policy-changed',
        severity: grantSeverity(
          comparison.direction,
          isAdminGrant(doc) && !isAdminGrant(p.document),
        ),
        direction: findingDirection(comparison.direction),
        resource: ref,
        concern,
        summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} ${comparison.direction}: ${changeText(comparison)}.`,
        expected: { policyName: name, document: this.masked(p.document) },
        actual: { policyName: name, document: this.maskedLive(doc) },
        changes: comparison.changes,
        remediation: [cli.putInline(live.name, name, this.masked(p.document))],
      });
    }

    for (const name of unmatched) {
      const doc = liveDocs.get(name);
      if (unknownNamed.length > 0) {
        const match = unknownNamed.find(
          (p) => this.judge(p.document, doc, 'permissions').outcome === 'same',
        );
        const sources = unknownNamed.map((p) => unknownText(p.name as UnknownValue)).join('; ');
        if (match === undefined) {
          this.incomplete(
            ref,
            `inline:${name}`,
            `inline policy ${name} of role ${live.name} may be the one the template names by a value that cannot be known (${sources})`,
          );
        }
        continue;
      }
      const judged = this.grantOf(doc);
      this.add({
        kind: 'inline-policy-added',
        severity: judged.severity,
        direction: judged.direction,
        resource: ref,
        concern: `inline:${name}`,
        summary: `Role ${role.logicalId} (${live.name}): inline policy ${name} added${judged.admin ? ', granting admin-equivalent power' : ''}: ${judged.text}.`,
        expected: null,
        actual: { policyName: name, document: this.maskedLive(doc) },
        changes: judged.changes,
        remediation: [cli.deleteInline(live.name, name)],
      });
    }
  }

  private attachments(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    if (isUnreadable(live.attachedPolicies)) {
      this.incomplete(
        ref,
        'managed policies',
        `the managed policies attached to role ${live.name} could not be read: ${live.attachedPolicies.reason}`,
      );
      return;
    }
    const expected = this.expectedManaged(role);
    const unknown = expected.filter(isUnknown);
    const known = new Set(expected.filter((a): a is string => typeof a === 'string'));
    const attached = new Map(live.attachedPolicies.map((a) => [a.arn, a]));

    for (const arn of known) {
      if (attached.has(arn)) continue;
      const doc = this.policyDocument(arn);
      const deny = doc !== undefined && holdsDeny(doc);
      this.add({
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
        this.incomplete(
          ref,
          `managed:${arn}`,
          `managed policy ${arn} attached to role ${live.name} may be the one the template names by a value that cannot be known (${unknown.map(unknownText).join('; ')})`,
        );
        continue;
      }
      const judged = this.grantOf(this.policyDocument(arn), arn);
      this.add({
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

  private settings(role: PromisedRole, live: LiveRole, ref: ResourceRef): void {
    const who = `Role ${role.logicalId} (${live.name})`;
    if (role.path !== live.path) {
      this.add({
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
      this.noSessionDuration.push({ role: live.name, reason: live.maxSessionDuration.reason });
    } else if (live.maxSessionDuration !== role.maxSessionDuration) {
      const grew = live.maxSessionDuration > role.maxSessionDuration;
      this.add({
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

    this.tags(role, live, ref, who);
  }

  private tags(role: PromisedRole, live: LiveRole, ref: ResourceRef, who: string): void {
    if (isUnreadable(live.tags)) {
      this.incomplete(
        ref,
        'tags',
        `the tags of role ${live.name} could not be read: ${live.tags.reason}`,
      );
      return;
    }
    const expected: Record<string, string | UnknownValue> = {
      ...(this.input.stackTags ?? this.sharedTags()),
      ...role.tags,
    };
    const actual = Object.fromEntries(
      Object.entries(live.tags).filter(([k]) => !k.startsWith('aws:')),
    );
    const unknown = Object.entries(expected).filter(([k, v]) => isUnknown(v) && k in actual);
    const restore: Record<string, string> = {};
    const removeKeys: string[] = [];
    for (const [k, v] of Object.entries(expected)) {
      if (isUnknown(v)) continue;
      if (actual[k] !== v) restore[k] = v;
    }
    for (const k of Object.keys(actual)) if (!(k in expected)) removeKeys.push(k);
    if (unknown.length > 0) {
      this.incomplete(
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
    this.add({
      kind: 'role-setting-changed',
      severity: 'LOW',
      direction: null,
      resource: ref,
      concern: 'tags',
      summary: `${who}: ${parts.join(', ')}.`,
      expected: { tags: knownTags(expected) },
      actual: { tags: actual },
      remediation,
    });
  }

  /**
   * Offline, the stack's own tags are not known; CloudFormation puts them on every role it
   * creates, so a tag every live stack role carries alike is taken as one of them.
   */
  private sharedTags(): Record<string, string> {
    const tagSets: Record<string, string>[] = [];
    for (const role of this.input.promised.roles) {
      if (isUnknown(role.name)) continue;
      const live = this.input.live.roles.get(role.name);
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

  private sessionDurationsUnread(): void {
    if (this.noSessionDuration.length === 0) return;
    const roles = this.noSessionDuration.map((r) => r.role);
    const reasons = [...new Set(this.noSessionDuration.map((r) => r.reason))];
    this.add({
      kind: 'check-incomplete',
      severity: 'MEDIUM',
      direction: null,
      resource: { type: ROLE, logicalId: null, name: null, arn: null },
      concern: 'max-session-duration',
      summary: `The maximum session duration of ${roles.length === 1 ? 'role' : `${roles.length} roles`} (${roles.join(', ')}) was not checked: ${reasons.join('; ')}.`,
      expected: null,
      actual: { roles, reason: reasons.join('; ') },
    });
  }

  // Managed policies of the stack

  private managedPolicy(policy: PromisedManagedPolicy): void {
    const ref: ResourceRef = {
      type: MANAGED,
      logicalId: policy.logicalId,
      name: typeof policy.name === 'string' ? policy.name : null,
      arn: typeof policy.arn === 'string' ? policy.arn : null,
    };
    if (isUnknown(policy.arn)) {
      this.incomplete(ref, 'policy', `its ARN ${unknownText(policy.arn)}`);
      this.notChecked(ref, `its ARN ${unknownText(policy.arn)}`);
      return;
    }
    const arn = policy.arn as string;
    const live = this.input.live.policies.get(arn);
    if (isUnreadable(live)) {
      this.incomplete(ref, 'policy', `managed policy ${arn} could not be read: ${live.reason}`);
      this.notChecked(ref, live.reason);
      return;
    }
    this.checked(ref);
    if (live === null || live === undefined) {
      const deny = holdsDeny(policy.document);
      const name = ref.name ?? arn.split('/').pop() ?? arn;
      this.add({
        kind: 'managed-policy-changed',
        severity: removalSeverity(deny),
        direction: removalDirection(policy.document),
        resource: ref,
        concern: 'document',
        summary: `Managed policy ${policy.logicalId} (${arn}) was deleted: every role it was attached to lost its grant${deny ? ', and its Deny no longer applies' : ''}.`,
        expected: { document: this.masked(policy.document) },
        actual: null,
        remediation: [cli.createPolicy(name, policy.path, this.masked(policy.document))],
      });
      return;
    }
    this.policyDocumentChanged(policy, live, ref);
    this.attachedElsewhere(policy, live, ref);
  }

  private policyDocumentChanged(
    policy: PromisedManagedPolicy,
    live: LivePolicy,
    ref: ResourceRef,
  ): void {
    if (isUnreadable(live.document)) {
      this.incomplete(
        ref,
        'document',
        `the default version of managed policy ${live.arn} could not be read: ${live.document.reason}`,
      );
      return;
    }
    const verdict = this.judge(policy.document, live.document, 'permissions');
    if (verdict.outcome === 'same') return;
    if (verdict.outcome === 'incomplete') {
      this.incomplete(ref, 'document', `managed policy ${live.arn} ${verdict.reason}`);
      return;
    }
    const { comparison } = verdict;
    this.add({
      kind: 'managed-policy-changed',
      severity: grantSeverity(
        comparison.direction,
        isAdminGrant(live.document) && !isAdminGrant(policy.document),
      ),
      direction: findingDirection(comparison.direction),
      resource: ref,
      concern: 'document',
      summary: `Managed policy ${policy.logicalId} (${live.name}): default version ${live.defaultVersionId ?? '?'} ${comparison.direction}: ${changeText(comparison)}.`,
      expected: { document: this.masked(policy.document) },
      actual: { defaultVersionId: live.defaultVersionId, document: this.maskedLive(live.document) },
      changes: comparison.changes,
      remediation: this.restoreVersion(policy, live),
    });
  }

  /**
   * Sets back a version that matches the template when one exists, otherwise creates one. IAM
   * keeps five versions at most; when the source listed them and five exist, the oldest
   * non-default one is deleted first. A per-role live read does not list versions: there the
   * command may fail on a full policy, and IAM's error says which version to delete.
   */
  private restoreVersion(policy: PromisedManagedPolicy, live: LivePolicy): string[] {
    const versions = live.versions ?? [];
    const match = versions.find(
      (v) =>
        !v.isDefault &&
        v.document !== undefined &&
        this.judge(policy.document, v.document, 'permissions').outcome === 'same',
    );
    if (match !== undefined) return [cli.setDefaultVersion(live.arn, match.versionId)];
    const commands: string[] = [];
    if (versions.length >= 5) {
      const oldest = versions
        .filter((v) => !v.isDefault)
        .sort((a, b) => (a.createDate?.getTime() ?? 0) - (b.createDate?.getTime() ?? 0))[0];
      if (oldest !== undefined) commands.push(cli.deletePolicyVersion(live.arn, oldest.versionId));
    }
    commands.push(cli.createPolicyVersion(live.arn, this.masked(policy.document)));
    return commands;
  }

  private attachedElsewhere(
    policy: PromisedManagedPolicy,
    live: LivePolicy,
    ref: ResourceRef,
  ): void {
    if (live.attachedTo === null) return;
    if (isUnreadable(live.attachedTo)) {
      this.incomplete(
        ref,
        'entities',
        `the entities managed policy ${live.arn} is attached to could not be read: ${live.attachedTo.reason}`,
      );
      return;
    }
    const promisedRoles = [...policy.attachedTo.roles];
    for (const role of this.input.promised.roles) {
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
    const judged = this.grantOf(live.document, live.arn);

    for (const type of ['role', 'user', 'group'] as const) {
      const known = new Set(expected[type].filter((n): n is string => typeof n === 'string'));
      const unknown = expected[type].filter(isUnknown);
      for (const name of actual[type]) {
        if (known.has(name)) continue;
        if (unknown.length > 0) {
          this.incomplete(
            ref,
            `${type}:${name}`,
            `managed policy ${live.arn} is attached to ${type} ${name}, which may be one the template names by a value that cannot be known (${unknown.map(unknownText).join('; ')})`,
          );
          continue;
        }
        this.add({
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
        this.add({
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

  private notExpanded(): void {
    const { promised } = this.input;
    for (const part of promised.notExpanded) {
      const ref: ResourceRef = {
        type: part.type,
        logicalId: part.logicalId,
        name: null,
        arn: null,
      };
      this.incomplete(
        ref,
        'not-expanded',
        `${part.logicalId} (${part.type}) could not be expanded offline: ${part.reason}`,
      );
      this.notChecked(ref, part.reason);
    }
    for (const member of promised.memberAccountRoles) {
      const ref = roleRef(member.role, null);
      this.notChecked(
        ref,
        `deployed into member accounts by StackSet ${member.stackSetLogicalId}, not into this account`,
      );
    }
    for (const grant of promised.externalRoleGrants ?? []) {
      const name = typeof grant.roleName === 'string' ? grant.roleName : null;
      this.notChecked(
        { type: grant.definedBy.type, logicalId: grant.definedBy.logicalId, name },
        `grants to role ${name ?? String(grant.roleName)}, which the stack does not create; roles outside the stack are not compared`,
      );
    }
  }

  // Helpers

  /** Decides whether a live document matches the promise, or why that cannot be known. */
  private judge(expected: unknown, live: unknown, kind: 'trust' | 'permissions'): Verdict {
    if (live === undefined || live === null)
      return { outcome: 'incomplete', reason: 'has no document to compare' };
    for (const clear of externalIdsIn(live)) this.liveSecrets.add(clear);
    const comparable = undigestedAsUnknown(expected);
    let comparison: PolicyComparison;
    try {
      comparison = comparePolicies(comparable, live, { kind });
    } catch (error) {
      return { outcome: 'incomplete', reason: `could not be compared: ${describeError(error)}` };
    }
    if (comparison.equivalent || comparison.direction === 'none') return { outcome: 'same' };
    const sources = unknownSources(comparable);
    if (comparison.direction === 'unknown' && sources.size > 0) {
      const reason = comparison.reason ?? `not verifiable: depends on ${[...sources].join(', ')}`;
      return { outcome: 'incomplete', reason: `cannot be verified offline (${reason})` };
    }
    return { outcome: 'drift', comparison };
  }

  /** How a grant that should not be there weighs: direction, severity, changes. */
  private grantOf(document: unknown, arn?: string) {
    const admin = isAdminGrant(document, arn);
    if (document === undefined || document === null || isUnreadable(document)) {
      return {
        admin,
        severity: admin ? ('CRITICAL' as const) : ('HIGH' as const),
        direction: 'unknown' as const,
        changes: [],
        text: admin ? 'an AWS administrator policy' : 'its document could not be read',
      };
    }
    const verdict = this.judge(EMPTY_POLICY, document, 'permissions');
    const direction =
      verdict.outcome === 'drift'
        ? verdict.comparison.direction
        : verdict.outcome === 'same'
          ? 'none'
          : 'unknown';
    return {
      admin,
      severity: direction === 'none' ? ('LOW' as const) : grantSeverity(direction, admin),
      direction: findingDirection(direction),
      changes: verdict.outcome === 'drift' ? verdict.comparison.changes : [],
      text: verdict.outcome === 'drift' ? changeText(verdict.comparison) : 'grants nothing',
    };
  }

  private policyDocument(arn: string): unknown {
    const stack = this.input.promised.managedPolicies.find((p) => p.arn === arn);
    if (stack !== undefined) return stack.document;
    const live = this.input.live.policies.get(arn);
    if (live === null || live === undefined || isUnreadable(live) || isUnreadable(live.document))
      return undefined;
    return live.document;
  }

  private expectedManaged(role: PromisedRole): (string | UnknownValue)[] {
    const out: (string | UnknownValue)[] = role.managedPolicyArns.map((a) => a.arn);
    for (const policy of this.input.promised.managedPolicies) {
      const names = policy.attachedTo.roles;
      const named = names.some((n) => n === role.name);
      if (named && !out.includes(policy.arn)) out.push(policy.arn);
    }
    return out;
  }

  private masked(document: unknown): unknown {
    return maskDocument(document, this.names);
  }

  private maskedLive(document: unknown): unknown {
    return maskDocument(document, this.names, this.liveSecrets);
  }

  private add(draft: FindingDraft): void {
    this.drafts.push(draft);
  }

  private incomplete(ref: ResourceRef, concern: string, reason: string): void {
    this.add({
      kind: 'check-incomplete',
      severity: 'MEDIUM',
      direction: null,
      resource: ref,
      concern,
      summary: `Not checked: ${reason}.`,
      expected: null,
      actual: { reason },
    });
  }

  private checked(ref: ResourceRef): void {
    this.coverage.checked.push({ type: ref.type, logicalId: ref.logicalId ?? '', name: ref.name });
  }

  private notChecked(
    ref: { type: string; logicalId: string | null; name: string | null },
    reason: string,
  ): void {
    this.coverage.notChecked.push({
      resource: { type: ref.type, logicalId: ref.logicalId ?? '', name: ref.name },
      reason,
    });
  }
}

function roleRef(role: PromisedRole, live: LiveRole | null): ResourceRef {
  return {
    type: ROLE,
    logicalId: role.logicalId,
    name: typeof role.name === 'string' ? role.name : null,
    arn: live?.arn ?? (typeof role.arn === 'string' ? role.arn : null),
  };
}

function unknownText(value: UnknownValue): string {
  return `depends on ${value.source} (${value.reason})`;
}

function changeText(comparison: PolicyComparison): string {
  if (comparison.changes.length === 0) return comparison.reason ?? 'the documents differ';
  const shown = comparison.changes.slice(0, 3).map((c) => c.summary);
  const more = comparison.changes.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

function removalDirection(document: unknown) {
  try {
    const d = comparePolicies(undigestedAsUnknown(document), EMPTY_POLICY).direction;
    return findingDirection(d === 'none' ? 'narrowed' : d);
  } catch {
    return 'unknown' as const;
  }
}

function knownTags(tags: Record<string, string | UnknownValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function plainNames(names: (string | UnknownValue)[]): string[] {
  return names.map((n) => (typeof n === 'string' ? n : n.toJSON()));
}
