/**
 * The installation parameters: their names (the connector stack's public interface), and how
 * raw input (custom-resource properties, a parameter file) becomes one string per parameter.
 */
import type { TemplateDocument } from '../template/types';
import { holdsPartOf, SECRET_PART_MIN } from './secret-parts';
import { error, type RuleProblem } from './types';
import { type NamedSecret, unknownPropertyProblems } from './unknown';

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

/** Where the function code is: `npm run package` writes their Defaults into dist/template.yaml. */
const PACKAGING_PARAMETERS: ParameterName[] = ['CodeBucketPrefix', 'CodeKeyPrefix'];

const KNOWN = new Set<string>(PARAMETER_NAMES);
const PROTOCOL = new Set<string>(PROTOCOL_PROPERTIES);

/**
 * CloudFormation's limit on a parameter value, in UTF-8 bytes. Every property carries one
 * parameter's value (the list joined with commas, no longer than the list itself), so a longer
 * value did not come from the stack; refusing it before any rule runs keeps the work for any
 * request small, whatever it holds.
 */
export const MAX_VALUE_BYTES = 4096;

/**
 * Secrets shorter than this are neither masked nor looked for inside other values. A value this
 * short can be part of the tool's own words (`external-id-too-short`, `TenantExternalId`) or of
 * another value by chance, and masking or naming it there would reveal it. No rule ever prints a
 * secret, and an external ID this short is refused (as the template's MinLength refuses it).
 * Known limitation: the logger masks registered secrets in whole log lines, so a longer secret
 * that equals some of the validator's own words (an example ARN, say) is masked there too.
 */
export const SECRET_MIN_MASKED = 32;

/**
 * Reads raw input into parameter values. A value that is absent takes the template's Default,
 * as CloudFormation would; a list parameter may come as a list of strings or comma-delimited
 * text; anything else that is not a string is a problem, never coerced.
 */
export function readParameterValues(
  input: Record<string, unknown>,
  template: TemplateDocument | undefined,
  leftToPackaging: readonly string[] = [],
): { values: ParameterValues; problems: RuleProblem[] } {
  const unknown = Object.keys(input).filter((k) => !KNOWN.has(k) && !PROTOCOL.has(k));
  const problems = unknownPropertyProblems(unknown, PARAMETER_NAMES, namedSecrets(input, template));

  const values = {} as ParameterValues;
  for (const name of PARAMETER_NAMES) {
    const read = readOne(name, input[name], template);
    values[name] = read.value;
    if (read.problem) problems.push(read.problem);
    else if (read.value === '' && REQUIRED.includes(name) && !leftToPackaging.includes(name)) {
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
 * A NoEcho value, whole or in part, copied into a parameter CloudFormation shows in clear (the
 * console, the stack's parameters and events), where anyone who can read the stack would see
 * it. A part is {@link SECRET_PART_MIN} characters in a row or more, in any capitals. Such a
 * parameter is not checked further, so that no rule quotes any part of it.
 */
function secretCopies(
  values: ParameterValues,
  template: TemplateDocument | undefined,
): RuleProblem[] {
  const secretNames = new Set<string>(['TenantExternalId', ...noEchoParameters(template)]);
  const problems: RuleProblem[] = [];
  for (const secretName of secretNames) {
    const secret = values[secretName as ParameterName];
    if (secret === undefined || secret.length < SECRET_MIN_MASKED) continue;
    for (const name of PARAMETER_NAMES) {
      if (secretNames.has(name) || !holdsPartOf(values[name], secret)) continue;
      const whole = values[name].includes(secret);
      const [held, removed] = whole
        ? [`the value of ${secretName}`, `the ${secretName} value`]
        : [
            `part of the value of ${secretName} (${SECRET_PART_MIN} or more characters in a row)`,
            `that part of ${secretName}`,
          ];
      problems.push(
        error(
          name,
          'secret-in-parameter',
          `${name} holds ${held}, which is secret (NoEcho), but CloudFormation shows ${name} ` +
            `in clear to anyone who can read the stack. Fix: remove ${removed} from ${name}.`,
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
  const text = asText(name, raw);
  if (text === undefined) return { value: '', problem: notText(name, raw, template) };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_VALUE_BYTES) return { value: '', problem: tooLong(name, bytes) };
  return { value: text };
}

function asText(name: ParameterName, raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  const list = LIST_PARAMETERS.includes(name) && Array.isArray(raw);
  return list && raw.every((i) => typeof i === 'string') ? raw.join(',') : undefined;
}

/** Refuses a value that is not text, naming its type (and, unless secret, the value). */
function notText(name: ParameterName, raw: unknown, template: TemplateDocument | undefined) {
  const secret = name === 'TenantExternalId' || noEchoParameters(template).includes(name);
  const kind = Array.isArray(raw)
    ? 'a list'
    : raw !== null && typeof raw === 'object'
      ? 'an object'
      : secret
        ? `a ${typeof raw}`
        : `the ${typeof raw} ${String(raw)}`;
  const expected = LIST_PARAMETERS.includes(name)
    ? 'comma-delimited text or a list of strings'
    : 'a string';
  return error(
    name,
    'not-a-string',
    `${name} must be ${expected}, as CloudFormation passes parameters; received ${kind}. ` +
      'Fix: quote the value.',
  );
}

function tooLong(name: ParameterName, bytes: number): RuleProblem {
  const why = LIST_PARAMETERS.includes(name)
    ? ' (IAM attaches at most 20 managed policies to a role)'
    : '';
  return error(
    name,
    'value-too-long',
    `${name} may be at most ${MAX_VALUE_BYTES} bytes, the most CloudFormation passes for a ` +
      `parameter; received ${bytes} bytes, which were not checked further. Fix: shorten ` +
      `it${why}.`,
  );
}

/**
 * The code-location parameters a check before deploying leaves to packaging: those the input
 * does not give, when the template is the source one (its CodeBucketPrefix has no Default,
 * which packaging writes into dist/template.yaml). A customer's parameters hold no code
 * location, and checking them should not need one; the packaged template's are checked.
 */
export function leftToPackaging(
  input: Record<string, unknown>,
  template: TemplateDocument,
): ParameterName[] {
  const declared = template.template.Parameters?.CodeBucketPrefix;
  if (declared === undefined || defaultOf('CodeBucketPrefix', template) !== undefined) return [];
  return PACKAGING_PARAMETERS.filter((name) => input[name] === undefined || input[name] === null);
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

/**
 * The secrets in raw input to mask wherever text is logged or shown: the external ID and every
 * NoEcho value, as given, when at least {@link SECRET_MIN_MASKED} characters long.
 */
export function secretsToMask(
  input: Record<string, unknown>,
  template: TemplateDocument | undefined,
): string[] {
  return namedSecrets(input, template).map((secret) => secret.value);
}

/** The secrets in raw input that {@link secretsToMask} picks, each with its parameter. */
function namedSecrets(
  input: Record<string, unknown>,
  template: TemplateDocument | undefined,
): NamedSecret[] {
  const names = new Set(['TenantExternalId', ...noEchoParameters(template)]);
  return [...names].flatMap((parameter) => {
    const value = input[parameter];
    return typeof value === 'string' && value.length >= SECRET_MIN_MASKED
      ? [{ parameter, value }]
      : [];
  });
}

/** The names of the template's NoEcho parameters. */
export function noEchoParameters(template: TemplateDocument | undefined): string[] {
  const declared = template?.template.Parameters ?? {};
  return Object.entries(declared)
    .filter(([, d]) => d.NoEcho === true || String(d.NoEcho).toLowerCase() === 'true')
    .map(([name]) => name);
}
