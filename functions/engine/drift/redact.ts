/**
 * Keeps secrets out of findings. An `sts:ExternalId` condition value, expected or live, is
 * shown only as a placeholder naming its parameter (or the condition key when no parameter
 * holds it), and every clear secret seen is replaced wherever else it might stand. Wherever
 * else a secret may be, {@link SecretDigests} finds it by its digest: every finding, report,
 * message and log line of the drift check passes through it before it leaves.
 */
import { type Log, type LogFields, registerSecret } from '../log';
import {
  isSecret,
  isUnknown,
  type SecretValue,
  secretPlaceholder,
  sha256Hex,
  UnknownValue,
} from '../values';

const EXTERNAL_ID = /^sts:externalid$/i;

/** Names a clear value by the parameter that holds it, for placeholders. */
export interface SecretNames {
  /** NoEcho parameters the template's documents refer to. */
  secrets: SecretValue[];
  /** Plain (not NoEcho) parameter values, by parameter name. */
  plain: Record<string, string>;
}

/** Every SecretValue leaf in a document. */
export function secretsIn(value: unknown, out: SecretValue[] = []): SecretValue[] {
  if (isSecret(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) secretsIn(v, out);
  else if (value !== null && typeof value === 'object' && !isUnknown(value)) {
    for (const v of Object.values(value)) secretsIn(v, out);
  }
  return out;
}

/** Every UnknownValue leaf's source in a document. */
export function unknownSources(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (isUnknown(value)) out.add(value.source);
  else if (Array.isArray(value)) for (const v of value) unknownSources(v, out);
  else if (value !== null && typeof value === 'object' && !isSecret(value)) {
    for (const v of Object.values(value)) unknownSources(v, out);
  }
  return out;
}

/**
 * For comparison only: a secret whose digest is unknown cannot be compared, so it becomes an
 * UnknownValue naming the parameter, and the comparison is undecidable rather than changed.
 */
export function undigestedAsUnknown(value: unknown): unknown {
  if (isSecret(value) && value.sha256 === undefined) {
    return new UnknownValue(
      `parameter ${value.parameter}`,
      `the value of NoEcho parameter ${value.parameter} was not supplied, so it cannot be compared`,
    );
  }
  if (Array.isArray(value)) return value.map(undigestedAsUnknown);
  if (value !== null && typeof value === 'object' && !isSecret(value) && !isUnknown(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, undigestedAsUnknown(v)]));
  }
  return value;
}

/** The placeholder for a clear external ID seen in a document. */
export function placeholderFor(clear: string, names: SecretNames): string {
  const secret = names.secrets.find((s) => s.matches(clear));
  if (secret !== undefined) return secretPlaceholder(secret.parameter);
  const plain = Object.entries(names.plain).find(([, v]) => v === clear);
  if (plain !== undefined) return secretPlaceholder(plain[0]);
  return secretPlaceholder('sts:ExternalId');
}

/**
 * A plain JSON copy of a document with every external-ID condition value replaced by its
 * placeholder; SecretValue and UnknownValue leaves become their placeholders too.
 */
export function maskDocument(document: unknown, names: SecretNames, seen?: Set<string>): unknown {
  return mask(document, names, false, seen);
}

function mask(value: unknown, names: SecretNames, inKey: boolean, seen?: Set<string>): unknown {
  if (isSecret(value) || isUnknown(value)) return value.toJSON();
  if (typeof value === 'string') {
    if (!inKey) return value;
    seen?.add(value);
    return placeholderFor(value, names);
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, names, inKey, seen));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = mask(v, names, inKey || EXTERNAL_ID.test(k), seen);
    return out;
  }
  return value;
}

/** Every external-ID condition value in a live document, in clear, to redact elsewhere. */
export function externalIdsIn(document: unknown, out: Set<string> = new Set()): Set<string> {
  maskDocument(document, { secrets: [], plain: {} }, out);
  return out;
}

/** Replaces every occurrence of the given clear values in any string of `value`. */
export function redactValues<T>(value: T, replacements: Map<string, string>): T {
  if (replacements.size === 0) return value;
  return deepReplace(
    value,
    [...replacements].filter(([clear]) => clear.length >= 2),
  ) as T;
}

function deepReplace(value: unknown, pairs: [string, string][]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [clear, placeholder] of pairs) out = out.split(clear).join(placeholder);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => deepReplace(v, pairs));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepReplace(v, pairs)]));
  }
  return value;
}

/**
 * Runs of characters an external ID may hold (`[\w+=,.@:/-]`), then the same split finer at
 * `:` `/`, then at `,` `.` `=` as well: the candidates for a secret standing inside a longer
 * string.
 */
const TOKEN_SPLITS = [/[^\w+=,.@:/-]+/, /[^\w+=,.@-]+/, /[^\w+@-]+/];
/**
 * For URL-encoded copies: runs of an external ID's characters and `%`, then the same split at
 * `=` `,` `:` `/` (which such a copy holds only escaped), as in a query string.
 */
const URL_TOKEN_SPLITS = [/[^\w%+=,.@:/-]+/, /[^\w%+.@-]+/];
/** Longer strings are only compared whole and by token up to this length. */
const TOKEN_TEXT_LIMIT = 1 << 20;

/**
 * Finds and masks secrets by their SHA-256 digests: the drift guard holds only the digest of
 * the external ID (and of other NoEcho values), never the value, yet live IAM may carry it
 * anywhere (under a misspelt condition key, as a Sid, a policy name, a tag, an operator).
 *
 * Every string, and every object key, whose digest is a known one is replaced by the secret's
 * placeholder (`<secret:TenantExternalId>`). So is a token of a longer string: a run of the
 * characters an external ID may hold, split as in {@link TOKEN_SPLITS}, so that `arn:...:SECRET/*`
 * or `... SECRET:*` are found. Given the digest of a secret lower-cased (`folded`), a string or
 * token in any other letter case is found too. A string or token that is base64 (or base64url)
 * of at least {@link BASE64_TOKEN_MIN} characters, or holds `%` escapes, is also compared once
 * decoded. Once a secret is found in clear, every occurrence of it in any string is replaced,
 * and it is registered with the log scrubber for the rest of the run.
 *
 * Limitation: a digest finds a secret only as a whole string or as such a token. A secret run
 * together with other characters an external ID may hold (`xSECRET`, `SECRET.json`, or one that
 * holds a `:` inside an ARN), a part of one (a prefix in a tag), its base64 inside a longer
 * encoded text, or, without the folded digest, a copy in other capitals cannot be found by its
 * digest and is shown as it stands, unless the same text also appeared on its own somewhere in
 * the same output.
 */
export class SecretDigests {
  private readonly byDigest = new Map<string, string>();
  private readonly byFolded = new Map<string, string>();
  private readonly known = new Map<string, string | null>();
  /** Clear values found, each with its placeholder. */
  readonly found = new Map<string, string>();

  /**
   * @param digests SHA-256 hex digests by the name of the parameter holding the secret
   * @param folded SHA-256 hex digests of the same secrets lower-cased, by the same names
   */
  constructor(
    digests: Record<string, string | undefined>,
    folded: Record<string, string | undefined> = {},
  ) {
    for (const [name, digest] of Object.entries(digests)) {
      if (isDigest(digest)) this.byDigest.set(digest.toLowerCase(), name);
    }
    for (const [name, digest] of Object.entries(folded)) {
      if (isDigest(digest)) this.byFolded.set(digest.toLowerCase(), name);
    }
  }

  /** Whether there is any digest to look for. */
  get empty(): boolean {
    return this.byDigest.size === 0 && this.byFolded.size === 0;
  }

  private nameOf(text: string): string | undefined {
    const exact = this.byDigest.get(sha256Hex(text));
    if (exact !== undefined || this.byFolded.size === 0) return exact;
    return this.byFolded.get(sha256Hex(text.toLowerCase()));
  }

  /** The placeholder for a string that is a secret, in any form it is found in, else undefined. */
  placeholderOf(text: string): string | undefined {
    const cached = this.known.get(text);
    if (cached !== undefined) return cached ?? undefined;
    let name: string | undefined;
    for (const form of decodings(text)) name ??= this.nameOf(form);
    const placeholder = name === undefined ? null : secretPlaceholder(name);
    if (this.known.size < 100_000) this.known.set(text, placeholder);
    if (placeholder !== null) {
      this.found.set(text, placeholder);
      registerSecret(text);
    }
    return placeholder ?? undefined;
  }

  /**
   * A plain JSON copy of `value` with every secret found by digest, whole or as a token, in
   * any string or key replaced by its placeholder, and every clear value already found
   * replaced wherever it stands.
   */
  mask<T>(value: T): T {
    if (value === undefined) return value;
    const plain: unknown = JSON.parse(JSON.stringify(value));
    if (this.empty) return plain as T;
    this.search(plain);
    // Nothing found in clear, now or earlier: the copy is already what is returned, and a
    // second one of a large report would only cost memory.
    return (this.found.size === 0 ? plain : this.replace(plain)) as T;
  }

  /** A log that masks every message and field the same way before `log` gets them. */
  guardLog(log: Log): Log {
    const emit =
      (level: keyof Log) =>
      (message: string, fields?: LogFields): void =>
        log[level](this.maskText(message), fields === undefined ? undefined : this.mask(fields));
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
  }

  /** Masks a piece of text (a log message, an error) the same way. */
  maskText(text: string): string {
    if (this.empty) return text;
    this.search(text);
    return this.found.size === 0 ? text : this.replaceText(text);
  }

  private search(value: unknown): void {
    if (typeof value === 'string') this.searchText(value);
    else if (Array.isArray(value)) for (const v of value) this.search(v);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        this.searchText(k);
        this.search(v);
      }
    }
  }

  private searchText(text: string): void {
    if (this.placeholderOf(text) !== undefined || text.length > TOKEN_TEXT_LIMIT) return;
    const splits = text.includes('%') ? [...TOKEN_SPLITS, ...URL_TOKEN_SPLITS] : TOKEN_SPLITS;
    for (const split of splits) {
      for (const token of text.split(split)) {
        if (token.length === 0 || token === text) continue;
        if (this.placeholderOf(token) === undefined) this.placeholderOf(trimmed(token));
      }
    }
  }

  private replace(value: unknown): unknown {
    if (typeof value === 'string') return this.replaceText(value);
    if (Array.isArray(value)) return value.map((v) => this.replace(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.replaceText(k), this.replace(v)]),
      );
    }
    return value;
  }

  private replaceText(text: string): string {
    const whole = this.found.get(text);
    if (whole !== undefined) return whole;
    let out = text;
    for (const [clear, placeholder] of this.found) out = out.split(clear).join(placeholder);
    return out;
  }
}

/** Encoded tokens shorter than this are not decoded: base64 of a 32-character secret is 44. */
const BASE64_TOKEN_MIN = 40;
const BASE64_TOKEN = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A text as it stands, then its base64 and URL decodings when it looks encoded. */
function decodings(text: string): string[] {
  const out = [text];
  if (text.length >= BASE64_TOKEN_MIN && BASE64_TOKEN.test(text)) {
    out.push(Buffer.from(text, 'base64').toString('utf8'));
  }
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      out.push(decodeURIComponent(text));
    } catch {
      // Not URL-encoded after all: compared only as it stands.
    }
  }
  return out;
}

function isDigest(digest: string | undefined): digest is string {
  return typeof digest === 'string' && /^[0-9a-f]{64}$/i.test(digest);
}

/** A token without the sentence punctuation that may follow it. */
function trimmed(token: string): string {
  return token.replace(/[.,]+$/, '');
}
