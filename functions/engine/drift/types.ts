/**
 * The shapes a drift check produces: findings, the report, and what each finding names. The
 * JSON forms are a public interface (SNS subscribers and the CLI's `--format json` read them).
 */
import type { PolicyChange } from '../policy';

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `severity` is at or above `minimum`. */
export function atLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(minimum);
}

export const FINDING_KINDS = [
  'trust-policy-changed',
  'permissions-boundary-changed',
  'inline-policy-added',
  'inline-policy-changed',
  'inline-policy-removed',
  'managed-policy-attached',
  'managed-policy-detached',
  'managed-policy-changed',
  'policy-attached-elsewhere',
  'role-missing',
  'role-recreated',
  'role-setting-changed',
  'check-incomplete',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type FindingDirection = 'widened' | 'narrowed' | 'mixed' | 'unknown' | null;

export interface ResourceRef {
  type: string;
  logicalId: string | null;
  name: string | null;
  arn: string | null;
}

export interface Actor {
  arn: string;
  principalType: string;
  sessionName: string | null;
  eventName: string;
  eventTime: string;
  sourceIp: string | null;
}

export interface Finding {
  /** Digest of stack, resource, kind and the policy or attachment concerned: stable across runs. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  direction: FindingDirection;
  resource: ResourceRef;
  summary: string;
  expected: unknown;
  actual: unknown;
  changes: PolicyChange[];
  actor: Actor | null;
  remediation: string[];
}

export interface Coverage {
  checked: { type: string; logicalId: string; name: string | null }[];
  notChecked: {
    resource: { type: string; logicalId: string; name: string | null };
    reason: string;
  }[];
}

export interface CheckReport {
  stack: string;
  account: string;
  region: string;
  checkedAt: string;
  /** Set when the check did not run because the stack was being deployed. */
  skipped?: { reason: string; stackStatus: string };
  findings: Finding[];
  coverage: Coverage;
}
