/**
 * Turning a run's notices into SNS messages. Each message is published with
 * `MessageStructure: json`: readable text under `default` and `email`, the JSON notification
 * under every other protocol that carries a body (`email-json`, `sqs`, `lambda`, `http`,
 * `https`, `firehose`), and one line for `sms`.
 *
 * SNS takes at most 256 KB a message, and each protocol's body counts, so a run with many
 * notices is split into numbered parts, each a complete JSON document. Past {@link MAX_PARTS}
 * parts, the last part summarises the remaining notices with counts. A notice too large for a
 * part on its own (a very long policy document) is sent without its `expected` and `actual`
 * documents, then, if still too large, without its changes and remediation; the JSON says what
 * was omitted. Nothing is ever cut mid-document.
 */
import {
  publishedSize,
  SNS_MESSAGE_LIMIT_BYTES,
  SNS_SUBJECT_MAX_LENGTH,
  type StructuredMessage,
} from '../aws/sns';
import { highestSeverity, type Notice, type NoticeStatus } from './notify';
import { FINDING_KINDS, type FindingKind, SEVERITIES, type Severity } from './types';

/** Parts a run's notification is split into at most; the last one then summarises the rest. */
export const MAX_PARTS = 10;

/** Protocols that receive the JSON notification. */
export const JSON_PROTOCOLS = ['email-json', 'sqs', 'lambda', 'http', 'https', 'firehose'];
/** Protocols that receive the readable text. */
export const TEXT_PROTOCOLS = ['default', 'email'];

/** Identifies the JSON notification's shape for subscribers. */
export const NOTIFICATION_TYPE = 'connector-guard.drift-notification';
export const NOTIFICATION_VERSION = 1;

export interface MessageContext {
  topicArn: string;
  /** Stable across retries of the same run: subscribers drop a repeat by it. */
  runId: string;
  stack: string;
  account: string;
  region: string;
  checkedAt: string;
  trigger: 'schedule' | 'self-check';
  coverage: { checked: number; notChecked: number };
  /** The drift guard's own function name, for the command that prints the full report. */
  functionName?: string;
  /**
   * Set while the stack is in a failed status that did not settle: every message says so, not
   * only those that carry its `check-incomplete` finding.
   */
  stackStatus?: { status: string; note: string };
}

export interface MessageLimits {
  maxBytes: number;
  maxParts: number;
}

const DEFAULT_LIMITS: MessageLimits = { maxBytes: SNS_MESSAGE_LIMIT_BYTES, maxParts: MAX_PARTS };

/** Room kept under the limit for what the size estimate treats as fixed. */
const SAFETY_BYTES = 1_024;

interface Rendered {
  notice: Notice;
  json: Record<string, unknown>;
  text: string;
  cost: number;
}

interface Omitted {
  count: number;
  byStatus: Partial<Record<NoticeStatus, number>>;
  bySeverity: Partial<Record<Severity, number>>;
  byKind: Partial<Record<FindingKind, number>>;
  highest: Severity;
  kinds: FindingKind[];
}

/**
 * The messages that carry a run's notices: one when they fit, otherwise numbered parts.
 *
 * @example
 * for (const message of buildMessages(plan.notices, context)) await sns.publish(message);
 */
export function buildMessages(
  notices: Notice[],
  context: MessageContext,
  limits: MessageLimits = DEFAULT_LIMITS,
): StructuredMessage[] {
  if (notices.length === 0) return [];
  const counts = countByStatus(notices);
  const open = notices.filter((n) => n.status !== 'resolved');
  const lead = open.length > 0 ? `${highestSeverity(open)} drift` : 'drift resolved';
  let capacity = limits.maxBytes - baseCost(context, { counts, lead }) - SAFETY_BYTES;

  for (let attempt = 0; attempt < 5; attempt += 1) {
    const messages = assemble(notices, context, { counts, lead }, capacity, limits.maxParts);
    if (messages.every((m) => publishedSize(m) <= limits.maxBytes)) return messages;
    capacity = Math.floor(capacity * 0.9);
  }
  throw new Error(`Notices could not be packed into messages of ${limits.maxBytes} bytes.`);
}

interface RunSummary {
  counts: Record<NoticeStatus, number>;
  /** The subject's lead: the highest severity still open, or that all is resolved. */
  lead: string;
}

function assemble(
  notices: Notice[],
  context: MessageContext,
  run: RunSummary,
  capacity: number,
  maxParts: number,
): StructuredMessage[] {
  const parts: Rendered[][] = [[]];
  let used = 0;

  for (const notice of notices) {
    const rendered = renderFitting(notice, capacity);
    const current = parts[parts.length - 1] as Rendered[];
    if (current.length > 0 && used + rendered.cost > capacity) {
      parts.push([rendered]);
      used = rendered.cost;
    } else {
      current.push(rendered);
      used += rendered.cost;
    }
  }

  let omitted: Omitted | null = null;
  if (parts.length > maxParts) {
    const rest = parts.splice(maxParts - 1).flat();
    omitted = summarise(rest.map((r) => r.notice));
    parts.push([]);
  }

  return parts.map((items, index) =>
    envelope(items, context, run, {
      part: index + 1,
      parts: parts.length,
      omitted: index === parts.length - 1 ? omitted : null,
    }),
  );
}

/** Renders a notice in full, or with less detail when it cannot fit a part on its own. */
function renderFitting(notice: Notice, capacity: number): Rendered {
  let rendered = render(notice, 0);
  if (rendered.cost > capacity) rendered = render(notice, 1);
  if (rendered.cost > capacity) rendered = render(notice, 2);
  return rendered;
}

function render(notice: Notice, detail: 0 | 1 | 2): Rendered {
  const json = noticeJson(notice, detail);
  const text = noticeText(notice, detail);
  const cost =
    (escapedBytes(JSON.stringify(json)) + 1) * JSON_PROTOCOLS.length +
    (escapedBytes(text) + 1) * TEXT_PROTOCOLS.length;
  return { notice, json, text, cost };
}

/** Bytes a string takes inside a JSON string literal. */
function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

function noticeJson(notice: Notice, detail: 0 | 1 | 2): Record<string, unknown> {
  const json: Record<string, unknown> = { ...notice.finding, status: notice.status };
  if (notice.status === 'resolved' || detail === 0) return json;

  const omitted = ['expected', 'actual'];
  if (detail === 2) omitted.push('changes', 'remediation');
  for (const key of omitted) delete json[key];
  json.omitted = omitted;
  return json;
}

const STATUS_LABEL: Record<NoticeStatus, string> = {
  new: 'NEW',
  changed: 'CHANGED',
  reminder: 'STILL OPEN',
  resolved: 'RESOLVED',
};

function noticeText(notice: Notice, detail: 0 | 1 | 2): string {
  const f = notice.finding;
  const lines = [`[${STATUS_LABEL[notice.status]}] ${f.severity} ${f.kind}: ${resourceLabel(f)}`];
  lines.push(`  ${f.summary}`);

  if (notice.status === 'resolved') {
    lines.push(`  Closed: ${notice.finding.reason} (first seen ${notice.finding.firstSeenAt}).`);
    return `${lines.join('\n')}\n`;
  }

  const actor = notice.finding.actor;
  if (actor !== null) {
    const session = actor.sessionName === null ? '' : ` (session ${actor.sessionName})`;
    const from = actor.sourceIp === null ? '' : ` from ${actor.sourceIp}`;
    lines.push(`  Who: ${actor.arn}${session}, ${actor.eventName} at ${actor.eventTime}${from}`);
  } else if (notice.finding.kind !== 'check-incomplete') {
    lines.push('  Who: not found in CloudTrail');
  }
  if (detail < 2 && notice.finding.remediation.length > 0) {
    lines.push('  To restore the template:');
    for (const command of notice.finding.remediation) lines.push(`    ${command}`);
  }
  if (detail > 0) lines.push('  (Shortened to fit the message; the full report has all of it.)');
  return `${lines.join('\n')}\n`;
}

function resourceLabel(finding: { resource: Notice['finding']['resource'] }): string {
  const { type, name, logicalId } = finding.resource;
  const kind = type.replace(/^AWS::IAM::/, '').toLowerCase();
  const names = [name, logicalId !== null && logicalId !== name ? `(${logicalId})` : null];
  return [kind, ...names.filter((n) => n !== null)].join(' ');
}

function envelope(
  items: Rendered[],
  context: MessageContext,
  run: RunSummary,
  position: { part: number; parts: number; omitted: Omitted | null },
): StructuredMessage {
  const { part, parts, omitted } = position;
  const { counts } = run;
  const notices = items.map((i) => i.notice);
  const json = JSON.stringify({
    type: NOTIFICATION_TYPE,
    version: NOTIFICATION_VERSION,
    runId: context.runId,
    part,
    parts,
    trigger: context.trigger,
    stack: context.stack,
    account: context.account,
    region: context.region,
    checkedAt: context.checkedAt,
    counts,
    coverage: context.coverage,
    stackStatus: context.stackStatus,
    findings: items.filter((i) => i.notice.status !== 'resolved').map((i) => i.json),
    resolved: items.filter((i) => i.notice.status === 'resolved').map((i) => i.json),
    omitted: omitted === null ? null : omittedJson(omitted),
  });
  const text = [headerText(context, counts, part, parts), ...items.map((i) => i.text)];
  if (omitted !== null) text.push(omittedText(omitted));

  const bodies: Record<string, string> = { sms: smsText(context, counts) };
  for (const protocol of TEXT_PROTOCOLS) bodies[protocol] = text.join('\n');
  for (const protocol of JSON_PROTOCOLS) bodies[protocol] = json;

  const severities = notices.map((n) => n.finding.severity);
  if (omitted !== null) severities.push(omitted.highest);
  const kinds = new Set<FindingKind>([...notices.map((n) => n.finding.kind)]);
  for (const kind of omitted?.kinds ?? []) kinds.add(kind);

  return {
    topicArn: context.topicArn,
    subject: subjectFor(context.stack, run, part, parts),
    bodies,
    attributes: {
      severity: highestSeverity(severities.map((severity) => ({ finding: { severity } }))),
      kinds: [...kinds].sort(),
      stack: context.stack,
      account: context.account,
      region: context.region,
      runId: context.runId,
    },
  };
}

function headerText(
  context: MessageContext,
  counts: Record<NoticeStatus, number>,
  part: number,
  parts: number,
): string {
  const where = `stack ${context.stack} (account ${context.account}, ${context.region})`;
  const partText = parts > 1 ? `, part ${part} of ${parts}` : '';
  return [
    `connector-guard checked ${where} at ${context.checkedAt}.`,
    `${countsText(counts)}.`,
    ...(context.stackStatus === undefined ? [] : [context.stackStatus.note]),
    `Run ${context.runId}${partText}. A repeat of a run id is the same notification again.`,
    `Full report, sending nothing: ${selfCheckCommand(context)}`,
    '',
  ].join('\n');
}

/**
 * What a reader of the email can run to see the whole report: the stack's `SelfCheckCommand`
 * output, spelt out when the function's name is known.
 */
function selfCheckCommand(context: MessageContext): string {
  if (context.functionName === undefined)
    return "the command in the stack's SelfCheckCommand output";
  return (
    `aws lambda invoke --region ${context.region} --function-name ${context.functionName} ` +
    `--cli-binary-format raw-in-base64-out --payload '{"action": "self-check", "notify": false}' ` +
    '--cli-read-timeout 900 self-check.json && cat self-check.json'
  );
}

function smsText(context: MessageContext, counts: Record<NoticeStatus, number>): string {
  return `connector-guard ${context.stack}: ${countsText(counts)}`.slice(0, 140);
}

function countsText(counts: Record<NoticeStatus, number>): string {
  const parts = [
    [counts.new, 'new'],
    [counts.changed, 'changed'],
    [counts.reminder, 'still open'],
    [counts.resolved, 'resolved'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, label]) => `${n} ${label}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to report';
}

/** An ASCII subject under SNS's 100 characters; the stack name is shortened to fit. */
function subjectFor(stackName: string, run: RunSummary, part: number, parts: number): string {
  const tail = `: ${countsText(run.counts)}${parts > 1 ? ` (${part}/${parts})` : ''}`;
  const head = `connector-guard ${run.lead} in `;
  const room = SNS_SUBJECT_MAX_LENGTH - head.length - tail.length;
  const stack = ascii(stackName);
  const shown = stack.length <= room ? stack : `${stack.slice(0, Math.max(room - 3, 1))}...`;
  return ascii(`${head}${shown}${tail}`).slice(0, SNS_SUBJECT_MAX_LENGTH);
}

function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function countByStatus(notices: Notice[]): Record<NoticeStatus, number> {
  const counts: Record<NoticeStatus, number> = { new: 0, changed: 0, reminder: 0, resolved: 0 };
  for (const notice of notices) counts[notice.status] += 1;
  return counts;
}

function summarise(notices: Notice[]): Omitted {
  const omitted: Omitted = {
    count: notices.length,
    byStatus: {},
    bySeverity: {},
    byKind: {},
    highest: highestSeverity(notices),
    kinds: [],
  };
  for (const { status, finding } of notices) {
    omitted.byStatus[status] = (omitted.byStatus[status] ?? 0) + 1;
    omitted.bySeverity[finding.severity] = (omitted.bySeverity[finding.severity] ?? 0) + 1;
    omitted.byKind[finding.kind] = (omitted.byKind[finding.kind] ?? 0) + 1;
  }
  omitted.kinds = FINDING_KINDS.filter((kind) => omitted.byKind[kind] !== undefined);
  return omitted;
}

function omittedJson(omitted: Omitted) {
  return {
    count: omitted.count,
    byStatus: omitted.byStatus,
    bySeverity: omitted.bySeverity,
    byKind: omitted.byKind,
    note:
      'Too many notices for one notification; a self-check of the drift guard (the stack ' +
      'output SelfCheckCommand) reports them all.',
  };
}

function omittedText(omitted: Omitted): string {
  const severities = SEVERITIES.filter((s) => omitted.bySeverity[s] !== undefined)
    .reverse()
    .map((s) => `${omitted.bySeverity[s]} ${s}`);
  return [
    `${omitted.count} more notices are not listed (${severities.join(', ')}); the full report ` +
      'command above lists them.',
    '',
  ].join('\n');
}

/** A worst-case size of everything in a message but its notices. */
function baseCost(context: MessageContext, run: RunSummary): number {
  const probe = envelope([], context, run, {
    part: MAX_PARTS * 10,
    parts: MAX_PARTS * 10,
    omitted: summarise([]),
  });
  probe.attributes.kinds = [...FINDING_KINDS];
  probe.attributes.severity = 'CRITICAL';
  const omittedRoom =
    (escapedBytes(JSON.stringify(omittedJson(fullOmitted()))) + 200) *
    (JSON_PROTOCOLS.length + TEXT_PROTOCOLS.length);
  return publishedSize(probe) + omittedRoom;
}

function fullOmitted(): Omitted {
  const all = <K extends string>(keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, 99_999])) as Record<K, number>;
  return {
    count: 99_999,
    byStatus: all(['new', 'changed', 'reminder', 'resolved'] as const),
    bySeverity: all(SEVERITIES),
    byKind: all(FINDING_KINDS),
    highest: 'CRITICAL',
    kinds: [...FINDING_KINDS],
  };
}
