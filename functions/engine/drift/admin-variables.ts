/**
 * Policy variables in the resources a judgement reads (see `admin.ts`), resolved as far as the
 * judgement knows them and taken conservatively otherwise. `${aws:PrincipalAccount}` and
 * `${aws:ResourceAccount}` are the account judged. A role's session has no `aws:username`, so a
 * resource naming `${aws:username}` meets nothing for the roles judged (a user's self-service
 * policy is not admin-equivalent for them). Any other variable may stand for anything: in an
 * Allow's `Resource` it is read as `*`; an Allow's `NotResource` holding one is taken as leaving
 * out nothing; a Deny's resource holding one as denying nothing.
 *
 * Limitation: a variable is read as `*` whole, so an Allow on
 * `arn:aws:iam::123456789012:role/${aws:PrincipalTag/team}-*` counts as an Allow on every role
 * whose name holds a `-`, whatever the tags the roles carry.
 */
import type { RawDocument } from './admin-document';

type Raw = Record<string, unknown>;

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES = new Set(['*', '?', '$']);
const ACCOUNT_KEYS = new Set(['aws:principalaccount', 'aws:resourceaccount']);

/** The document with the variables in its resources resolved for `account` (module comment). */
export function resolveVariables(document: RawDocument, account: string): RawDocument {
  if (document.Version !== '2012-10-17') return document;
  return { ...document, Statement: document.Statement.flatMap((s) => resolved(s, account)) };
}

function resolved(item: unknown, account: string): unknown[] {
  if (typeof item !== 'object' || item === null) return [item];
  const s = item as Raw;
  const key = s.NotResource !== undefined ? 'NotResource' : 'Resource';
  const values = [s[key]].flat();
  if (!values.every((v) => typeof v === 'string')) return [item];
  const texts = (values as string[]).map((v) => withAccount(v, account));
  if (texts.every((t) => !hasVariable(t))) return [{ ...s, [key]: texts }];
  const plain = texts.filter((t) => !hasVariable(t));
  if (s.Effect !== 'Allow')
    return key === 'NotResource' || plain.length === 0 ? [] : [{ ...s, Resource: plain }];
  if (key === 'NotResource') {
    return plain.length === 0 ? [withResource(s, ['*'])] : [{ ...s, NotResource: plain }];
  }
  const kept = texts.filter((t) => !/\$\{aws:username\}/i.test(t)).map(starred);
  return kept.length === 0 ? [] : [{ ...s, Resource: kept }];
}

/** The statement on `resources`, its `NotResource` left out. */
function withResource(s: Raw, resources: string[]): Raw {
  const { NotResource: _, ...rest } = s;
  return { ...rest, Resource: resources };
}

function withAccount(text: string, account: string): string {
  return text.replace(VARIABLE, (whole, name: string) =>
    ACCOUNT_KEYS.has(name.trim().toLowerCase()) ? account : whole,
  );
}

function hasVariable(text: string): boolean {
  return [...text.matchAll(VARIABLE)].some((m) => !ESCAPES.has(m[1]));
}

function starred(text: string): string {
  return text.replace(VARIABLE, (whole, name: string) => (ESCAPES.has(name) ? whole : '*'));
}
