/**
 * The drift check: compare every IAM role and policy a stack promises with what is live, and
 * report each difference as a finding. The delivery half (attribution, notification, state,
 * lease, the scheduled run) builds on the report this produces.
 */
export type { AttributionOutcome, AttributionTarget } from './attribution';
export { attribute, DELIVERY_MARGIN_MS } from './attribution';
export type { CheckDeps, CheckOptions, OfflineInput } from './check';
export { checkOffline, isBusy, parseParameters, runCheck } from './check';
export type { ReportFormat } from './format';
export { exitCodeFor, formatReport, REPORT_FORMATS, sortFindings } from './format';
export type { LeaseHolder, LeaseOutcome } from './lease';
export { Lease } from './lease';
export type { MessageContext } from './message';
export { buildMessages, MAX_PARTS, NOTIFICATION_TYPE } from './message';
export type { DeliveryPlan, Notice, NoticeStatus, ResolvedFinding } from './notify';
export { contentDigest, planDelivery } from './notify';
export type { RunDeps, RunOptions, RunOutcome, RunStatus } from './run';
export { PublishError, runDriftGuard } from './run';
export type { StoredFinding, StoredState } from './state';
export { StateStore, StateWriteError } from './state';
export type { TrailHint } from './trail-hints';
export { trailHints } from './trail-hints';
export type {
  Actor,
  CheckReport,
  Coverage,
  Finding,
  FindingDirection,
  FindingKind,
  ResourceRef,
  Severity,
} from './types';
export { atLeast, FINDING_KINDS, SEVERITIES } from './types';
