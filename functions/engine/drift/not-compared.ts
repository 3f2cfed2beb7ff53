/**
 * IAM resources a stack may create that the drift check does not compare: it reads roles and
 * managed policies (and the inline policies and attachments of roles), not users, groups,
 * access keys, instance profiles or identity providers. Each one the stack creates is listed
 * in the report's `coverage.notChecked` with why, so nothing IAM-related is left out silently.
 */
import { resolveTemplate } from '../template';
import type { StackContext, TemplateDocument } from '../template/types';
import type { Coverage } from './types';

/** Types compared in full: a Policy too, when it grants only to roles. */
const COMPARED = new Set(['AWS::IAM::Role', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy']);

const REASONS: Record<string, string> = {
  'AWS::IAM::User':
    'IAM users and their policies are not compared; the check covers roles and managed policies',
  'AWS::IAM::Group':
    'IAM groups and their policies are not compared; the check covers roles and managed policies',
  'AWS::IAM::UserPolicy':
    'inline policies of users are not compared; the check covers roles and managed policies',
  'AWS::IAM::GroupPolicy':
    'inline policies of groups are not compared; the check covers roles and managed policies',
  'AWS::IAM::Policy': 'its grants to users and groups are not compared (its grants to roles are)',
  'AWS::IAM::UserToGroupAddition': 'group membership is not compared',
  'AWS::IAM::AccessKey': 'access keys are not compared',
  'AWS::IAM::InstanceProfile': 'which role an instance profile holds is not compared',
  'AWS::IAM::OIDCProvider': 'identity providers, which roles may trust, are not compared',
  'AWS::IAM::SAMLProvider': 'identity providers, which roles may trust, are not compared',
  'AWS::IAM::ServiceLinkedRole':
    'service-linked roles belong to their AWS service and are not compared',
};

interface Declaration {
  Type?: unknown;
  Properties?: Record<string, unknown>;
}

/**
 * The IAM resources of a template the check does not compare, unless the template says they
 * are not created; those the template engine already reported as not expanded are left out.
 */
export function notCompared(
  doc: TemplateDocument,
  ctx: StackContext,
  alreadyListed: ReadonlySet<string>,
): Coverage['notChecked'] {
  const candidates = Object.entries(
    (doc.template.Resources ?? {}) as Record<string, Declaration>,
  ).filter(([logicalId, r]) => !alreadyListed.has(logicalId) && outOfScope(r));
  if (candidates.length === 0) return [];

  const created = createdByLogicalId(doc, ctx);
  return candidates
    .filter(([logicalId]) => created(logicalId))
    .map(([logicalId, r]) => {
      const type = String(r.Type);
      return {
        resource: { type, logicalId, name: null },
        reason:
          REASONS[type] ??
          `resources of type ${type} are not compared; the check covers roles and managed policies`,
      };
    });
}

function outOfScope(r: Declaration): boolean {
  if (typeof r.Type !== 'string' || !r.Type.startsWith('AWS::IAM::')) return false;
  if (COMPARED.has(r.Type)) return false;
  if (r.Type === 'AWS::IAM::Policy') {
    return r.Properties?.Users !== undefined || r.Properties?.Groups !== undefined;
  }
  return true;
}

/** Whether the stack creates a resource: false only when its Condition is decided false. */
function createdByLogicalId(doc: TemplateDocument, ctx: StackContext) {
  let resolved: ReturnType<typeof resolveTemplate> | undefined;
  try {
    resolved = resolveTemplate(doc, ctx);
  } catch {
    // The promised state was computed from the same template; listing too much is the safe side.
    resolved = undefined;
  }
  return (logicalId: string) => resolved?.resources[logicalId]?.created !== false;
}
