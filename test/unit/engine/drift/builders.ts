/**
 * Builders for drift-check fixtures: a promised role or policy, its live counterpart, and whole
 * states, each from partial values over sensible defaults (one role that trusts a vendor
 * account with an external ID, one inline policy, nothing else).
 */
import type {
  LiveIamState,
  LivePolicy,
  LiveRole,
  Unreadable,
} from '../../../../functions/engine/drift/live-state';
import type {
  PromisedIamState,
  PromisedManagedPolicy,
  PromisedRole,
} from '../../../../functions/engine/template/types';
import { SecretValue, sha256Hex } from '../../../../functions/engine/values';

export const ACCOUNT = '123456789012';
export const VENDOR = '111122223333';
export const CANARY_EXTERNAL_ID = 'canary-ExtId-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

export function trustWith(externalId: unknown, principal: unknown = `arn:aws:iam::${VENDOR}:root`) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

export function allow(actions: string | string[], resource: string | string[] = '*') {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
  };
}

export function deny(actions: string | string[], resource: string | string[] = '*') {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: actions, Resource: resource }],
  };
}

export const READ_LOGS = allow(
  ['logs:GetLogEvents'],
  `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:app`,
);

export function secret(clear = CANARY_EXTERNAL_ID): SecretValue {
  return new SecretValue('TenantExternalId', sha256Hex(clear));
}

export function promisedRole(partial: Partial<PromisedRole> = {}): PromisedRole {
  const name = typeof partial.name === 'string' ? partial.name : 'acme-tenant';
  return {
    logicalId: 'TenantRole',
    name,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    trustPolicy: trustWith(secret()),
    inlinePolicies: [
      {
        name: 'read-logs',
        document: READ_LOGS,
        definedBy: { logicalId: 'TenantRole', type: 'AWS::IAM::Role' },
      },
    ],
    managedPolicyArns: [],
    permissionsBoundary: null,
    maxSessionDuration: 3600,
    tags: {},
    ...partial,
  };
}

export function liveRole(partial: Partial<LiveRole> = {}): LiveRole {
  const name = partial.name ?? 'acme-tenant';
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    roleId: 'AROAEXAMPLEROLEID0001',
    path: '/',
    createDate: new Date('2026-01-01T00:00:00Z'),
    trustPolicy: trustWith(CANARY_EXTERNAL_ID),
    maxSessionDuration: 3600,
    permissionsBoundaryArn: null,
    tags: {},
    inlinePolicies: new Map([['read-logs', READ_LOGS]]),
    attachedPolicies: [],
    ...partial,
  };
}

export function promisedPolicy(
  partial: Partial<PromisedManagedPolicy> = {},
): PromisedManagedPolicy {
  const name = typeof partial.name === 'string' ? partial.name : 'acme-guardrail';
  return {
    logicalId: 'GuardrailPolicy',
    name,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    document: deny('s3:DeleteBucket'),
    attachedTo: { roles: ['acme-tenant'], users: [], groups: [] },
    ...partial,
  };
}

export function livePolicy(partial: Partial<LivePolicy> = {}): LivePolicy {
  const name = partial.name ?? 'acme-guardrail';
  return {
    arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    name,
    path: '/',
    defaultVersionId: 'v1',
    document: deny('s3:DeleteBucket'),
    versions: null,
    attachedTo: { roles: ['acme-tenant'], users: [], groups: [] },
    ...partial,
  };
}

export function promisedState(partial: Partial<PromisedIamState> = {}): PromisedIamState {
  return {
    roles: [promisedRole()],
    managedPolicies: [],
    memberAccountRoles: [],
    notExpanded: [],
    externalRoleGrants: [],
    ...partial,
  };
}

type LiveEntry<T> = T | null | Unreadable;

export function liveState(
  roles: LiveEntry<LiveRole>[] = [liveRole()],
  policies: LiveEntry<LivePolicy>[] = [],
  names: { roles?: string[]; policies?: string[] } = {},
): LiveIamState {
  return {
    mode: 'per-role',
    roles: new Map(
      roles.map((r, i) => [
        names.roles?.[i] ?? (r !== null && 'name' in r ? r.name : `role-${i}`),
        r,
      ]),
    ),
    policies: new Map(
      policies.map((p, i) => [
        names.policies?.[i] ?? (p !== null && 'arn' in p ? p.arn : `policy-${i}`),
        p,
      ]),
    ),
  };
}
