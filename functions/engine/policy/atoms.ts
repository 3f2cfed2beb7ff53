/**
 * A statement split into atoms: one action (or the NotAction set), one resource (or the
 * NotResource set) and one principal (or the NotPrincipal set), under the statement's whole
 * condition block. A statement grants the union of its atoms, so merged and split statements
 * give the same atoms, and one grant covers another when each dimension covers it and its
 * conditions follow from the other's.
 */
import { isSecret, isUnknown, type UnknownValue } from '../values';
import { spend } from './budget';
import { type Clause, valueKey } from './condition';
import {
  isAccountPrincipal,
  type Leaf,
  type LeafList,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalEntry,
} from './document';
import { blockImplies, type Verdict } from './implication';
import {
  arnCovers,
  arnsIntersect,
  hasVariable,
  matchesEverything,
  patternCovers,
  patternsIntersect,
} from './pattern';
import type { ActionCatalogue } from './types';

/** One value of a dimension, the negated set, or an unknown standing for the whole element. */
export type Dim<T> =
  | { kind: 'one'; value: T }
  | { kind: 'not'; values: T[] }
  | { kind: 'opaque'; unknown: UnknownValue };

export interface Atom {
  statement: PolicyStatement;
  effect: 'Allow' | 'Deny';
  action: Dim<Leaf>;
  resource: Dim<Leaf> | null;
  principal: Dim<PrincipalEntry> | null;
  condition: Clause[] | UnknownValue;
  /** Whether `${...}` in the atom's texts is a policy variable (Version 2012-10-17). */
  variables: boolean;
}

/** Splits every statement of a document into atoms. */
export function atomsOf(document: PolicyDocument): Atom[] {
  const variables = document.version === '2012-10-17';
  return document.statements.flatMap((statement) => statementAtoms(statement, variables));
}

function statementAtoms(statement: PolicyStatement, variables: boolean): Atom[] {
  if (statement.opaque) {
    const opaque = { kind: 'opaque' as const, unknown: statement.opaque };
    return [
      {
        statement,
        effect: statement.effect,
        action: opaque,
        resource: opaque,
        principal: opaque,
        condition: statement.opaque,
        variables,
      },
    ];
  }
  const actions = dims(statement.action.not, statement.action.values);
  const resources = statement.resource
    ? dims(statement.resource.not, statement.resource.values)
    : [null];
  const principals = statement.principal
    ? dims(statement.principal.not, statement.principal.entries)
    : [null];

  const atoms: Atom[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      for (const principal of principals) {
        atoms.push({
          statement,
          effect: statement.effect,
          action,
          resource,
          principal,
          condition: statement.condition,
          variables,
        });
      }
    }
  }
  return atoms;
}

function dims<T>(not: boolean, values: T[] | UnknownValue): Dim<T>[] {
  if (isUnknown(values)) return [{ kind: 'opaque', unknown: values }];
  if (not) return [{ kind: 'not', values }];
  return values.map((value) => ({ kind: 'one', value }));
}

/** Combines verdicts that must all hold. */
export function all(...verdicts: Verdict[]): Verdict {
  if (verdicts.includes('no')) return 'no';
  return verdicts.includes('unknown') ? 'unknown' : 'yes';
}

/** How leaves of one dimension relate. */
interface Space<T> {
  covers(outer: T, inner: T): Verdict;
  intersects(a: T, b: T): Verdict;
  universal(value: T): boolean;
  /** Whether a single value may cover the complement of a set (only the universal one can). */
  coversComplement(outer: T): Verdict;
}

function dimCovers<T>(space: Space<T>, outer: Dim<T>, inner: Dim<T>): Verdict {
  spend(1 + (outer.kind === 'not' ? outer.values.length : 0));
  if (outer.kind === 'one' && space.universal(outer.value)) return 'yes';
  if (outer.kind === 'opaque' || inner.kind === 'opaque') return 'unknown';
  if (outer.kind === 'one') {
    return inner.kind === 'one'
      ? space.covers(outer.value, inner.value)
      : space.coversComplement(outer.value);
  }
  if (inner.kind === 'one') {
    let verdict: Verdict = 'yes';
    for (const excluded of outer.values) {
      const meet = space.intersects(excluded, inner.value);
      if (meet === 'yes') return 'no';
      if (meet === 'unknown') verdict = 'unknown';
    }
    return verdict;
  }
  return all(
    ...outer.values.map((excluded) => any(inner.values.map((e) => space.covers(e, excluded)))),
  );
}

function any(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('yes')) return 'yes';
  return verdicts.includes('unknown') ? 'unknown' : 'no';
}

const actionSpace: Space<Leaf> = {
  covers: (outer, inner) =>
    leafVerdict(outer, inner, (o, i) =>
      patternCovers(o.toLowerCase(), i.toLowerCase(), { variables: false }),
    ),
  intersects: (a, b) =>
    leafVerdict(a, b, (x, y) =>
      patternsIntersect(x.toLowerCase(), y.toLowerCase(), { variables: false }),
    ),
  universal: (value) => typeof value === 'string' && (matchesEverything(value) || value === '*:*'),
  // A NotAction set grants every action of every service outside it. A list of actions whose
  // services are all named covers that only if some pattern spans every service, which only a
  // full catalogue could show; with a named service each, some other service is left out.
  coversComplement: (outer) =>
    typeof outer === 'string' && !/[*?]/.test(outer.split(':')[0] ?? '') ? 'no' : 'unknown',
};

function resourceSpace(outerVariables: boolean, innerVariables: boolean): Space<Leaf> {
  const options = { variables: outerVariables, innerVariables };
  return {
    covers: (outer, inner) => leafVerdict(outer, inner, (o, i) => arnCovers(o, i, options)),
    intersects: (a, b) =>
      leafVerdict(a, b, (x, y) => arnsIntersect(x, y, { variables: outerVariables })),
    universal: (value) => typeof value === 'string' && matchesEverything(value),
    coversComplement: () => 'no',
  };
}

const principalSpace: Space<PrincipalEntry> = {
  covers: (outer, inner) => principalCovers(outer, inner),
  intersects: (a, b) => any([principalCovers(a, b), principalCovers(b, a)]),
  universal: (entry) => entry.type === '*',
  coversComplement: () => 'no',
};

function leafVerdict(
  outer: Leaf,
  inner: Leaf,
  test: (outer: string, inner: string) => boolean | Verdict,
): Verdict {
  if (typeof outer === 'string' && typeof inner === 'string') {
    const verdict = test(outer, inner);
    return verdict === true ? 'yes' : verdict === false ? 'no' : verdict;
  }
  if (isSecret(outer) && isSecret(inner)) {
    return outer.parameter === inner.parameter ? 'yes' : 'unknown';
  }
  // A live value matching a secret's digest was already replaced by the secret, so a secret
  // against text here is a value the secret is not, unless its digest is not known.
  const secret = isSecret(outer) ? outer : isSecret(inner) ? inner : undefined;
  const text = secret === outer ? inner : outer;
  if (secret && typeof text === 'string') {
    return secret.sha256 === undefined || /[*?]/.test(text) ? 'unknown' : 'no';
  }
  return 'unknown';
}

/**
 * Whether a principal entry covers another: the same principal, `*`, or an account that holds
 * the other (an account principal trusts every role and user of the account that is allowed).
 */
export function principalCovers(outer: PrincipalEntry, inner: PrincipalEntry): Verdict {
  if (outer.type === '*') return 'yes';
  if (inner.type === '*') return 'no';
  if (typeof outer.value !== 'string' || typeof inner.value !== 'string') {
    return isUnknown(outer.value) || isUnknown(inner.value) ? 'unknown' : 'no';
  }
  if (outer.type !== inner.type) return 'no';
  if (outer.value === inner.value) return 'yes';
  if (outer.type === 'AWS' && isAccountPrincipal(outer.value)) {
    const account = /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(inner.value)?.[1];
    return account === outer.value ? 'yes' : 'no';
  }
  return 'no';
}

/** The verdict for each dimension of `inner` against `outer`. */
export interface AtomVerdict {
  action: Verdict;
  resource: Verdict;
  principal: Verdict;
  condition: Verdict;
}

/** Compares two atoms dimension by dimension: does `outer` grant all of `inner`? */
export function atomCovers(outer: Atom, inner: Atom): AtomVerdict {
  spend();
  return {
    action: dimCovers(actionSpace, outer.action, inner.action),
    resource: resourceCovers(outer, inner),
    principal: optionalCovers(principalSpace, outer.principal, inner.principal),
    condition: blockImplies(inner.condition, outer.condition),
  };
}

function resourceCovers(outer: Atom, inner: Atom): Verdict {
  const space = resourceSpace(outer.variables, inner.variables);
  return optionalCovers(space, outer.resource, inner.resource);
}

/** Whether `outer` grants all of `inner`, stopping at the first dimension that fails. */
export function atomGrants(outer: Atom, inner: Atom): Verdict {
  spend();
  const action = dimCovers(actionSpace, outer.action, inner.action);
  if (action === 'no') return 'no';
  const resource = resourceCovers(outer, inner);
  if (resource === 'no') return 'no';
  const principal = optionalCovers(principalSpace, outer.principal, inner.principal);
  if (principal === 'no') return 'no';
  return all(action, resource, principal, blockImplies(inner.condition, outer.condition));
}

function optionalCovers<T>(space: Space<T>, outer: Dim<T> | null, inner: Dim<T> | null): Verdict {
  if (outer === null) return 'yes';
  if (inner === null) {
    if (outer.kind === 'opaque') return 'unknown';
    return outer.kind === 'one' && space.universal(outer.value) ? 'yes' : 'no';
  }
  return dimCovers(space, outer, inner);
}

function dimIntersects<T>(space: Space<T>, a: Dim<T>, b: Dim<T>): Verdict {
  if (a.kind === 'opaque' || b.kind === 'opaque') return 'unknown';
  if (a.kind === 'one' && b.kind === 'one') return space.intersects(a.value, b.value);
  if (a.kind === 'not' && b.kind === 'not') return 'yes';
  const one = (a.kind === 'one' ? a : b) as { kind: 'one'; value: T };
  const not = (a.kind === 'not' ? a : b) as { kind: 'not'; values: T[] };
  // The value meets the complement unless one excluded pattern covers all of it.
  return any(not.values.map((excluded) => space.covers(excluded, one.value))) === 'yes'
    ? 'no'
    : 'yes';
}

/** Whether some request could be granted (or denied) by both atoms, ignoring conditions. */
export function atomsMeet(a: Atom, b: Atom): Verdict {
  const resources =
    a.resource && b.resource
      ? dimIntersects(resourceSpace(a.variables, a.variables), a.resource, b.resource)
      : 'yes';
  return all(dimIntersects(actionSpace, a.action, b.action), resources);
}

/**
 * The atoms of one side, indexed so that coverage looks only where it can be found: first an
 * atom identical to the one asked about, then atoms of the same service and those whose action
 * spans services. Documents of a thousand actions compare in milliseconds this way.
 */
export class AtomIndex {
  private readonly keys = new Set<string>();
  private readonly byService = new Map<string, Atom[]>();
  private readonly general: Atom[] = [];
  private readonly byAction = new Map<string, Atom[]>();
  /** One atom of each statement, in document order. */
  readonly representatives: Atom[];
  /** The condition keys (lower case) the atoms test. */
  readonly conditionKeys = new Set<string>();

  constructor(readonly atoms: Atom[]) {
    this.representatives = [...new Map(atoms.map((a) => [a.statement, a])).values()];
    for (const atom of atoms) {
      this.keys.add(atomKey(atom));
      if (!isUnknown(atom.condition)) {
        for (const clause of atom.condition) this.conditionKeys.add(clause.key);
      }
      const action = actionKey(atom.action);
      if (action !== undefined) listIn(this.byAction, action).push(atom);
      // An atom of a literal action can cover only that action, so it is found through
      // byAction; byService holds the wildcards of a service.
      const service = serviceOf(atom.action);
      if (service === undefined) this.general.push(atom);
      else if (hasWildcard(atom.action)) listIn(this.byService, service).push(atom);
    }
  }

  /** Whether an atom identical to this one is held. */
  has(atom: Atom): boolean {
    return this.keys.has(atomKey(atom));
  }

  /** The atoms with exactly this atom's action. */
  sameAction(atom: Atom): Atom[] {
    const action = actionKey(atom.action);
    return action === undefined ? [] : (this.byAction.get(action) ?? []);
  }

  /** The atoms whose action can cover this atom's action. */
  candidates(atom: Atom): Atom[] {
    const service = serviceOf(atom.action);
    if (service === undefined) return this.atoms;
    const wildcards = [...(this.byService.get(service) ?? []), ...this.general];
    return hasWildcard(atom.action) ? wildcards : [...this.sameAction(atom), ...wildcards];
  }
}

/** The list a map holds under a key, added when missing. */
function listIn<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function hasWildcard(action: Dim<Leaf>): boolean {
  return action.kind !== 'one' || typeof action.value !== 'string' || /[*?]/.test(action.value);
}

function actionKey(action: Dim<Leaf>): string | undefined {
  return action.kind === 'one' && typeof action.value === 'string'
    ? action.value.toLowerCase()
    : undefined;
}

/** The lower-case service of a single action without a wildcard in its service part. */
function serviceOf(action: Dim<Leaf>): string | undefined {
  if (action.kind !== 'one' || typeof action.value !== 'string') return undefined;
  const at = action.value.indexOf(':');
  if (at < 0) return undefined;
  const service = action.value.slice(0, at).toLowerCase();
  return /[*?]/.test(service) ? undefined : service;
}

/** A number for each statement that could not be read, so that no two share a key. */
const unreadIds = new WeakMap<PolicyStatement, number>();
let unreadCount = 0;

/**
 * A key two atoms share only when they grant exactly the same. A statement that could not be
 * read grants what no other statement is known to grant: its key is its own.
 */
export function atomKey(atom: Atom): string {
  if (atom.statement.unread !== undefined) {
    let id = unreadIds.get(atom.statement);
    if (id === undefined) {
      id = unreadCount++;
      unreadIds.set(atom.statement, id);
    }
    return `unread|${id}`;
  }
  const leaf = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (isUnknown(value) || isSecret(value)) return valueKey(value);
    return JSON.stringify(value, (_, v) => (isUnknown(v) || isSecret(v) ? valueKey(v) : v));
  };
  const dim = (d: Dim<unknown> | null, lower = false): string => {
    if (d === null) return '-';
    if (d.kind === 'opaque') return `?${d.unknown.source}`;
    if (d.kind === 'one') return `=${lower ? leaf(d.value).toLowerCase() : leaf(d.value)}`;
    return `!${d.values.map((v) => (lower ? leaf(v).toLowerCase() : leaf(v))).join(',')}`;
  };
  return [
    atom.effect,
    atom.variables ? 'v' : 'l',
    dim(atom.action, true),
    dim(atom.resource),
    dim(atom.principal),
    leaf(atom.condition),
  ].join('|');
}

/**
 * Whether the atoms of `outer` together grant all of `inner`, with the catalogue's help. Every
 * step spends from the budget in force (budget.ts), so a grant split many ways stops there.
 */
export function coveredBy(inner: Atom, outer: AtomIndex, catalogue?: ActionCatalogue): Verdict {
  spend();
  if (outer.has(inner)) return 'yes';
  if (inner.action.kind === 'not' && grantsUncoveredWitness(inner, outer)) return 'no';
  let verdict: Verdict = 'no';
  for (const candidate of outer.candidates(inner)) {
    const one = atomGrants(candidate, inner);
    if (one === 'yes') return 'yes';
    if (one === 'unknown') verdict = 'unknown';
  }
  if (verdict !== 'no') return verdict;

  // The grant may be split across statements: by the values of a condition (one statement per
  // accepted region, say), or, with a catalogue, by the actions a wildcard stands for. Only a
  // key some atom of the other side tests can be split on to any effect.
  const split = splitByValues(inner, outer.conditionKeys);
  if (split) return allParts(split, (part) => coveredBy(part, outer, catalogue));
  const actions = catalogue ? expandAction(inner.action, catalogue) : undefined;
  if (actions && actions.length > 0) {
    return allParts(actions, (action) =>
      coveredBy({ ...inner, action: { kind: 'one', value: action } }, outer),
    );
  }
  return verdict;
}

/** Whether every part holds, stopping at the first that does not. */
function allParts<T>(parts: readonly T[], test: (part: T) => Verdict): Verdict {
  let verdict: Verdict = 'yes';
  for (const part of parts) {
    const one = test(part);
    if (one === 'no') return 'no';
    if (one === 'unknown') verdict = 'unknown';
  }
  return verdict;
}

/**
 * Real actions of many services, used to show that a NotAction grant reaches further than a
 * list of actions: one of them outside the NotAction set and granted by nothing on the other
 * side proves the gap without a catalogue.
 */
const WITNESSES = [
  'ec2:TerminateInstances',
  'iam:CreateAccessKey',
  's3:DeleteBucket',
  'kms:ScheduleKeyDeletion',
  'lambda:DeleteFunction',
  'dynamodb:DeleteTable',
  'rds:DeleteDBInstance',
  'cloudtrail:StopLogging',
  'organizations:LeaveOrganization',
  'logs:DeleteLogGroup',
  'sns:Publish',
  'sqs:SendMessage',
];

function grantsUncoveredWitness(inner: Atom, outer: AtomIndex): boolean {
  return WITNESSES.some((witness) => {
    const one: Dim<Leaf> = { kind: 'one', value: witness };
    if (dimCovers(actionSpace, inner.action, one) !== 'yes') return false;
    return coveredBy({ ...inner, action: one }, outer) === 'no';
  });
}

/** Operators whose values are alternatives: a request matching any one value passes. */
const ALTERNATIVES = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnLike',
  'NumericEquals',
  'DateEquals',
  'IpAddress',
  'BinaryEquals',
]);
/** How many atoms one atom may be split into by condition values, at most. */
const MOST_PARTS = 32;

/**
 * The atom as one atom per value of its first multi-valued alternative clause on one of the
 * keys, if any.
 */
function splitByValues(atom: Atom, keys: ReadonlySet<string>): Atom[] | undefined {
  if (isUnknown(atom.condition)) return undefined;
  const clauses = atom.condition;
  const at = clauses.findIndex(
    (c) =>
      keys.has(c.key) &&
      c.set === '' &&
      ALTERNATIVES.has(c.base) &&
      Array.isArray(c.values) &&
      c.values.length > 1 &&
      c.values.length <= MOST_PARTS,
  );
  if (at < 0) return undefined;
  const clause = clauses[at] as Clause;
  return (clause.values as Leaf[]).map((value) => ({
    ...atom,
    condition: clauses.map((c, i) => (i === at ? { ...c, values: [value] } : c)),
  }));
}

/** The catalogued actions a wildcard action matches, or undefined when it cannot be told. */
export function expandAction(
  action: Dim<Leaf>,
  catalogue: ActionCatalogue,
): readonly string[] | undefined {
  if (action.kind !== 'one' || typeof action.value !== 'string') return undefined;
  const pattern = action.value.toLowerCase();
  const [service, name] = pattern.split(':');
  if (service === undefined || name === undefined || /[*?]/.test(service)) return undefined;
  if (!/[*?]/.test(name)) return undefined;
  const known = catalogue.actionsOf(service);
  return known?.filter((candidate) =>
    patternCovers(pattern, candidate.toLowerCase(), { variables: false }),
  );
}

/** The first unknown an atom depends on, for the reason of an undecidable change. */
export function unknownIn(atom: Atom): string | undefined {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (found.length > 0) return;
    if (isUnknown(value)) found.push(value.source);
    else if (isSecret(value) && value.sha256 === undefined) {
      found.push(`${value.parameter}, whose digest is not known`);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit([atom.action, atom.resource, atom.principal, atom.condition]);
  return found[0];
}

/** Whether any text of a list holds a policy variable. */
export function listHasVariable(values: LeafList): boolean {
  return !isUnknown(values) && values.some((v) => typeof v === 'string' && hasVariable(v));
}
