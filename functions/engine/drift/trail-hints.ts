/**
 * What to look up in CloudTrail to learn who made the change a finding reports: the resource
 * names to try (LookupAttributes `ResourceName`) and the IAM event names that make that kind of
 * change. The delivery half uses this to attribute findings; the check itself never calls
 * CloudTrail.
 */
import type { Finding, FindingKind } from './types';

export interface TrailHint {
  /** ResourceName values to look up, most specific first. */
  resourceNames: string[];
  /** IAM API calls that make this kind of change. */
  eventNames: string[];
}

const EVENTS: Record<FindingKind, string[]> = {
  'trust-policy-changed': ['UpdateAssumeRolePolicy'],
  'permissions-boundary-changed': ['PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary'],
  'inline-policy-added': ['PutRolePolicy'],
  'inline-policy-changed': ['PutRolePolicy'],
  'inline-policy-removed': ['DeleteRolePolicy'],
  'managed-policy-attached': ['AttachRolePolicy'],
  'managed-policy-detached': [
    'DetachRolePolicy',
    'DetachUserPolicy',
    'DetachGroupPolicy',
    'DeletePolicy',
  ],
  'managed-policy-changed': [
    'CreatePolicyVersion',
    'SetDefaultPolicyVersion',
    'DeletePolicyVersion',
    'DeletePolicy',
  ],
  'policy-attached-elsewhere': ['AttachRolePolicy', 'AttachUserPolicy', 'AttachGroupPolicy'],
  'role-missing': ['DeleteRole'],
  'role-recreated': ['CreateRole', 'DeleteRole'],
  'role-setting-changed': ['UpdateRole', 'TagRole', 'UntagRole', 'CreateRole'],
  'check-incomplete': [],
};

/** The CloudTrail look-up for one finding; no names for `check-incomplete`. */
export function trailHints(finding: Finding): TrailHint {
  const eventNames = EVENTS[finding.kind];
  if (eventNames.length === 0) return { resourceNames: [], eventNames };
  const names: string[] = [];
  const actual = finding.actual as { entityName?: unknown; policyArn?: unknown } | null;
  if (finding.kind === 'policy-attached-elsewhere' && typeof actual?.entityName === 'string') {
    names.push(actual.entityName);
  }
  if (finding.resource.name !== null) names.push(finding.resource.name);
  if (finding.resource.arn !== null) names.push(finding.resource.arn);
  if (typeof actual?.policyArn === 'string') names.push(actual.policyArn);
  const expected = finding.expected as { policyArn?: unknown } | null;
  if (typeof expected?.policyArn === 'string') names.push(expected.policyArn);
  return { resourceNames: [...new Set(names)], eventNames };
}
