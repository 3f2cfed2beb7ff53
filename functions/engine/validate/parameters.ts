/**
 * The installation parameters: their names (the connector stack's public interface), and how
 * raw input (custom-resource properties, a parameter file) becomes one string per parameter.
 */
import type { TemplateDocument } from '../template/types';
import { error, type RuleProblem } from './types';

/** The stack's parameters, in the order problems are reported. */
export const PARAMETER_NAMES = [
  'TenantAccountId',
  'TenantExternalId',
  'IamResourceNamesPrefix',
  'IamResourceNamesSuffix',
  'GlobalManagedPolicies',
  'GlobalPermissionsBoundary',
  'SupportRoleExpirationDate',
  'NotificationEmail',
  'ExistingNotificationTopicArn',
  'DriftCheckSchedule',
  'AlertMinimumSeverity',
  'ReminderIntervalHours',
  'CodeBucketPrefix',
  'CodeKeyPrefix',
] as const;

export type ParameterName = (typeof PARAMETER_NAMES)[number];

/** One string per parameter, lists comma-delimited, as CloudFormation passes them on. */
export type ParameterValues = Record<ParameterName, string>;

/** Properties CloudFormation itself reads from a custom resource; they are not parameters. */
export const PROTOCOL_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];

/** Parameters that must be set to something; the others may be empty. */
const REQUIRED: ParameterName[] = ['TenantAccountId', 'TenantExternalId', 'CodeBucketPrefix'];

const LIST_PARAMETERS: ParameterName[] = ['GlobalManagedPolicies'];

const KNOWN = new Set<string>(PARAMETER_NAMES);

/** Shorter secrets are not looked for inside other values: they would match by chance. */
const SECRET_MIN_SEARCHED = 8;

/**
 * Reads raw input into parameter values. A value that is absent takes the template's Default,
 * as CloudFormation would; a list parameter may come as a list of strings or comma-delimited
 * text; anything else that is not a string is a problem, never coerced.
 */
export function readParameterValues(
  input: Record<string, unknown>,
  template: TemplateDocument | undefined,
): { values: ParameterValues; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  for (const key of Object.keys(input)) {
    if (KNOWN.has(key) || PROTOCOL_PROPERTIES.includes(key)) continue;
    problems.push(
      error(
        key,
        'unknown-parameter',
        `${key} is not a parameter of the connector stack, so it would be ignored. Fix: ` +
          `${spellingFix(key)}`,
      ),
    );
  }

  const values = {} as ParameterValues;
  for (const name of PARAMETER_NAMES) {
    const read = readOne(name, input[name], template);
    values[name] = read.value;
    if (read.problem) problems.push(read.problem);
    else if (read.value === '' && REQUIRED.includes(name)) {
      problems.push(
        error(
          name,
          'required',
          `${name} must be set; received ${read.absent ? 'nothing' : 'an empty value'}. Fix: ` +
            `${requiredFix(name)}`,
        ),
      );
    }
  }
  problems.push(...secretCopies(values, template));
  return { values, problems };
}

/**
 * A NoEcho value copied into a parameter CloudFormation shows in clear (the console, the
 * stack's parameters and events), where anyone who can read the stack would see the secret.
 * Such a parameter is not checked further, so that no rule quotes any part of it.
 */
function secretCopies(
  values: ParameterValues,
  template: TemplateDocument | undefined,
): RuleProblem[] {
  const secretNames = new Set<string>(['TenantExternalId', ...noEchoParameters(template)]);
  const problems: RuleProblem[] = [];
  for (const secretName of secretNames) {
    const secret = values[secretName as ParameterName];
    if (secret === undefined || secret.length < SECRET_MIN_SEARCHED) continue;
    for (const name of PARAMETER_NAMES) {
      if (secretNames.has(name) || !values[name].includes(secret)) continue;
      problems.push(
        error(
          name,
          'secret-in-parameter',
          `${name} holds the value of ${secretName}, which is secret (NoEcho), but ` +
            `CloudFormation shows ${name} in clear to anyone who can read the stack. Fix: ` +
            `remove the ${secretName} value from ${name}.`,
          [name, secretName],
        ),
      );
    }
  }
  return problems;
}

function readOne(
  name: ParameterName,
  raw: unknown,
  template: TemplateDocument | undefined,
): { value: string; absent?: boolean; problem?: RuleProblem } {
  if (raw === undefined || raw === null) {
    return { value: defaultOf(name, template) ?? '', absent: true };
  }
  if (typeof raw === 'string') return { value: raw };
  if (
    LIST_PARAMETERS.includes(name) &&
    Array.isArray(raw) &&
    raw.every((i) => typeof i === 'string')
  ) {
    return { value: raw.join(',') };
  }
  const kind = Array.isArray(raw)
    ? 'a list'
    : typeof raw === 'object'
      ? 'an object'
      : `the ${typeof raw} ${String(raw)}`;
  const expected = LIST_PARAMETERS.includes(name)
    ? 'comma-delimited text or a list of strings'
    : 'a string';
  const problem = error(
    name,
    'not-a-string',
    `${name} must be ${expected}, as CloudFormation passes parameters; received ` +
      `${name === 'TenantExternalId' ? 'a value that is not one' : kind}. Fix: quote the value.`,
  );
  return { value: '', problem };
}

/** The template's Default for a parameter, as the text CloudFormation would pass on. */
export function defaultOf(
  name: string,
  template: TemplateDocument | undefined,
): string | undefined {
  const declared = template?.template.Parameters?.[name]?.Default;
  if (typeof declared === 'string') return declared;
  if (typeof declared === 'number' || typeof declared === 'boolean') return String(declared);
  if (Array.isArray(declared)) return declared.map(String).join(',');
  return undefined;
}

function requiredFix(name: ParameterName): string {
  if (name === 'TenantAccountId') return "set it to the vendor's 12-digit AWS account ID.";
  if (name === 'TenantExternalId')
    return 'set it to the external ID the vendor issued for this account.';
  return 'set it to the bucket prefix the packaged template names (npm run package fills it in).';
}

/** Splits a comma-delimited list as CloudFormation does: each member space-trimmed. */
export function splitList(text: string): string[] {
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}

/** The names of the template's NoEcho parameters. */
export function noEchoParameters(template: TemplateDocument | undefined): string[] {
  const declared = template?.template.Parameters ?? {};
  return Object.entries(declared)
    .filter(([, d]) => d.NoEcho === true || String(d.NoEcho).toLowerCase() === 'true')
    .map(([name]) => name);
}

function spellingFix(key: string): string {
  const near = PARAMETER_NAMES.map((name) => ({
    name,
    distance: distance(key.toLowerCase(), name.toLowerCase()),
  })).sort((a, b) => a.distance - b.distance)[0];
  if (near.distance <= Math.max(2, Math.floor(near.name.length / 5))) {
    return `did you mean ${near.name}? Rename it, or remove it.`;
  }
  return `remove it; the parameters are ${PARAMETER_NAMES.join(', ')}.`;
}

/** Edit distance (insertions, deletions, substitutions) between two short texts. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
