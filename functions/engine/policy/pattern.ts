/**
 * IAM wildcard patterns (`*` any run of characters, `?` one character) reasoned about as sets of
 * strings: whether everything one pattern matches is matched by another, and whether two
 * patterns can match a common string. Policy variables (`${aws:username}`) are opaque tokens in
 * documents of Version 2012-10-17 and plain text otherwise; `${*}`, `${?}` and `${$}` stand for
 * the literal characters.
 */

type Token = { t: 'lit'; c: string } | { t: 'star' } | { t: 'one' } | { t: 'var'; name: string };

const VARIABLE = /\$\{([^}]*)\}/y;
const cache = new Map<string, Token[]>();

function tokenise(pattern: string, variables: boolean): Token[] {
  const cacheKey = `${variables ? 'v' : 'l'}${pattern}`;
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
      if (tokens.at(-1)?.t !== 'star') tokens.push({ t: 'star' });
    } else if (c === '?') tokens.push({ t: 'one' });
    else tokens.push({ t: 'lit', c });
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(cacheKey, tokens);
  return tokens;
}

/** Options shared by the pattern functions. */
export interface PatternOptions {
  /** Whether `${...}` is a policy variable (Version 2012-10-17) rather than text. */
  variables?: boolean;
  /** For the inner pattern of {@link patternCovers}, when its document's Version differs. */
  innerVariables?: boolean;
  /** Whether `*` and `?` are wildcards; false for operators that compare exactly. */
  wildcards?: boolean;
}

function tokens(pattern: string, options: PatternOptions): Token[] {
  if (options.wildcards === false) return [...pattern].map((c) => ({ t: 'lit', c }));
  return tokenise(pattern, options.variables ?? true);
}

/**
 * Whether every string `inner` matches is also matched by `outer`. Sound: true is always
 * right. A variable in `inner` is covered only by `*` or by the same variable in `outer`.
 */
export function patternCovers(outer: string, inner: string, options: PatternOptions = {}): boolean {
  if (outer === '*' || (outer === inner && options.variables === options.innerVariables)) {
    return true;
  }
  // A literal covers only itself, the common case, decided without tokenising.
  if (!/[*?$]/.test(outer)) return outer === inner;
  const q = tokens(outer, options);
  const p = tokens(inner, { ...options, variables: options.innerVariables ?? options.variables });
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
      result = covers(i, j + 1) || (innerToken !== undefined && covers(i + 1, j));
    } else if (innerToken === undefined) result = false;
    else if (outerToken.t === 'one') {
      result = (innerToken.t === 'lit' || innerToken.t === 'one') && covers(i + 1, j + 1);
    } else if (outerToken.t === 'lit') {
      result = innerToken.t === 'lit' && innerToken.c === outerToken.c && covers(i + 1, j + 1);
    } else {
      result =
        innerToken.t === 'var' && innerToken.name === outerToken.name && covers(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return covers(0, 0);
}

/** Whether some string is matched by both patterns (a variable may stand for any text). */
export function patternsIntersect(a: string, b: string, options: PatternOptions = {}): boolean {
  const p = tokens(a, options);
  const q = tokens(b, options);
  const memo = new Map<number, boolean>();
  const width = q.length + 1;
  const isAny = (token: Token | undefined) => token?.t === 'star' || token?.t === 'var';

  const meet = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = p[i];
    const y = q[j];
    let result: boolean;
    if (x === undefined && y === undefined) result = true;
    else if (isAny(x)) result = meet(i + 1, j) || (y !== undefined && meet(i, j + 1));
    else if (isAny(y)) result = meet(i, j + 1) || (x !== undefined && meet(i + 1, j));
    else if (x === undefined || y === undefined) result = false;
    else if (x.t === 'lit' && y.t === 'lit') result = x.c === y.c && meet(i + 1, j + 1);
    else result = meet(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return meet(0, 0);
}

/** Whether a pattern matches every string. */
export function matchesEverything(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

/** Whether a text holds a policy variable. */
export function hasVariable(text: string): boolean {
  return tokenise(text, true).some((token) => token.t === 'var');
}
