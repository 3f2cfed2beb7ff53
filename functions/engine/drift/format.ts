/**
 * Report formats shared by the CLI's `check` and `self-check`: text for a terminal (colour only
 * when asked, i.e. on a TTY), JSON (the report as it is, the public shape), and Markdown for a
 * ticket or a pull request. Every format passes through the log scrubber last, so a registered
 * secret cannot reach the output even by accident.
 */
import { scrubText } from '../log';
import { atLeast, type CheckReport, type Finding, SEVERITIES, type Severity } from './types';

export type ReportFormat = 'text' | 'json' | 'markdown';

export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'markdown'];

/** Renders a report; `color` adds ANSI colours to the text format. */
export function formatReport(
  report: CheckReport,
  format: ReportFormat,
  options: { color?: boolean } = {},
): string {
  if (format === 'json') return scrubText(`${JSON.stringify(ordered(report), null, 2)}\n`);
  if (format === 'markdown') return scrubText(markdown(report));
  return scrubText(text(report, options.color === true));
}

/**
 * The exit code a report calls for: 1 when a drift finding is at or above `failOn`, else 3 when
 * something could not be checked (a `check-incomplete` finding, or the check was skipped),
 * else 0.
 */
export function exitCodeFor(report: CheckReport, failOn: Severity): 0 | 1 | 3 {
  const drift = report.findings.filter((f) => f.kind !== 'check-incomplete');
  if (drift.some((f) => atLeast(f.severity, failOn))) return 1;
  if (report.skipped !== undefined) return 3;
  if (report.findings.some((f) => f.kind === 'check-incomplete')) return 3;
  return 0;
}

/** Findings most severe first, then by resource and kind, so output is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
      Number(a.kind === 'check-incomplete') - Number(b.kind === 'check-incomplete') ||
      (a.resource.logicalId ?? '').localeCompare(b.resource.logicalId ?? '') ||
      a.kind.localeCompare(b.kind) ||
      a.id.localeCompare(b.id),
  );
}

function ordered(report: CheckReport): CheckReport {
  return {
    stack: report.stack,
    account: report.account,
    region: report.region,
    checkedAt: report.checkedAt,
    ...(report.skipped === undefined ? {} : { skipped: report.skipped }),
    findings: sortFindings(report.findings),
    coverage: report.coverage,
  };
}

const ANSI: Record<Severity | 'dim' | 'bold' | 'green', string> = {
  CRITICAL: '\u001b[1;31m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[36m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  green: '\u001b[32m',
};
const RESET = '\u001b[0m';

type ChangeDirection = Finding['changes'][number]['direction'];

/**
 * What each change does to the grant, in words: a sign would read as "removed" beside a change
 * that adds a Deny statement, which narrows. A mixed change (a condition value replaced by
 * another) both lets in what was refused and refuses what was let in, and says so.
 */
const CHANGE_WORD: Record<ChangeDirection, string> = {
  widened: 'widens',
  narrowed: 'narrows',
  mixed: 'widens and narrows',
  unknown: 'unknown',
};

/** The same in Markdown's list of changes, where each reads `- <word>: <summary>`. */
const CHANGE_WORD_MARKDOWN: Record<ChangeDirection, string> = {
  widened: 'widened',
  narrowed: 'narrowed',
  mixed: 'widened and narrowed',
  unknown: 'unknown',
};

/** The lines of a finding's changes, their words in a column as wide as the widest shown. */
function changeLines(changes: Finding['changes'], shown: number): string[] {
  const listed = changes.slice(0, shown);
  const width = Math.max(7, ...listed.map((c) => CHANGE_WORD[c.direction].length));
  const lines = listed.map((c) => `    ${CHANGE_WORD[c.direction].padEnd(width)}  ${c.summary}`);
  if (changes.length > shown) lines.push(`    ... and ${changes.length - shown} more changes`);
  return lines;
}

function counts(findings: readonly Finding[]): string {
  const drift = findings.filter((f) => f.kind !== 'check-incomplete');
  const incomplete = findings.length - drift.length;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .map((s) => [s, drift.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const parts: string[] = [];
  parts.push(
    drift.length === 0
      ? 'no drift'
      : `${plural(drift.length, 'drift finding')} (${bySeverity.join(', ')})`,
  );
  if (incomplete > 0) parts.push(`${plural(incomplete, 'check')} incomplete`);
  return parts.join('; ');
}

/**
 * `Checked N resources`, and how many of them only in part: those a `check-incomplete` finding
 * names (a setting or a policy of theirs could not be compared).
 */
function checkedLine(report: CheckReport): string {
  const { checked } = report.coverage;
  const partly = checked.filter((c) =>
    report.findings.some(
      (f) =>
        f.kind === 'check-incomplete' &&
        f.resource.logicalId === c.logicalId &&
        f.resource.type === c.type,
    ),
  ).length;
  const inPart = partly === 0 ? '' : `, ${partly} of them in part (see check-incomplete)`;
  return `Checked ${plural(checked.length, 'resource')}${inPart}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function resourceLabel(f: Finding): string {
  const { logicalId, name, arn, type } = f.resource;
  if (logicalId !== null && name !== null && name !== logicalId) return `${logicalId} (${name})`;
  return logicalId ?? name ?? arn ?? type;
}

function text(report: CheckReport, color: boolean): string {
  const paint = (style: keyof typeof ANSI, s: string) => (color ? `${ANSI[style]}${s}${RESET}` : s);
  const lines: string[] = [];
  lines.push(
    paint('bold', `Drift check of stack ${report.stack}`) +
      ` (account ${report.account}, ${report.region}, ${report.checkedAt})`,
  );
  if (report.skipped !== undefined) {
    lines.push('', `Skipped: ${report.skipped.reason}`, '');
    return lines.join('\n');
  }
  const findings = sortFindings(report.findings);
  lines.push(
    findings.length === 0
      ? paint('green', 'In line with the template: no drift.')
      : counts(findings),
  );

  for (const f of findings) {
    lines.push('');
    lines.push(
      `${paint(f.severity, f.severity.padEnd(8))} ${f.kind}  ${paint('bold', resourceLabel(f))}`,
    );
    lines.push(`  ${f.summary}`);
    lines.push(...changeLines(f.changes, 12));
    if (f.remediation.length > 0) {
      lines.push('  To restore the template:');
      for (const command of f.remediation) lines.push(`    ${command}`);
    }
    lines.push(paint('dim', `  id ${f.id}`));
  }

  lines.push('');
  lines.push(`${checkedLine(report)}.`);
  if (report.coverage.notChecked.length > 0) {
    lines.push(`Not checked (${report.coverage.notChecked.length}):`);
    for (const n of report.coverage.notChecked) {
      lines.push(`  - ${n.resource.logicalId} (${n.resource.type}): ${n.reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function markdown(report: CheckReport): string {
  const out: string[] = [];
  out.push(`# Drift check of stack \`${report.stack}\``, '');
  out.push(
    `Account \`${report.account}\`, region \`${report.region}\`, checked at ${report.checkedAt}.`,
    '',
  );
  if (report.skipped !== undefined) {
    out.push(`**Skipped:** ${report.skipped.reason}`, '');
    return out.join('\n');
  }
  const findings = sortFindings(report.findings);
  if (findings.length === 0) {
    out.push('In line with the template: no drift.', '');
  } else {
    out.push(`${counts(findings)}.`, '');
    out.push('| Severity | Kind | Resource | Summary |', '|---|---|---|---|');
    for (const f of findings) {
      out.push(`| ${f.severity} | \`${f.kind}\` | ${md(resourceLabel(f))} | ${md(f.summary)} |`);
    }
    out.push('');
    for (const f of findings) {
      out.push(`## ${f.severity}: ${f.kind} on ${md(resourceLabel(f))}`, '');
      out.push(f.summary, '');
      if (f.changes.length > 0) {
        for (const c of f.changes) {
          out.push(`- ${CHANGE_WORD_MARKDOWN[c.direction]}: ${md(c.summary)}`);
        }
        out.push('');
      }
      if (f.remediation.length > 0) {
        out.push('To restore the template:', '', '```sh', ...f.remediation, '```', '');
      }
      out.push(`Finding id \`${f.id}\`.`, '');
    }
  }
  out.push('## Coverage', '');
  const names = report.coverage.checked.map((c) => `\`${c.logicalId}\``).join(', ');
  out.push(`${checkedLine(report)}: ${names || 'none'}.`, '');
  if (report.coverage.notChecked.length > 0) {
    out.push('Not checked:', '');
    for (const n of report.coverage.notChecked)
      out.push(`- \`${n.resource.logicalId}\` (${n.resource.type}): ${md(n.reason)}`);
    out.push('');
  }
  return out.join('\n');
}
