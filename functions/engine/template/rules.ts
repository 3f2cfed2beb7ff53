/**
 * The template's `Rules`: assertions on parameter values that CloudFormation checks before it
 * creates or changes anything. A rule whose condition holds and one of whose assertions is false
 * fails the stack; so it fails the resolution here, with the rule's own description.
 *
 * Rule functions that look values up in the account (`Fn::RefAll`, `Fn::ValueOf`,
 * `Fn::ValueOfAll`) cannot be decided offline: an assertion using them is not checked.
 */
import { isSecret, isUnknown } from '../values';
import { child, describeValue, type Path, pathOf, renderPath, TemplateError } from './errors';
import { argList, NO_VALUE } from './functions';
import { isMapping } from './parse';
import type { Resolver } from './resolver';

type Verdict = boolean | 'unknown';

/** Checks every rule of the template; throws for the first assertion that is false. */
export function checkRules(resolver: Resolver): void {
  const rules = resolver.template.Rules;
  if (!isMapping(rules)) return;
  for (const [name, rule] of Object.entries(rules)) {
    const at = pathOf('Rules', name);
    if (!isMapping(rule)) throw new TemplateError(`Rules.${name}`, 'must be a mapping');
    if (rule.RuleCondition !== undefined) {
      if (evaluate(resolver, rule.RuleCondition, child(at, 'RuleCondition')) !== true) continue;
    }
    const assertions = rule.Assertions;
    if (!Array.isArray(assertions)) {
      throw new TemplateError(`Rules.${name}.Assertions`, 'must be a list of { Assert }');
    }
    assertions.forEach((assertion, index) => {
      const where = child(child(at, 'Assertions'), index);
      if (!isMapping(assertion)) {
        throw new TemplateError(`Rules.${name}.Assertions[${index}]`, 'must be { Assert }');
      }
      if (evaluate(resolver, assertion.Assert, child(where, 'Assert')) === false) {
        const description =
          typeof assertion.AssertDescription === 'string'
            ? assertion.AssertDescription.trim()
            : 'the assertion is false for the given parameters';
        throw new TemplateError(
          `Rules.${name}.Assertions[${index}]`,
          `CloudFormation would refuse these parameters: ${description}`,
        );
      }
    });
  }
}

function evaluate(resolver: Resolver, node: unknown, path: Path | null): Verdict {
  if (!isMapping(node) || Object.keys(node).length !== 1) {
    throw new TemplateError(
      renderPath(path),
      `a rule must be a rule function, received ${describeValue(node)}`,
    );
  }
  const [name] = Object.keys(node);
  const args = node[name];
  const at = child(path, name);
  switch (name) {
    case 'Fn::Not': {
      const [inner] = argList(args, name, path, 1, 1);
      const value = evaluate(resolver, inner, child(at, 0));
      return value === 'unknown' ? value : !value;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const values = argList(args, name, path, 2, 10).map((item, index) =>
        evaluate(resolver, item, child(at, index)),
      );
      const decisive = name === 'Fn::Or';
      if (values.includes(decisive)) return decisive;
      return values.includes('unknown') ? 'unknown' : !decisive;
    }
    case 'Fn::Equals': {
      const [left, right] = argList(args, name, path, 2, 2).map((item, index) =>
        operand(resolver, item, child(at, index)),
      );
      if (!decidable(left) || !decidable(right)) return 'unknown';
      return text(left) === text(right);
    }
    case 'Fn::Contains':
    case 'Fn::EachMemberEquals':
    case 'Fn::EachMemberIn': {
      const [first, second] = argList(args, name, path, 2, 2).map((item, index) =>
        operand(resolver, item, child(at, index)),
      );
      if (!decidable(first) || !decidable(second) || !Array.isArray(first)) return 'unknown';
      const members = first.map(text);
      if (name === 'Fn::Contains') return members.includes(text(second));
      if (name === 'Fn::EachMemberEquals') return members.every((m) => m === text(second));
      if (!Array.isArray(second)) return 'unknown';
      const allowed = new Set(second.map(text));
      return members.every((member) => allowed.has(member));
    }
    case 'Condition': {
      if (typeof args !== 'string') return 'unknown';
      const value = resolver.condition(args, path);
      return isUnknown(value) ? 'unknown' : value;
    }
    case 'Fn::RefAll':
    case 'Fn::ValueOf':
    case 'Fn::ValueOfAll':
      return 'unknown';
    default:
      throw new TemplateError(renderPath(path), `${name} is not a rule function`);
  }
}

const LOOKUPS = new Set(['Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll']);

/** An argument of a rule function: a lookup in the account stays undecided, the rest resolves. */
function operand(resolver: Resolver, node: unknown, path: Path | null): unknown {
  if (isMapping(node) && Object.keys(node).length === 1 && LOOKUPS.has(Object.keys(node)[0])) {
    return UNDECIDED;
  }
  if (Array.isArray(node)) {
    const items = node.map((item, index) => operand(resolver, item, child(path, index)));
    return items.filter((item) => item !== NO_VALUE);
  }
  return resolver.resolve(node, path);
}

/** Stands for a value the account holds (Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll). */
const UNDECIDED: unique symbol = Symbol('looked up in the account');

function decidable(value: unknown): boolean {
  if (value === UNDECIDED) return false;
  if (isUnknown(value) || isSecret(value)) return false;
  if (Array.isArray(value)) return value.every(decidable);
  return true;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
