/** The shapes the installation-parameter rules give back. */

/** One problem with the installation parameters. */
export interface Problem {
  /** The parameter concerned, or null for a problem not tied to one parameter. */
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

/** Shows a received value in a message: quoted, control characters escaped, long ones cut. */
export function shown(value: string): string {
  const quoted = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return value.length > 80 ? `${quoted} (${value.length} characters)` : quoted;
}
