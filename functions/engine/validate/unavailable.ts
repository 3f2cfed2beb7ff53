/**
 * Live checks that could not be made, and the warnings that say so. Checks of one kind that
 * failed for one cause under one parameter become a single warning naming them all (eight
 * throttled role look-ups are one warning, not eight), so that real problems keep their room
 * in the 4096-byte reason. Causes are told in plain words, never as a raw exception.
 */
import { isAccessDenied, isThrottled } from '../aws/clients';
import { describeError } from '../errors';
import { type RuleProblem, receivedText, shown, warning } from './types';

/** What a live check asks IAM. */
export type CheckKind =
  | 'role-name'
  | 'policy-name'
  | 'policy'
  | 'policy-document'
  | 'boundary-document'
  | 'boundary-evaluation';

/** Why a check could not be made, and what to do about it; `key` groups like causes. */
export interface Cause {
  key: string;
  why: string;
  fix: string;
}

/** One check that could not be made. */
export interface Unavailable {
  parameter: string;
  check: CheckKind;
  /** The role name or policy ARN the check was about. */
  subject: string;
  cause: Cause;
}

/** What one live check found: problems with the values, or that it could not be made. */
export type Found = RuleProblem[] | Unavailable;

/** A call's value, or the cause of its failure. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; cause: Cause };

/** Makes a call to IAM, catching its failure as a cause. */
export async function attempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, cause: causeOf(error) };
  }
}

/** Subjects named in one warning; the rest are counted. */
const NAMED = 6;

const DENIED: Cause = {
  key: 'denied',
  why: "access was denied (by an SCP, a permissions boundary or the caller's own policy)",
  fix: 'allow iam:GetRole, iam:GetPolicy and iam:GetPolicyVersion to the caller, or check by hand',
};

const THROTTLED: Cause = {
  key: 'throttled',
  why: 'IAM was still throttling the requests when the retries ran out',
  fix: 'deploy again later; if it keeps happening, check by hand',
};

const NOT_JSON: Cause = {
  key: 'not-json',
  why: 'IAM returned a policy document that is not valid JSON',
  fix: "look at the policy's default version in the IAM console, and correct it there",
};

/** The cause of a failed IAM call, in words. */
export function causeOf(error: unknown): Cause {
  if (isAccessDenied(error)) return DENIED;
  if (isThrottled(error)) return THROTTLED;
  if (error instanceof SyntaxError || error instanceof URIError) return NOT_JSON;
  const name = error instanceof Error ? error.name : 'Error';
  return {
    key: `failed:${name}`,
    why: `the call to IAM failed (${receivedText(describeError(error))})`,
    fix: 'deploy again; if it happens again, check by hand',
  };
}

/** One warning per parameter, check and cause, in the order the checks were listed. */
export function unavailableWarnings(items: Unavailable[]): RuleProblem[] {
  const groups = new Map<string, Unavailable[]>();
  for (const item of items) {
    const key = `${item.parameter}\n${item.check}\n${item.cause.key}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()].map((group) => {
    const [{ parameter, check, cause }] = group;
    const subjects = [...new Set(group.map((g) => g.subject))];
    return warning(
      parameter,
      'live-check-unavailable',
      `Could not check ${described(parameter, check, subjects)}: ${cause.why}. The value was ` +
        `not proven wrong, so this does not block the install. Fix: ${cause.fix}.`,
    );
  });
}

function described(parameter: string, check: CheckKind, subjects: string[]): string {
  const one = subjects.length === 1;
  const names = listed(subjects);
  switch (check) {
    case 'role-name':
      return one
        ? `whether a role named ${names} already exists`
        : `whether roles named ${names} already exist`;
    case 'policy-name':
      return one
        ? `whether the managed policy ${names} already exists`
        : `whether the managed policies ${names} already exist`;
    case 'policy':
      return `${parameter}: whether ${names} ${one ? 'exists' : 'exist'} and can be attached`;
    case 'policy-document':
      return `${parameter}: whether ${names} ${one ? 'grants' : 'grant'} administrator access`;
    case 'boundary-document':
      return `${parameter}: what ${names} allows`;
    case 'boundary-evaluation':
      return `${parameter}: which actions of the connector's roles ${names} blocks`;
  }
}

function listed(subjects: string[]): string {
  const named = subjects.slice(0, NAMED).map(shown);
  const rest = subjects.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} more`;
  if (named.length === 1) return named[0];
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}
