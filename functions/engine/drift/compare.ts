/**
 * Compares the promised IAM state of a stack with what is live and emits findings. Pure: the
 * live state was read beforehand, so the same rules judge a live read and an offline export.
 *
 * What cannot be decided (a value only known to a custom resource or a macro, a secret whose
 * digest was not supplied, something IAM would not let us read) becomes a `check-incomplete`
 * finding naming what and why; it is never reported as drift, and never left out.
 */
import type { PromisedIamState } from '../template/types';
import { ComparisonContext, roleRef } from './compare-context';
import { checkManagedPolicy } from './compare-policies';
import { checkRole } from './compare-roles';
import type { LiveIamState } from './live-state';
import type { Coverage, Finding, ResourceRef } from './types';

export interface CompareInput {
  /** The stack's name: part of every finding id. */
  stack: string;
  promised: PromisedIamState;
  live: LiveIamState;
  /** Plain parameter values, to name an external ID that is not NoEcho. */
  parameters: Record<string, string | string[]>;
  accountId: string;
  /** SHA-256 digests of the NoEcho values, by parameter: masked wherever they stand. */
  secretDigests?: Record<string, string>;
  /** SHA-256 digests of the same values lower-cased: masked in any letter case too. */
  foldedDigests?: Record<string, string>;
  /** Stack-level tags CloudFormation propagates to the roles; unknown offline. */
  stackTags?: Record<string, string>;
}

export interface CompareResult {
  findings: Finding[];
  coverage: Coverage;
}

/** Compares everything promised with the live state; see the module comment. */
export function compareState(input: CompareInput): CompareResult {
  const ctx = new ComparisonContext(input);
  for (const role of input.promised.roles) checkRole(ctx, role);
  for (const policy of input.promised.managedPolicies) checkManagedPolicy(ctx, policy);
  reportNotExpanded(ctx);
  return ctx.result();
}

/** What the template engine could not expand, StackSet member roles, grants to outside roles. */
function reportNotExpanded(ctx: ComparisonContext): void {
  const { promised } = ctx.input;
  for (const part of promised.notExpanded) {
    const ref: ResourceRef = {
      type: part.type,
      logicalId: part.logicalId,
      name: null,
      arn: null,
    };
    ctx.incomplete(
      ref,
      'not-expanded',
      `${part.logicalId} (${part.type}) could not be expanded offline: ${part.reason}`,
    );
    ctx.notChecked(ref, part.reason);
  }
  for (const member of promised.memberAccountRoles) {
    const ref = roleRef(member.role, null);
    ctx.notChecked(
      ref,
      `deployed into member accounts by StackSet ${member.stackSetLogicalId}, not into this account`,
    );
  }
  for (const grant of promised.externalRoleGrants ?? []) {
    const name = typeof grant.roleName === 'string' ? grant.roleName : null;
    ctx.notChecked(
      { type: grant.definedBy.type, logicalId: grant.definedBy.logicalId, name },
      `grants to role ${name ?? String(grant.roleName)}, which the stack does not create; roles outside the stack are not compared`,
    );
  }
}
