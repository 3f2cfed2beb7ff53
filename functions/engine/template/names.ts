/**
 * The IAM names a stack will create, with IAM's length limits, for checks made before any role
 * exists (the install validator's name-length and collision rules).
 */
import type { UnknownValue } from '../values';
import type { PromisedIamState } from './types';

/** IAM's limits on names and paths, in characters. */
export const IAM_NAME_LIMITS = {
  role: 64,
  inlinePolicy: 128,
  managedPolicy: 128,
  path: 512,
} as const;

export interface CreatedIamName {
  kind: 'role' | 'inline-policy' | 'managed-policy';
  /** The resource that defines the name. */
  logicalId: string;
  name: string | UnknownValue;
  /** The role an inline policy belongs to. */
  roleLogicalId?: string;
  path?: string;
  /** IAM's limit on this kind of name. */
  limit: number;
}

/** Every role, inline policy and managed policy name the promised state holds. */
export function createdIamNames(state: PromisedIamState): CreatedIamName[] {
  const out: CreatedIamName[] = [];
  for (const role of state.roles) {
    out.push({
      kind: 'role',
      logicalId: role.logicalId,
      name: role.name,
      path: role.path,
      limit: IAM_NAME_LIMITS.role,
    });
    for (const policy of role.inlinePolicies) {
      out.push({
        kind: 'inline-policy',
        logicalId: policy.definedBy.logicalId,
        name: policy.name,
        roleLogicalId: role.logicalId,
        limit: IAM_NAME_LIMITS.inlinePolicy,
      });
    }
  }
  for (const policy of state.managedPolicies) {
    out.push({
      kind: 'managed-policy',
      logicalId: policy.logicalId,
      name: policy.name,
      path: policy.path,
      limit: IAM_NAME_LIMITS.managedPolicy,
    });
  }
  return out;
}
