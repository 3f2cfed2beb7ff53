/**
 * The live IAM state of the roles and policies a stack promises, however it was read: per-role
 * API calls, GetAccountAuthorizationDetails, or an offline export. The comparison reads only
 * this shape, so every source is judged by the same rules.
 */

/** Something that exists but could not be read; `reason` is one sentence a user reads. */
export class Unreadable {
  readonly kind = 'unreadable';

  constructor(readonly reason: string) {}
}

export function isUnreadable(value: unknown): value is Unreadable {
  return value instanceof Unreadable;
}

export interface AttachedPolicyRef {
  arn: string;
  name: string;
}

export interface LiveRole {
  name: string;
  arn: string;
  roleId: string;
  path: string;
  createDate: Date | null;
  /** The decoded trust policy. */
  trustPolicy: unknown;
  maxSessionDuration: number | Unreadable;
  permissionsBoundaryArn: string | null;
  tags: Record<string, string> | Unreadable;
  /** Inline policies by name, each a decoded document or why it could not be read. */
  inlinePolicies: Map<string, unknown> | Unreadable;
  attachedPolicies: AttachedPolicyRef[] | Unreadable;
}

export interface LivePolicyVersion {
  versionId: string;
  isDefault: boolean;
  createDate: Date | null;
  /** Present when the source gave it (an account export, GetAccountAuthorizationDetails). */
  document?: unknown;
}

export interface LivePolicy {
  arn: string;
  name: string;
  path: string;
  defaultVersionId: string | null;
  /** The default version's decoded document. */
  document: unknown;
  /** Every version, when the source listed them; null when it did not. */
  versions: LivePolicyVersion[] | null;
  /** Every entity it is attached to; null when not read (a policy read only for its grant). */
  attachedTo: { roles: string[]; users: string[]; groups: string[] } | Unreadable | null;
}

export type ReadMode = 'per-role' | 'account' | 'snapshot';

/** What was found: a role or policy, `null` when it does not exist, or why it is unreadable. */
export interface LiveIamState {
  mode: ReadMode;
  roles: Map<string, LiveRole | null | Unreadable>;
  /** By ARN: the stack's own policies, and every other policy whose grant had to be judged. */
  policies: Map<string, LivePolicy | null | Unreadable>;
}
