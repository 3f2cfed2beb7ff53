/** Builders for policy documents in tests: a statement from a partial, a document of them. */

export interface StatementInput {
  Sid?: string;
  Effect?: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** An Allow statement of s3:GetObject on every resource, with the given parts instead. */
export function statement(partial: StatementInput = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { Effect: 'Allow' };
  if (partial.NotAction === undefined) base.Action = 's3:GetObject';
  if (partial.NotResource === undefined && partial.Principal === undefined) base.Resource = '*';
  const out = { ...base, ...partial } as Record<string, unknown>;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** A document of Version 2012-10-17 holding the given statements. */
export function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

/** A trust statement letting `principal` (an AWS principal by default) assume the role. */
export function trustStatement(
  principal: unknown,
  partial: StatementInput = {},
): Record<string, unknown> {
  const Principal =
    typeof principal === 'object' && principal !== null && !('kind' in principal)
      ? principal
      : { AWS: principal };
  return statement({ Principal, Action: 'sts:AssumeRole', ...partial });
}

/** The external ID used wherever a test needs a secret that must never be shown. */
export const CANARY_EXTERNAL_ID = 'canary-ext-7d1c9a-do-not-print';
