/**
 * The drift check: compare every IAM role and policy a stack promises with what is live, and
 * report each difference as a finding. The delivery half (attribution, notification, state,
 * lease, the scheduled run) builds on the report this produces.
 */
export type { CheckDeps, CheckOptions, OfflineInput } from './check';
export { checkOffline, isBusy, runCheck } from './check';
export type { ReportFormat } from './format';
export { exitCodeFor, formatReport, REPORT_FORMATS, sortFindings } from './format';
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
