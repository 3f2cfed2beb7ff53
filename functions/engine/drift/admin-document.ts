/**
 * The document an admin-equivalence judgement reads (see `admin.ts`): every statement that can
 * be read as it is, a statement that cannot be read replaced by one taken conservatively, and,
 * for the costly part of the judgement, only the statements that can touch an escalation action.
 *
 * An unread Allow is taken as allowing the actions it names (every action when they cannot be
 * read either) on every resource, under no condition; an unread Deny as denying nothing. So one
 * statement the policy core cannot read never hides what the others grant, and never hides a
 * grant of its own.
 */
import { type PolicyDocument, parsePolicy } from '../policy';

type Raw = Record<string, unknown>;

/** A document as a plain object, with its statements as a list. */
export interface RawDocument {
  Version?: unknown;
  Statement: unknown[];
}

/** What a judgement reads of a document. */
export interface JudgedDocument {
  /** Every statement, each unread Allow replaced by its stand-in, each unread Deny left out. */
  whole: RawDocument;
  /** The statements of `whole` whose actions may include one of the actions judged. */
  relevant: RawDocument;
  /** The statements that could not be read and may touch an action judged. */
  unread: { index: number; effect: 'Allow' | 'Deny' }[];
}

/**
 * Reads a document for a judgement about `actions` (names such as `iam:PassRole`).
 *
 * @throws PolicyError when the document as a whole cannot be read (not JSON, no Statement)
 */
export function judgedDocument(document: unknown, actions: readonly string[]): JudgedDocument {
  const parsed = parsePolicy(document, 'policy', { kind: 'permissions', unreadStatements: true });
  const raw = rawObject(document);
  const items = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const version = raw.Version === undefined ? {} : { Version: raw.Version };

  const unread: JudgedDocument['unread'] = [];
  const statements = items.flatMap((item, index) => {
    const statement = parsed.statements[index];
    if (statement?.unread === undefined) return [item];
    const taken = statement.effect === 'Deny' ? [] : [standIn(item)];
    if (mayTouch(taken[0] ?? item, actions)) unread.push({ index, effect: statement.effect });
    return taken;
  });
  const whole = { ...version, Statement: statements };
  return { whole, relevant: touching(whole, actions), unread };
}

/** The document as an object: parsePolicy has read it, so text is JSON, perhaps URL-encoded. */
function rawObject(document: unknown): Raw {
  if (typeof document !== 'string') return document as Raw;
  const text = document.trim();
  return JSON.parse(text.startsWith('{') ? text.replace(/^\uFEFF/, '') : decodeURIComponent(text));
}

/** An Allow of the statement's own actions on every resource, else of every action. */
function standIn(item: unknown): Raw {
  const s = (typeof item === 'object' && item !== null ? item : {}) as Raw;
  const key = s.Action === undefined && s.NotAction !== undefined ? 'NotAction' : 'Action';
  const own = { Effect: 'Allow', [key]: s[key], Resource: '*' };
  return readable(own) ? own : { Effect: 'Allow', Action: '*', Resource: '*' };
}

function readable(statement: Raw): boolean {
  let parsed: PolicyDocument;
  try {
    parsed = parsePolicy({ Version: '2012-10-17', Statement: [statement] }, 'policy', {
      kind: 'permissions',
    });
  } catch {
    return false;
  }
  return parsed.statements.every((s) => s.unread === undefined);
}

/** The document with only the statements whose actions may include one of `actions`. */
export function touching(document: RawDocument, actions: readonly string[]): RawDocument {
  return { ...document, Statement: document.Statement.filter((s) => mayTouch(s, actions)) };
}

/**
 * Whether a statement's actions may include one of `actions`: any `NotAction`, and any action
 * pattern that matches one of them, as IAM matches (without case, `*` and `?` wildcards).
 */
function mayTouch(item: unknown, actions: readonly string[]): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const s = item as Raw;
  if (s.NotAction !== undefined) return true;
  const patterns = [s.Action].flat();
  return patterns.some(
    (pattern) =>
      typeof pattern !== 'string' || actions.some((action) => wildcardMatch(pattern, action)),
  );
}

/**
 * Whether `pattern` matches `text` without case, `*` standing for any run of characters and `?`
 * for one; in time proportional to the product of their lengths at worst.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let at = 0;
  let from = 0;
  let star = -1;
  let mark = 0;
  while (from < t.length) {
    if (at < p.length && (p[at] === '?' || p[at] === t[from])) {
      at++;
      from++;
    } else if (at < p.length && p[at] === '*') {
      star = at++;
      mark = from;
    } else if (star >= 0) {
      at = star + 1;
      from = ++mark;
    } else {
      return false;
    }
  }
  while (p[at] === '*') at++;
  return at === p.length;
}
