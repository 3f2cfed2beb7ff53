/**
 * IAM wildcard patterns (`*` any run of characters, `?` one character) reasoned about as sets of
 * strings: whether everything one pattern matches is matched by another, and whether two
 * patterns can match a common string. Policy variables (`${aws:username}`) are opaque tokens in
 * documents of Version 2012-10-17 and plain text otherwise; `${*}`, `${?}` and `${$}` stand for
 * the literal characters.
 *
 * In an ARN, IAM does not let every wildcard match a colon, and its documentation gives two
 * rules (see {@link ArnReading}). Resource patterns are compared under both and decided only
 * where the two agree ({@link arnCovers}, {@link arnsIntersect}), with a Resource of only `*`
 * matching everything; ArnLike conditions follow the rule documented for them, under which a
 * value must name all six parts of an ARN, so that a lone `*` there matches no ARN.
 */
import { spend, WorkLimitReached } from './budget';
import type { Verdict } from './implication';

/**
 * How the wildcards of an ARN pattern treat colons:
 * - `segments`, IAM's rule for ArnLike and ArnNotLike: the first five colons split an ARN into
 *   six parts compared one by one, so a wildcard in one of the first five (`arn`, partition,
 *   service, region, account) never matches a colon; the sixth, the resource, is the
 *   remainder, may itself hold colons, and its wildcards match them.
 * - `segment-ends`, IAM's rule for the Resource element: a `*` that is the last character of a
 *   colon-separated part may match beyond the colon; every other wildcard stays in its part.
 */
export type ArnReading = 'segments' | 'segment-ends';

/** Both readings of a Resource pattern, for as long as IAM's documentation leaves it open. */
const RESOURCE_READINGS: readonly ArnReading[] = ['segments', 'segment-ends'];

/** A wildcard's `colons` says whether the text it stands for may hold a colon. */
type Token =
  | { t: 'lit'; c: string }
  | { t: 'star'; colons: boolean }
  | { t: 'one'; colons: boolean }
  | { t: 'var'; name: string };

const VARIABLE = /\$\{([^}]*)\}/y;
const cache = new Map<string, Token[]>();

function tokenise(pattern: string, variables: boolean, arn?: ArnReading): Token[] {
  const cacheKey = `${variables ? 'v' : 'l'}${arn ?? 'text'}|${pattern}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (variables && c === '$') {
      VARIABLE.lastIndex = i;
      const match = VARIABLE.exec(pattern);
      if (match) {
        const name = match[1] as string;
        if (name === '*' || name === '?' || name === '$') tokens.push({ t: 'lit', c: name });
        else tokens.push({ t: 'var', name: name.trim().toLowerCase() });
        i += match[0].length - 1;
        continue;
      }
    }
    if (c === '*') {
      if (tokens.at(-1)?.t !== 'star') tokens.push({ t: 'star', colons: true });
    } else if (c === '?') tokens.push({ t: 'one', colons: true });
    else tokens.push({ t: 'lit', c });
  }
  const read = arn === undefined ? tokens : readArn(tokens, arn);
  if (cache.size > 10_000) cache.clear();
  cache.set(cacheKey, read);
  return read;
}

/** The tokens with each wildcard told whether it may match a colon under the reading. */
function readArn(tokens: Token[], arn: ArnReading): Token[] {
  let colons = 0;
  return tokens.map((token, at) => {
    if (token.t === 'lit' && token.c === ':') colons++;
    if (token.t !== 'star' && token.t !== 'one') return token;
    if (arn === 'segments') return { ...token, colons: colons >= 5 };
    const next = tokens[at + 1];
    const endsPart = next === undefined || (next.t === 'lit' && next.c === ':');
    return { ...token, colons: token.t === 'star' && endsPart };
  });
}

/** Whether the text a token stands for may hold a colon. */
function mayHoldColon(token: Token): boolean {
  if (token.t === 'lit') return token.c === ':';
  return token.t === 'var' || token.colons;
}

/** Options shared by the pattern functions. */
export interface PatternOptions {
  /** Whether `${...}` is a policy variable (Version 2012-10-17) rather than text. */
  variables?: boolean;
  /** For the inner pattern of {@link patternCovers}, when its document's Version differs. */
  innerVariables?: boolean;
  /** Whether `*` and `?` are wildcards; false for operators that compare exactly. */
  wildcards?: boolean;
  /** How wildcards treat the colons of an ARN; as any other character when absent. */
  arn?: ArnReading;
}

function tokens(pattern: string, options: PatternOptions): Token[] {
  if (options.wildcards === false) return [...pattern].map((c) => ({ t: 'lit', c }));
  return tokenise(pattern, options.variables ?? true, options.arn);
}

/**
 * Whether every string `inner` matches is also matched by `outer`. Sound: true is always
 * right. A variable in `inner` is covered only by `*` or by the same variable in `outer`.
 */
export function patternCovers(outer: string, inner: string, options: PatternOptions = {}): boolean {
  const everything = outer === '*' && options.arn === undefined;
  if (everything || (outer === inner && options.variables === options.innerVariables)) {
    return true;
  }
  // A literal covers only itself, the common case, decided without tokenising.
  if (!/[*?$]/.test(outer)) return outer === inner;
  const q = tokens(outer, options);
  const p = tokens(inner, { ...options, variables: options.innerVariables ?? options.variables });
  spendOnTable(q.length, p.length);
  const memo = new Map<number, boolean>();
  const width = q.length + 1;

  const covers = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const outerToken = q[j];
    const innerToken = p[i];
    if (outerToken === undefined) result = innerToken === undefined;
    else if (outerToken.t === 'star') {
      const takes = innerToken !== undefined && (outerToken.colons || !mayHoldColon(innerToken));
      result = covers(i, j + 1) || (takes && covers(i + 1, j));
    } else if (innerToken === undefined) result = false;
    else if (outerToken.t === 'one') {
      const single = innerToken.t === 'lit' || innerToken.t === 'one';
      const takes = single && (outerToken.colons || !mayHoldColon(innerToken));
      result = takes && covers(i + 1, j + 1);
    } else if (outerToken.t === 'lit') {
      result = innerToken.t === 'lit' && innerToken.c === outerToken.c && covers(i + 1, j + 1);
    } else {
      result =
        innerToken.t === 'var' && innerToken.name === outerToken.name && covers(i + 1, j + 1);
    }
    memo.set(key, result);
    spendOnCell(memo);
    return result;
  };
  return covers(0, 0);
}

/** Whether some string is matched by both patterns (a variable may stand for any text). */
export function patternsIntersect(a: string, b: string, options: PatternOptions = {}): boolean {
  const p = tokens(a, options);
  const q = tokens(b, options);
  spendOnTable(p.length, q.length);
  const memo = new Map<number, boolean>();
  const width = q.length + 1;
  const isAny = (token: Token | undefined) => token?.t === 'star' || token?.t === 'var';
  // A wildcard kept out of colons can share any text with another token but a literal colon.
  const colonOnly = (wild: Token, other: Token) =>
    wild.t !== 'lit' && wild.t !== 'var' && !wild.colons && other.t === 'lit' && other.c === ':';

  const meet = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = p[i];
    const y = q[j];
    let result: boolean;
    if (x === undefined && y === undefined) result = true;
    else if (x !== undefined && isAny(x)) {
      result = meet(i + 1, j) || (y !== undefined && !colonOnly(x, y) && meet(i, j + 1));
    } else if (y !== undefined && isAny(y)) {
      result = meet(i, j + 1) || (x !== undefined && !colonOnly(y, x) && meet(i + 1, j));
    } else if (x === undefined || y === undefined) result = false;
    else if (x.t === 'lit' && y.t === 'lit') result = x.c === y.c && meet(i + 1, j + 1);
    else result = !colonOnly(x, y) && !colonOnly(y, x) && meet(i + 1, j + 1);
    memo.set(key, result);
    spendOnCell(memo);
    return result;
  };
  return meet(0, 0);
}

/**
 * The most tokens (characters, about) two patterns compared may hold together: the comparison
 * recurses once per token, so a longer pair could overflow the stack (IAM lets a Resource run
 * to some 10,000 characters). Such a pair is not compared: WorkLimitReached says so, and a
 * comparison reports the grant undecided.
 */
const MOST_TOKENS = 2_000;

/** Spends from the budget in force before two patterns are compared, as reading them costs. */
function spendOnTable(a: number, b: number): void {
  if (a + b > MOST_TOKENS) {
    const most = MOST_TOKENS.toLocaleString('en-US');
    const size = (a + b).toLocaleString('en-US');
    throw new WorkLimitReached(`two patterns of ${size} characters together are more than ${most}`);
  }
  spend(4);
}

/** Spends from the budget in force for a cell of the table, a step for every 32. */
function spendOnCell(memo: Map<number, boolean>): void {
  if (memo.size % 32 === 0) spend();
}

/** Whether a pattern matches every string. */
export function matchesEverything(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

/** Whether a text holds a policy variable. */
export function hasVariable(text: string): boolean {
  return tokenise(text, true).some((token) => token.t === 'var');
}

/**
 * Whether a Resource pattern covers another, under both of IAM's documented readings of
 * wildcards in an ARN: `unknown` when they disagree, so that a pattern is never taken to cover
 * more than IAM may let it. A wildcard in the service part, which IAM's documentation does
 * not allow, may match nothing, so such a pattern covers only itself for certain.
 */
export function arnCovers(outer: string, inner: string, options: PatternOptions = {}): Verdict {
  if (matchesEverything(outer)) return 'yes';
  const answers = RESOURCE_READINGS.map((arn) => patternCovers(outer, inner, { ...options, arn }));
  if (outer !== inner && hasServiceWildcard(outer)) answers.push(false);
  return agreed(answers);
}

/** Whether two Resource patterns share an ARN, under both readings (see {@link arnCovers}). */
export function arnsIntersect(a: string, b: string, options: PatternOptions = {}): Verdict {
  if (matchesEverything(a) || matchesEverything(b)) return 'yes';
  const answers = RESOURCE_READINGS.map((arn) => patternsIntersect(a, b, { ...options, arn }));
  if (a !== b && (hasServiceWildcard(a) || hasServiceWildcard(b))) answers.push(false);
  return agreed(answers);
}

/** Whether an ARN pattern has a wildcard in its service part (`arn:aws:s3*:::x`). */
export function hasServiceWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern.split(':')[2] ?? '');
}

function agreed(answers: boolean[]): Verdict {
  if (answers.every(Boolean)) return 'yes';
  return answers.some(Boolean) ? 'unknown' : 'no';
}
