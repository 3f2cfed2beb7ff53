/**
 * Condition functions (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition) as CloudFormation
 * evaluates them: a condition that depends on a value known only after deploy is an
 * `UnknownValue` naming what it depends on, and one that compares a NoEcho value is decided by
 * digest when the digest is known.
 */
import { isSecret, isUnknown, type SecretValue, sha256Hex, UnknownValue } from '../values';
import { combineUnknowns } from './compose';
import { child, describeValue, fail, type Path } from './errors';
import { argList, type Intrinsics, NO_VALUE } from './functions';
import { isMapping } from './parse';
import type { ConditionValue } from './types';

/** Evaluates a condition expression. */
export function conditionExpression(
  r: Intrinsics,
  node: unknown,
  path: Path | null,
): ConditionValue {
  if (isMapping(node) && Object.keys(node).length === 1) {
    const [name] = Object.keys(node);
    const args = node[name];
    if (name === 'Condition') {
      if (typeof args !== 'string') fail(path, 'Condition must name a condition');
      return r.condition(args, path);
    }
    if (name === 'Fn::Equals') return equals(r, args, path);
    if (name === 'Fn::Not') {
      const list = argList(args, name, path, 1, 1);
      const value = conditionExpression(r, list[0], child(child(path, name), 0));
      return isUnknown(value) ? value : !value;
    }
    if (name === 'Fn::And' || name === 'Fn::Or') {
      const list = argList(args, name, path, 2, 10);
      const values = list.map((item, index) =>
        conditionExpression(r, item, child(child(path, name), index)),
      );
      const decisive = name !== 'Fn::And';
      if (values.includes(decisive)) return decisive;
      const unknowns = values.filter(isUnknown);
      return unknowns.length > 0 ? combineUnknowns(unknowns) : !decisive;
    }
    if (name === 'Fn::If') {
      const value = r.resolve(node, path);
      if (typeof value === 'boolean' || isUnknown(value)) return value;
    }
  }
  if (typeof node === 'boolean') return node;
  fail(
    path,
    `a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, received ` +
      `${describeValue(node)}`,
  );
}

function equals(r: Intrinsics, args: unknown, path: Path | null): ConditionValue {
  const list = argList(args, 'Fn::Equals', path, 2, 2);
  const [left, right] = list.map((item, index) =>
    r.resolve(item, child(child(path, 'Fn::Equals'), index)),
  );
  const unknowns = [left, right].filter(isUnknown);
  if (unknowns.length > 0) {
    const unknown = combineUnknowns(unknowns);
    return new UnknownValue(unknown.source, `a condition compares it: ${unknown.reason}`);
  }
  if (isSecret(left) || isSecret(right)) return equalsSecret(r, left, right);
  return comparable(left) === comparable(right);
}

/** A NoEcho value compared with text: decided by digest when the digest is known. */
function equalsSecret(r: Intrinsics, left: unknown, right: unknown): ConditionValue {
  const clearOf = (value: unknown): string | undefined =>
    isSecret(value) ? r.book.clearOf(value) : comparable(value);
  const a = clearOf(left);
  const b = clearOf(right);
  if (a !== undefined && b !== undefined) return a === b;
  const secret = (isSecret(left) ? left : right) as SecretValue;
  const other = secret === left ? right : left;
  if (isSecret(other)) {
    if (secret.sha256 !== undefined && secret.sha256 === other.sha256) return true;
  } else if (secret.sha256 !== undefined) {
    return secret.sha256 === sha256Hex(comparable(other));
  }
  return new UnknownValue(
    `NoEcho parameter ${secret.parameter}`,
    `a condition compares the NoEcho value of ${secret.parameter}, whose digest was not given`,
  );
}

/** How Fn::Equals sees a value: text, as CloudFormation compares `true` and `'true'` alike. */
function comparable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === NO_VALUE || value === undefined || value === null) return '';
  return JSON.stringify(value);
}
