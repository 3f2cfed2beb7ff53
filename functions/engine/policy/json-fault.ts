/**
 * Where a text stops being JSON, by line and column, found by reading it the way JSON.parse
 * does. Node's own message gives a position only in some versions and for some faults, and may
 * quote the text around it, which can hold a secret; this never quotes anything.
 */

/** What is wrong with a JSON text and where, e.g. `unexpected character at line 2, column 7`. */
export function jsonFault(text: string): string {
  const fault = new JsonScanner(text).fault();
  if (fault === undefined) return 'malformed';
  if (fault.offset >= text.length) return 'it ends before the JSON does';
  const before = text.slice(0, fault.offset);
  const line = before.split('\n').length;
  const column = fault.offset - before.lastIndexOf('\n');
  return `${fault.what} at line ${line}, column ${column}`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

interface Fault {
  offset: number;
  what: string;
}

/** Reads without recursion, so that deep nesting cannot overflow the stack. */
class JsonScanner {
  private at = 0;
  private readonly open: ('{' | '[')[] = [];

  constructor(private readonly text: string) {}

  /** The first fault, or undefined when the text is JSON. */
  fault(): Fault | undefined {
    let next: 'value' | 'key' | 'after' = 'value';
    for (;;) {
      if (next === 'key') {
        const fault = this.key();
        if (fault) return fault;
        next = 'value';
      } else if (next === 'value') {
        const read = this.value();
        if (typeof read === 'object') return read;
        next = read === '{' ? 'key' : read === '[' ? 'value' : 'after';
      } else {
        const read = this.afterValue();
        if (read === null || typeof read === 'object') return read ?? undefined;
        next = read;
      }
    }
  }

  /** Reads a value: `{` or `[` when it opened an object or list left to read, else `done`. */
  private value(): '{' | '[' | 'done' | Fault {
    this.skipWhitespace();
    const c = this.text[this.at];
    if (c === '{' || c === '[') {
      this.at++;
      this.skipWhitespace();
      if (this.text[this.at] === (c === '{' ? '}' : ']')) {
        this.at++;
        return 'done';
      }
      this.open.push(c);
      return c;
    }
    if (c === '"') return this.string() ?? 'done';
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return 'done';
      }
    }
    NUMBER.lastIndex = this.at;
    if (NUMBER.test(this.text)) {
      this.at = NUMBER.lastIndex;
      return 'done';
    }
    return this.here('unexpected character');
  }

  /** Reads `"name":` inside an object; the value after it is read next. */
  private key(): Fault | undefined {
    this.skipWhitespace();
    if (this.text[this.at] !== '"') return this.here('expected a double-quoted name');
    const fault = this.string();
    if (fault) return fault;
    this.skipWhitespace();
    if (this.text[this.at] !== ':') return this.here("expected ':' after a name");
    this.at++;
    return undefined;
  }

  /** After a value, past the objects and lists it closes: what to read next, null at the end. */
  private afterValue(): 'value' | 'key' | Fault | null {
    for (;;) {
      this.skipWhitespace();
      const top = this.open.at(-1);
      const c = this.text[this.at];
      if (top === undefined) return c === undefined ? null : this.here('unexpected character');
      const close = top === '{' ? '}' : ']';
      if (c === ',') {
        this.at++;
        return top === '{' ? 'key' : 'value';
      }
      if (c !== close) return this.here(`expected ',' or '${close}'`);
      this.at++;
      this.open.pop();
    }
  }

  private string(): Fault | undefined {
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at] as string;
      if (c === '"') {
        this.at++;
        return undefined;
      }
      if (c === '\\') {
        ESCAPE.lastIndex = this.at;
        if (!ESCAPE.test(this.text)) return this.here('bad escape in a string');
        this.at = ESCAPE.lastIndex;
      } else if (c < ' ') {
        return this.here('control character in a string');
      } else {
        this.at++;
      }
    }
    return this.here('unterminated string');
  }

  private skipWhitespace(): void {
    while (WHITESPACE.has(this.text[this.at] as string)) this.at++;
  }

  private here(what: string): Fault {
    return { offset: this.at, what };
  }
}
