/** The shapes the installation-parameter rules give back, and how a value is shown in them. */
import { scrubText } from '../log';

/** One problem with the installation parameters. */
export interface Problem {
  /**
   * The parameter concerned, or null for a problem not tied to one parameter. For a property
   * the validator does not know, its name: as it is when plain printable ASCII of at most 128
   * characters, otherwise quoted, escaped, masked and cut as `shown()` does; `(name withheld)`
   * when the name holds part of a secret value.
   */
  parameter: string | null;
  /** A stable kebab-case name of the rule, e.g. `external-id-too-short`. */
  rule: string;
  /** One or two sentences: what is wrong, what was received, and how to fix it. */
  message: string;
}

/** The outcome of validating one set of installation parameters. */
export interface ValidationReport {
  /** True when there are no errors; warnings do not make a set of parameters invalid. */
  valid: boolean;
  errors: Problem[];
  warnings: Problem[];
}

/**
 * A problem while it is being worked out: `involves` lists every parameter whose value it
 * depends on, so that an Update can tell a problem it introduced from one it inherited.
 */
export interface RuleProblem extends Problem {
  level: 'error' | 'warning';
  involves: string[];
}

/** Builds an error tied to `parameter` (and optionally to others it depends on). */
export function error(
  parameter: string | null,
  rule: string,
  message: string,
  involves: string[] = parameter === null ? [] : [parameter],
): RuleProblem {
  return { level: 'error', parameter, rule, message, involves };
}

/** Builds a warning tied to `parameter` (and optionally to others it depends on). */
export function warning(
  parameter: string | null,
  rule: string,
  message: string,
  involves: string[] = parameter === null ? [] : [parameter],
): RuleProblem {
  return { level: 'warning', parameter, rule, message, involves };
}

/** Values longer than this many code points are cut in messages. */
const SHOWN_MAX = 80;
/** Controls, format characters (bidirectional overrides among them) and line separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Shows a received value in a message: registered secrets masked first, so that no cut or
 * escape can leave part of one behind; then cut by code point when long (never inside a
 * surrogate pair) and quoted, with controls, format characters (such as bidirectional
 * overrides) and line separators escaped as `\u` and four hex digits, so that the text reads the same in a
 * terminal, a log line and the CloudFormation console.
 *
 * @example
 * shown('a\u202eb') // "a\u202eb" with the override escaped, quotes included
 */
export function shown(value: string): string {
  const masked = scrubText(value);
  const points = Array.from(masked);
  const long = points.length > SHOWN_MAX;
  const text = long ? `${points.slice(0, SHOWN_MAX - 3).join('')}...` : masked;
  const quoted = JSON.stringify(text).replace(INVISIBLE, escaped);
  return long ? `${quoted} (${points.length} characters)` : quoted;
}

/**
 * A text the validator did not write (an AWS error's message, a parser's complaint), which may
 * repeat a received value: shown unquoted, with registered secrets masked. The validator's own
 * words never pass through here or through {@link shown}, so a secret is masked only inside
 * what was received.
 */
export function receivedText(text: string): string {
  return scrubText(text);
}

function escaped(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i += 1) {
    out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}
