/**
 * Reading a policy document from any form it arrives in (an object, JSON text, or the
 * URL-encoded JSON the IAM API returns) into one normalised shape. Normalising removes what
 * IAM rewrites without changing meaning: scalar versus list, order, duplicates, the letter case
 * of action names and condition keys, numbers and booleans versus strings, an account ID versus
 * its root ARN, ArnEquals versus ArnLike, and an empty Condition versus none.
 */

import { InputError } from '../errors';
import { MOST_POLICY_NESTING, nestsTooDeep } from '../nesting';
import { isSecret, isUnknown, type SecretValue, UnknownValue } from '../values';
import { type Clause, normaliseConditionBlock, valueKey } from './condition';
import { shortText } from './display';
import { jsonFault } from './json-fault';
import type { PolicyKind } from './types';

/** A policy document that cannot be read; the message names the source and the element path. */
export class PolicyError extends InputError {}

/** A value in a document: plain text, or a leaf the template engine could not know in clear. */
export type Leaf = string | UnknownValue | SecretValue;

/** A list of values, or one unknown standing for the whole list. */
export type LeafList = Leaf[] | UnknownValue;

/** One principal entry, e.g. `{ type: 'AWS', value: 'arn:aws:iam::111122223333:root' }`. */
export interface PrincipalEntry {
  type: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser' | '*';
  value: Leaf;
}

export interface PolicyStatement {
  /** Position in the document's statement list. */
  index: number;
  sid: string | null;
  effect: 'Allow' | 'Deny';
  /** `null` when the statement has neither Principal nor NotPrincipal (an identity policy). */
  principal: { not: boolean; entries: PrincipalEntry[] | UnknownValue } | null;
  action: { not: boolean; values: LeafList };
  /** `null` when the statement has neither Resource nor NotResource (a trust policy). */
  resource: { not: boolean; values: LeafList } | null;
  /** Conjunction of clauses; an unknown when the whole block was not known offline. */
  condition: Clause[] | UnknownValue;
  /** Set when the whole statement was not known offline: nothing about it can be decided. */
  opaque?: UnknownValue;
  /** Why the statement is not compared, when it is opaque because it was not read. */
  unread?: string;
}

export interface PolicyDocument {
  /** `2012-10-17`, `2008-10-17`, or null when the document has none. */
  version: string | null;
  statements: PolicyStatement[];
  /** Set when the statement list itself was not known offline. */
  opaque?: UnknownValue;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
/** `Id` in a statement, which IAM accepts, names it and grants nothing: it is ignored. */
const STATEMENT_KEYS = new Set([
  'Sid',
  'Id',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
/**
 * The most grants (actions x resources x principals) one statement is split into. A statement
 * of more is not compared but reported undecided: IAM's size limits let a statement name some
 * 700 actions and 700 resources, half a million pairs.
 */
export const MOST_GRANTS_PER_STATEMENT = 10_000;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;

/**
 * Reads a policy document into its normalised form.
 *
 * @param input an object, JSON text, or URL-encoded JSON text; may hold `UnknownValue` and
 *   `SecretValue` leaves when it comes from the template engine
 * @param where names the source in error messages, e.g. a file name or `role Tenant trust`
 * @throws PolicyError naming the source, the element path, the rule and what was received
 *
 * @example
 * parsePolicy('%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D', 'GetRole');
 */
export function parsePolicy(
  input: unknown,
  where = 'policy',
  options: ParseOptions = {},
): PolicyDocument {
  const raw = typeof input === 'string' ? parseText(input, where) : input;
  if (isUnknown(raw)) return { version: null, statements: [], opaque: raw };
  if (nestsTooDeep(raw, MOST_POLICY_NESTING)) {
    throw new PolicyError(
      `${where}: expected a policy document nested at most ${MOST_POLICY_NESTING} levels deep (a ` +
        'policy needs about seven), received one nested deeper.',
    );
  }
  if (!isPlainObject(raw)) {
    throw new PolicyError(
      `${where}: expected a policy document (a JSON object), received ${kindOf(raw)}.`,
    );
  }

  for (const key of Object.keys(raw)) {
    if (!DOCUMENT_KEYS.has(key)) {
      throw new PolicyError(
        `${where}: unknown top-level element "${shortText(key, 40)}": ` +
          'expected Version, Id or Statement.',
      );
    }
  }
  const version = readVersion(raw.Version, where);
  const list = raw.Statement;
  if (list === undefined) throw new PolicyError(`${where}: the Statement element is missing.`);
  if (isUnknown(list)) return { version, statements: [], opaque: list };

  const items = Array.isArray(list) ? list : [list];
  const statements = items.map((item, index) => {
    const path = `${where}: Statement[${index}]`;
    try {
      return statementWithinLimit(readStatement(item, index, path, options.kind), path);
    } catch (error) {
      if (!options.unreadStatements || !(error instanceof PolicyError)) throw error;
      return unreadStatement(index, sidOf(item), effectOf(item), error.message);
    }
  });
  return { version, statements };
}

/** Options of {@link parsePolicy}. */
export interface ParseOptions {
  /**
   * Reads a statement that cannot be read as one not compared, whose reason names it and what
   * is wrong, instead of refusing the whole document: the others are still compared.
   */
  unreadStatements?: boolean;
  /**
   * `permissions`: a statement with neither Resource nor NotResource cannot be read (IAM
   * refuses it in a permissions policy, and it does not mean every resource). A trust policy's
   * statements have none; without a kind, either is read.
   */
  kind?: PolicyKind;
}

/** The Sid of a statement that could not be read, when it has a readable one. */
function sidOf(item: unknown): string | null {
  const sid = isPlainObject(item) ? item.Sid : undefined;
  return typeof sid === 'string' && sid !== '' ? sid : null;
}

/** The Effect of a statement that could not be read: Allow unless it says Deny. */
function effectOf(item: unknown): 'Allow' | 'Deny' {
  return isPlainObject(item) && item.Effect === 'Deny' ? 'Deny' : 'Allow';
}

/** The statement, or an unread one in its place when it splits into too many grants. */
function statementWithinLimit(statement: PolicyStatement, path: string): PolicyStatement {
  const size = (list: unknown[] | UnknownValue | undefined, not = false) =>
    list === undefined || isUnknown(list) || not ? 1 : list.length;
  const grants =
    size(statement.action.values, statement.action.not) *
    size(statement.resource?.values, statement.resource?.not) *
    size(statement.principal?.entries, statement.principal?.not);
  if (grants <= MOST_GRANTS_PER_STATEMENT) return statement;
  const count = (n: number) => n.toLocaleString('en-US');
  const why =
    `${path}: its actions, resources and principals make ${count(grants)} grants, ` +
    `more than the ${count(MOST_GRANTS_PER_STATEMENT)} a statement is compared by`;
  return unreadStatement(statement.index, statement.sid, statement.effect, why);
}

/**
 * A statement that is not compared, standing for one that could not be read or is too large:
 * its grants are undecided, and the reason names the statement.
 */
export function unreadStatement(
  index: number,
  sid: string | null,
  effect: 'Allow' | 'Deny',
  reason: string,
): PolicyStatement {
  return {
    index,
    sid,
    effect,
    principal: null,
    action: { not: false, values: [] },
    resource: null,
    condition: [],
    opaque: new UnknownValue(`statement ${index}, not compared`, reason),
    unread: reason,
  };
}

function parseText(text: string, where: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new PolicyError(`${where}: the policy document is empty.`);
  if (trimmed.startsWith('{')) return parseJson(text.replace(/^\uFEFF/, ''), where);

  // The text itself is never quoted: a policy may hold an external ID.
  const notPolicy = new PolicyError(
    `${where}: expected a JSON object or URL-encoded JSON, ` +
      `received text that is neither (${trimmed.length} characters).`,
  );
  let decoded: string;
  try {
    decoded = decodeURIComponent(trimmed);
  } catch {
    throw notPolicy;
  }
  if (!decoded.trimStart().startsWith('{')) throw notPolicy;
  try {
    return JSON.parse(decoded);
  } catch {
    // Form encoding writes spaces as '+'; IAM itself never does, so this is a second try only.
    return parseJson(decodeURIComponent(trimmed.replace(/\+/g, '%20')), where);
  }
}

/** JSON text; where it breaks is named by line and column, without quoting the text. */
function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyError(
      `${where}: expected JSON, received text that does not parse (${jsonFault(text)}).`,
      { cause: error },
    );
  }
}

function readVersion(value: unknown, where: string): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string' && VERSIONS.has(value)) return value;
  throw new PolicyError(
    `${where}: Version: expected "2012-10-17" or "2008-10-17", received ${kindOf(value)}.`,
  );
}

function readStatement(
  item: unknown,
  index: number,
  path: string,
  kind?: PolicyKind,
): PolicyStatement {
  if (isUnknown(item)) {
    return {
      index,
      sid: null,
      effect: 'Allow',
      principal: null,
      action: { not: false, values: [] },
      resource: null,
      condition: [],
      opaque: item,
    };
  }
  if (!isPlainObject(item)) {
    throw new PolicyError(`${path}: expected a statement (an object), received ${kindOf(item)}.`);
  }
  for (const key of Object.keys(item)) {
    if (!STATEMENT_KEYS.has(key)) {
      throw new PolicyError(
        `${path}: unknown element "${shortText(key, 40)}": ` +
          `expected one of ${[...STATEMENT_KEYS].join(', ')}.`,
      );
    }
  }

  const sid = item.Sid;
  if (sid !== undefined && typeof sid !== 'string') {
    throw new PolicyError(`${path}.Sid: expected a string, received ${kindOf(sid)}.`);
  }
  const effect = item.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new PolicyError(
      `${path}.Effect: expected "Allow" or "Deny", ` +
        `received ${effect === undefined ? 'nothing' : kindOf(effect)}.`,
    );
  }

  const action = readPair(item, 'Action', 'NotAction', path, true);
  if (action === null) throw new PolicyError(`${path}: needs an Action or a NotAction element.`);
  const resource = readPair(item, 'Resource', 'NotResource', path, false);
  if (resource === null && kind === 'permissions') {
    throw new PolicyError(
      `${path}: expected a Resource or NotResource element ` +
        'in a permissions policy statement, received neither.',
    );
  }
  const condition = item.Condition;
  return {
    index,
    sid: sid === undefined || sid === '' ? null : sid,
    effect,
    principal: readPrincipal(item, path),
    action,
    resource,
    condition: isUnknown(condition)
      ? condition
      : normaliseConditionBlock(condition, `${path}.Condition`, (message) => {
          throw new PolicyError(message);
        }),
  };
}

function readPair(
  item: Record<string, unknown>,
  name: string,
  notName: string,
  path: string,
  lowerCase: boolean,
): { not: boolean; values: LeafList } | null {
  const plain = item[name];
  const negated = item[notName];
  if (plain !== undefined && negated !== undefined) {
    throw new PolicyError(`${path}: has both ${name} and ${notName}; a statement may have one.`);
  }
  if (plain === undefined && negated === undefined) return null;
  const not = plain === undefined;
  const values = readLeafList(not ? negated : plain, `${path}.${not ? notName : name}`);
  return { not, values: dedupe(values, lowerCase) };
}

function readLeafList(value: unknown, path: string): LeafList {
  if (isUnknown(value)) return value;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyError(`${path}: must not be an empty list.`);
  return list.map((entry, i) => {
    if (typeof entry === 'string' || isUnknown(entry) || isSecret(entry)) return entry;
    throw new PolicyError(`${path}[${i}]: expected a string, received ${kindOf(entry)}.`);
  });
}

function readPrincipal(item: Record<string, unknown>, path: string): PolicyStatement['principal'] {
  const plain = item.Principal;
  const negated = item.NotPrincipal;
  if (plain !== undefined && negated !== undefined) {
    throw new PolicyError(
      `${path}: has both Principal and NotPrincipal; a statement may have one.`,
    );
  }
  if (plain === undefined && negated === undefined) return null;
  const not = plain === undefined;
  const value = not ? negated : plain;
  const at = `${path}.${not ? 'NotPrincipal' : 'Principal'}`;
  if (isUnknown(value)) return { not, entries: value };
  if (value === '*') return { not, entries: [{ type: '*', value: '*' }] };
  if (!isPlainObject(value)) {
    throw new PolicyError(
      `${at}: expected "*" or an object keyed by AWS, Service, Federated or CanonicalUser, ` +
        `received ${kindOf(value)}.`,
    );
  }

  const entries: PrincipalEntry[] = [];
  for (const [type, list] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      throw new PolicyError(
        `${at}: unknown principal type "${shortText(type, 40)}": ` +
          'expected AWS, Service, Federated or CanonicalUser.',
      );
    }
    const leaves = readLeafList(accountNumbers(type, list), `${at}.${type}`);
    if (isUnknown(leaves)) return { not, entries: leaves };
    for (const leaf of leaves) {
      entries.push(normalisePrincipal(type as PrincipalEntry['type'], leaf));
    }
  }
  if (entries.length === 0) throw new PolicyError(`${at}: names no principal.`);
  return { not, entries: dedupeBy(entries, principalKey) };
}

/** An AWS principal written as a JSON number of twelve digits is that account's ID. */
function accountNumbers(type: string, list: unknown): unknown {
  if (type !== 'AWS') return list;
  const text = (value: unknown) =>
    typeof value === 'number' && ACCOUNT_ID.test(String(value)) ? String(value) : value;
  return Array.isArray(list) ? list.map(text) : text(list);
}

function normalisePrincipal(type: PrincipalEntry['type'], value: Leaf): PrincipalEntry {
  if (typeof value !== 'string') return { type, value };
  if (value === '*') return { type: '*', value: '*' };
  if (type === 'Service') return { type, value: value.toLowerCase() };
  if (type === 'AWS') {
    const root = ROOT_ARN.exec(value);
    if (root) return { type, value: root[1] as string };
  }
  return { type, value };
}

/** A key that two principal entries share exactly when they name the same principal. */
function principalKey(entry: PrincipalEntry): string {
  const value = typeof entry.value === 'string' ? entry.value : entry.value.toJSON();
  return entry.type === '*' ? '*' : `${entry.type}:${value}`;
}

/** Whether an AWS principal value is an account (ID), as opposed to a role, user or session. */
export function isAccountPrincipal(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

/** Removes duplicates and sorts; action names compare in lower case but keep how they read. */
function dedupe(values: LeafList, lowerCase: boolean): LeafList {
  if (isUnknown(values)) return values;
  return dedupeBy(values, (leaf) => (lowerCase ? valueKey(leaf).toLowerCase() : valueKey(leaf)));
}

function dedupeBy<T>(values: T[], key: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const value of values) if (!seen.has(key(value))) seen.set(key(value), value);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Whether a value is a plain JSON object (not a list, null, or a class instance). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (objects from a vm context, or structuredClone under a test
  // runner, have their own) is a root prototype; class instances sit one level further down.
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Names what kind of JSON value was received, for error messages; never shows its content. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isUnknown(value)) return `a value not known offline (${value.source})`;
  if (isSecret(value)) return 'a secret value';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(preview(value))}`;
  return `the ${typeof value} ${String(value)}`;
}

/** A received string as a message shows it: never cut through a secret (see shortText). */
function preview(text: string): string {
  return shortText(text, 40);
}
