/**
 * What a stack's status means for a drift check. While an operation is under way, roles are
 * expected to differ from the template, so the check waits for the next run. A stack with
 * nothing deployed (deleted, or rolled back after a failed create) has no roles to check.
 *
 * A failed operation that did not settle (`UPDATE_ROLLBACK_FAILED`, `DELETE_FAILED`, ...) can
 * last for weeks, and its roles still exist and can still be changed: the check runs as usual,
 * and one `check-incomplete` finding on the stack names the status and what it means for the
 * result. It is sent and reminded like any finding, the other findings keep their reminders,
 * and it is resolved once the stack settles.
 */
import type { StackDescription } from '../aws/cloudformation';
import { type FindingDraft, finding } from './findings';
import type { CheckReport, Finding } from './types';

const STACK_TYPE = 'AWS::CloudFormation::Stack';

/** Statuses with nothing deployed: every role is gone, or was never made. */
const NOTHING_DEPLOYED = new Set(['DELETE_COMPLETE', 'ROLLBACK_COMPLETE']);

/** What each settled failed status leaves behind, for the finding's summary. */
const FAILED_MEANING: Record<string, string> = {
  CREATE_FAILED:
    'its creation failed with rollback disabled, so the roles made before the failure ' +
    'remain and those after it are missing',
  ROLLBACK_FAILED:
    'its creation failed and the rollback could not delete everything, so some roles ' +
    'remain and others are gone',
  UPDATE_FAILED:
    'an update failed with rollback disabled, so some roles may hold the new template and ' +
    'others the old one',
  UPDATE_ROLLBACK_FAILED:
    'an update failed and its rollback failed too, so some roles may hold the new template ' +
    'and others the old one',
  IMPORT_ROLLBACK_FAILED:
    'an import failed and its rollback failed too, so imported resources may be left half ' +
    'managed',
  DELETE_FAILED: 'a delete failed part way, so some roles may already be gone and show as missing',
};

/**
 * Whether a check of a stack in this status would report a deploy as drift: while a create,
 * update, rollback, delete or import is under way (every `*_IN_PROGRESS`, including
 * `REVIEW_IN_PROGRESS`). A failed operation that settled is not busy (see the module comment).
 */
export function isBusy(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}

/** Whether the status is a failed operation that did not settle. */
export function isSettledFailure(status: string): boolean {
  return status.endsWith('_FAILED');
}

/** Why a check of the stack is skipped, or null when it runs. */
export function skipReason(stack: StackDescription): string | null {
  if (isBusy(stack.status)) {
    return (
      `Stack ${stack.stackName} is ${stack.status}: a deploy is under way and its roles are ` +
      'expected to differ from the template until it completes, so they were not checked.'
    );
  }
  if (stack.status === 'DELETE_COMPLETE') {
    return `Stack ${stack.stackName} was deleted: there are no roles of its to check.`;
  }
  if (NOTHING_DEPLOYED.has(stack.status)) {
    return (
      `Stack ${stack.stackName} is ${stack.status}: its creation failed and was rolled back, ` +
      'so none of its roles exist to check.'
    );
  }
  return null;
}

/**
 * The `check-incomplete` finding for a stack in a settled failed status, or null for any other
 * status. Its id depends on the stack only, so a change of failed status is a changed finding.
 */
export function failedStatusFinding(stack: StackDescription): Finding | null {
  if (!isSettledFailure(stack.status)) return null;
  const meaning = FAILED_MEANING[stack.status] ?? 'an operation on it failed and did not settle';
  const why = stack.statusReason === null ? '' : ` CloudFormation says: ${stack.statusReason}`;
  const reason =
    `stack ${stack.stackName} is ${stack.status}: ${meaning}. Its roles were checked against ` +
    'the template CloudFormation holds now; a difference may come from the failed operation ' +
    'rather than from a change made outside CloudFormation, and stays reported until the ' +
    'stack settles (continue or retry the rollback, or fix and update the stack)';
  const draft: FindingDraft = {
    kind: 'check-incomplete',
    severity: 'MEDIUM',
    direction: null,
    resource: {
      type: STACK_TYPE,
      logicalId: null,
      name: stack.stackName,
      arn: stack.stackId,
    },
    concern: 'stack-status',
    summary: `Not checked in full: ${reason}.${why}`,
    expected: { stackStatus: 'a settled status (*_COMPLETE)' },
    actual: { stackStatus: stack.status, reason },
  };
  return finding(stack.stackName, draft);
}

/**
 * The stack's failed status and what it means, from a report's `stack-status` finding; for
 * every message of the run to say it. Undefined when the stack is settled.
 */
export function stackStatusNote(report: CheckReport): { status: string; note: string } | undefined {
  const found = report.findings.find(
    (f) => f.kind === 'check-incomplete' && f.resource.type === STACK_TYPE,
  );
  const status = (found?.actual as { stackStatus?: unknown } | undefined)?.stackStatus;
  if (found === undefined || typeof status !== 'string') return undefined;
  return { status, note: found.summary };
}
