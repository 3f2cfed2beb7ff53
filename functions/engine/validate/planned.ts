/**
 * What the stack will create, computed from the template with the parameters given: the IAM
 * names and their lengths, how many managed policies each role gets, and which resources exist
 * before the validation runs. The template engine does the computing, so these rules follow
 * the template as it changes.
 */
import { describeError } from '../errors';
import {
  createdIamNames,
  type PromisedIamState,
  promisedState,
  type TemplateDocument,
} from '../template';
import type { ParameterDeclaration } from '../template/types';
import { isUnknown } from '../values';
import {
  defaultOf,
  noEchoParameters,
  PARAMETER_NAMES,
  type ParameterValues,
  splitList,
} from './parameters';
import { error, type RuleProblem, receivedText, shown, warning } from './types';

/** Where the names are computed; the parts a name may hold beside the parameters. */
export interface PlanContext {
  template: TemplateDocument;
  accountId?: string;
  region?: string;
  stackName?: string;
}

/**
 * Stand-ins that satisfy the connector template's constraints, for parameters in error; used
 * before a Default, which may itself be the value in error (a packaged template's code bucket).
 */
const STAND_INS: Partial<Record<string, string>> = {
  TenantAccountId: '000000000000',
  TenantExternalId: 'stand-in-value-for-name-computing-only',
  CodeBucketPrefix: 'stand-in',
};
/** A region name of the greatest length, for names computed without a region. */
const LONGEST_REGION = 'ap-southeast-1';
const DEFAULT_QUOTA = 10;
const HARD_QUOTA = 20;
const AFFIXES = ['IamResourceNamesPrefix', 'IamResourceNamesSuffix'];

/**
 * The problems with values that break the template's own declared constraints (AllowedPattern,
 * AllowedValues, lengths, numeric bounds), for parameters no other rule has flagged. These are
 * what CloudFormation would refuse before the validator even runs. A message states the
 * constraint once, in the words of its ConstraintDescription when the template gives one, then
 * what was received; a pattern is quoted only when the template says nothing else.
 */
export function templateConstraintProblems(
  values: ParameterValues,
  template: TemplateDocument,
  flagged: Set<string>,
): RuleProblem[] {
  const secret = new Set(noEchoParameters(template));
  const problems: RuleProblem[] = [];
  for (const name of PARAMETER_NAMES) {
    const declaration = template.template.Parameters?.[name];
    if (declaration === undefined || flagged.has(name)) continue;
    const list = declaration.Type === 'CommaDelimitedList';
    const items = list ? splitList(values[name]) : [values[name]];
    for (const [index, item] of (items.length === 0 ? [''] : items).entries()) {
      const broken = brokenConstraint(item, declaration);
      if (broken === undefined) continue;
      const subject = list ? `${name} entry ${index + 1}` : name;
      const received = secret.has(name)
        ? `a value of ${item.length} characters`
        : `${shown(item)}${broken.length ? ` (${item.length} characters)` : ''}`;
      problems.push(
        error(
          name,
          'template-constraint',
          `${subject} breaks the template's own constraint: ` +
            `${constraintText(declaration, broken)}; received ${received}. Fix: give a value ` +
            'the template accepts.',
        ),
      );
      break;
    }
  }
  return problems;
}

/** Which constraint a value breaks, in words; `length` when it is the value's length. */
interface Broken {
  rule: string;
  length?: boolean;
}

/** The template's ConstraintDescription, as the rest of a sentence, else the rule broken. */
function constraintText(declaration: ParameterDeclaration, broken: Broken): string {
  const said = declaration.ConstraintDescription?.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
  if (!said) return broken.rule;
  return /^(must|may)\b/.test(said) ? `it ${said}` : said;
}

function brokenConstraint(value: string, declaration: ParameterDeclaration): Broken | undefined {
  const allowed = declaration.AllowedValues;
  if (Array.isArray(allowed) && allowed.length > 0 && !allowed.map(String).includes(value)) {
    return { rule: `it must be one of ${allowed.map(String).join(', ')}` };
  }
  if (typeof declaration.AllowedPattern === 'string') {
    try {
      if (!new RegExp(`^(?:${declaration.AllowedPattern})$`, 's').test(value)) {
        return { rule: `it must match the pattern ${declaration.AllowedPattern}` };
      }
    } catch {
      // A pattern only Java's engine reads is left to CloudFormation.
    }
  }
  const min = numberOf(declaration.MinLength);
  const max = numberOf(declaration.MaxLength);
  if (min !== undefined && value.length < min) {
    return { rule: `it must be at least ${min} characters`, length: true };
  }
  if (max !== undefined && value.length > max) {
    return { rule: `it must be at most ${max} characters`, length: true };
  }
  if (declaration.Type === 'Number') {
    const number = Number(value);
    const low = numberOf(declaration.MinValue);
    const high = numberOf(declaration.MaxValue);
    if (value.trim() === '' || !Number.isFinite(number)) return { rule: 'it must be a number' };
    if (low !== undefined && number < low) return { rule: `it must be at least ${low}` };
    if (high !== undefined && number > high) return { rule: `it must be at most ${high}` };
  }
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number(value);
  return value === undefined || value === null || !Number.isFinite(number) ? undefined : number;
}

/**
 * The IAM state the stack promises with these values. Parameters that are in error are
 * replaced by stand-ins that satisfy the template, so that one bad value does not hide the
 * rules that depend on the others.
 */
export function planIamState(
  values: ParameterValues,
  inError: Set<string>,
  ctx: PlanContext,
): { state?: PromisedIamState; problems: RuleProblem[] } {
  const parameters: Record<string, string> = {};
  for (const name of PARAMETER_NAMES) {
    const declared = ctx.template.template.Parameters?.[name];
    if (declared === undefined) continue;
    const fallback = STAND_INS[name] ?? defaultOf(name, ctx.template);
    parameters[name] = inError.has(name) && fallback !== undefined ? fallback : values[name];
  }
  try {
    const state = promisedState(ctx.template, {
      accountId: ctx.accountId ?? '000000000000',
      region: ctx.region ?? LONGEST_REGION,
      stackName: ctx.stackName ?? 'connector',
      parameters,
    });
    return { state, problems: [] };
  } catch (cause) {
    const why = receivedText(describeError(cause));
    const message =
      'The IAM names and policies the stack would create could not be computed from the ' +
      `template, so the rules that depend on them were not checked: ${why}. Fix: correct the ` +
      'template or the value it names.';
    return { problems: [error(null, 'template-unresolvable', message, [...AFFIXES])] };
  }
}

/** Names too long for IAM, and roles that would get more managed policies than IAM allows. */
export function planProblems(state: PromisedIamState, affixesInError: boolean): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!affixesInError) {
    const names = createdIamNames(state).filter((n) => !isUnknown(n.name));
    const kinds = [
      { rule: 'role-name-too-long', label: 'role', names: names.filter((n) => n.kind === 'role') },
      {
        rule: 'policy-name-too-long',
        label: 'policy',
        names: names.filter((n) => n.kind !== 'role'),
      },
    ];
    for (const kind of kinds) {
      const over = kind.names.filter((n) => String(n.name).length > n.limit);
      if (over.length === 0) continue;
      const longest = over.reduce((a, b) =>
        String(b.name).length > String(a.name).length ? b : a,
      );
      const name = String(longest.name);
      const excess = name.length - longest.limit;
      const count =
        over.length === 1
          ? 'It is the only one'
          : `${over.length} ${kind.label} names are too long`;
      problems.push(
        error(
          'IamResourceNamesPrefix',
          kind.rule,
          `With this prefix and suffix the longest ${kind.label} name the stack would ` +
            `create, ${shown(name)} (${longest.logicalId}), has ${name.length} characters, ` +
            `over IAM's limit of ${longest.limit}. ${count}. Fix: shorten ` +
            `IamResourceNamesPrefix and IamResourceNamesSuffix by ${excess} ` +
            `character${excess === 1 ? '' : 's'} together.`,
          [...AFFIXES],
        ),
      );
    }
  }

  const busiest = state.roles.reduce<{ role?: string; count: number }>(
    (top, role) => {
      const count = new Set(role.managedPolicyArns.map((m) => String(m.arn))).size;
      return count > top.count ? { role: role.logicalId, count } : top;
    },
    { count: 0 },
  );
  if (busiest.count > HARD_QUOTA) {
    problems.push(
      error(
        'GlobalManagedPolicies',
        'too-many-managed-policies',
        `With these global policies the role ${busiest.role} would have ${busiest.count} ` +
          `managed policies attached; IAM allows at most ${HARD_QUOTA} per role. Fix: list ` +
          'fewer policies in GlobalManagedPolicies.',
      ),
    );
  } else if (busiest.count > DEFAULT_QUOTA) {
    problems.push(
      warning(
        'GlobalManagedPolicies',
        'managed-policy-quota',
        `With these global policies the role ${busiest.role} would have ${busiest.count} ` +
          `managed policies attached, more than IAM's default quota of ${DEFAULT_QUOTA} per ` +
          `role. Fix: make sure the account's quota was raised (Service Quotas, IAM, "Managed ` +
          'policies per role"), or list fewer policies.',
      ),
    );
  }
  return problems;
}

/**
 * The logical IDs the validation resource depends on, directly or through others: they exist
 * before it runs (its function, that function's role and log group), so a role among them that
 * already exists is the stack's own.
 */
export function resourcesBefore(template: TemplateDocument, logicalId: string): Set<string> {
  const resources = template.template.Resources;
  const seen = new Set<string>();
  const visit = (id: string) => {
    const resource = resources[id];
    if (resource === undefined || seen.has(id)) return;
    seen.add(id);
    const depends = resource.DependsOn;
    for (const next of typeof depends === 'string' ? [depends] : (depends ?? [])) visit(next);
    for (const next of referencedIds(resource.Properties)) visit(next);
  };
  visit(logicalId);
  seen.delete(logicalId);
  return seen;
}

function referencedIds(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
    return into;
  }
  if (value === null || typeof value !== 'object') return into;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.push(inner);
    else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(inner)
        ? inner[0]
        : typeof inner === 'string'
          ? inner.split('.')[0]
          : undefined;
      if (typeof target === 'string') into.push(target);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? inner[0] : inner;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) into.push(match[1].trim());
      }
    }
    referencedIds(inner, into);
  }
  return into;
}

/** The logical ID of the template's install-validation resource. */
export function validationResourceId(template: TemplateDocument): string | undefined {
  const found = Object.entries(template.template.Resources).find(
    ([, r]) => r.Type === 'Custom::InstallValidator',
  );
  return found?.[0];
}
