/**
 * The directed comparison of an expected policy document with a live one. Both are split into
 * atoms (see atoms.ts); an Allow atom of one side that the other side's Allow atoms do not
 * cover is a grant added (live) or removed (expected), and a Deny atom of one side that the
 * other's Deny atoms do not cover is a deny removed (expected) or added (live). Each such atom
 * is explained by the element that makes the difference, then atoms are grouped into one
 * change per statement and element.
 *
 * Deny statements are compared with Deny statements: a removed Deny reads as a widening even
 * when no Allow of the document grants what it denied.
 */
import { isSecret, isUnknown, type SecretValue } from '../values';
import {
  type Atom,
  AtomIndex,
  type AtomVerdict,
  all,
  atomCovers,
  atomsOf,
  coveredBy,
  expandAction,
  listHasVariable,
  unknownIn,
} from './atoms';
import { blockImplies, type Clause, satisfied, type Verdict } from './condition';
import {
  clausesJson,
  clauseValuesText,
  leafText,
  listJson,
  listText,
  principalJson,
  statementJson,
} from './display';
import { type PolicyDocument, PolicyError, type PolicyStatement, parsePolicy } from './document';
import { hasVariable } from './pattern';
import type {
  ActionCatalogue,
  ChangeDirection,
  CompareOptions,
  Direction,
  PolicyChange,
  PolicyComparison,
  PolicyElement,
  PolicyKind,
} from './types';

/** Condition keys of a trust policy that stop a service or another account acting for someone else. */
const DEPUTY_GUARDS = new Set(['aws:sourceaccount', 'aws:sourcearn', 'aws:principalorgid']);
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{12,}$/;
const ELEMENT_ORDER: PolicyElement[] = [
  'Version',
  'Statement',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];

const UNDECIDED_CONDITIONS = 'how the two conditions relate cannot be decided';

type Side = 'expected' | 'live';

/** An atom one side has and the other does not cover, with what explains it. */
interface Gap {
  atom: Atom;
  side: Side;
  deny: boolean;
  direction: ChangeDirection;
  element: PolicyElement;
  counterpart: Atom | undefined;
  reason: string | undefined;
  /** With a catalogue, the actions a wildcard grants that the other side does not. */
  newActions?: string[];
}

/**
 * Compares the expected document (from the template) with the live one (from IAM).
 *
 * @param expected the promised document; may hold `UnknownValue` and `SecretValue` leaves
 * @param live the deployed document, in any form {@link parsePolicy} reads
 * @throws PolicyError when either document cannot be read
 *
 * @example
 * const result = comparePolicies(templateTrust, liveTrust, { kind: 'trust' });
 * if (result.direction === 'widened') for (const c of result.changes) log(c.summary);
 */
export function comparePolicies(
  expected: unknown,
  live: unknown,
  options: CompareOptions = {},
): PolicyComparison {
  const before = parsePolicy(expected, 'expected policy');
  const after = parsePolicy(live, 'live policy');
  if (options.kind === 'trust') {
    requirePrincipals(before, 'expected policy');
    requirePrincipals(after, 'live policy');
  }
  const opaque = before.opaque ?? after.opaque;
  if (opaque) {
    const reason = `not verifiable: depends on ${opaque.source}`;
    const change: PolicyChange = {
      direction: 'unknown',
      statement: { index: -1, sid: null },
      element: 'Statement',
      before: before.opaque ? opaque.toJSON() : null,
      after: null,
      summary: `could not compare the statements: ${reason}`,
    };
    return {
      equivalent: false,
      direction: 'unknown',
      reason,
      changes: [undecided(change, reason)],
    };
  }
  resolveSecrets(before, after);

  const gaps = findGaps(atomsOf(before), atomsOf(after), options.catalogue);
  const changes = [
    ...versionChanges(before, after),
    ...describeGaps(gaps, options.kind ?? 'permissions'),
  ];
  changes.sort(
    (a, b) =>
      a.statement.index - b.statement.index ||
      ELEMENT_ORDER.indexOf(a.element) - ELEMENT_ORDER.indexOf(b.element) ||
      (a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0),
  );
  return summarise(changes);
}

/** A trust policy says who may assume the role in every statement. */
function requirePrincipals(document: PolicyDocument, where: string): void {
  const bare = document.statements.find((s) => s.principal === null && !s.opaque);
  if (bare) {
    throw new PolicyError(
      `${where}: Statement[${bare.index}]: a trust policy statement needs a Principal or NotPrincipal.`,
    );
  }
}

function summarise(changes: PolicyChange[]): PolicyComparison {
  const has = (direction: ChangeDirection) => changes.some((c) => c.direction === direction);
  let direction: Direction = 'none';
  if (has('widened') && has('narrowed')) direction = 'mixed';
  else if (has('widened')) direction = 'widened';
  else if (has('unknown')) direction = 'unknown';
  else if (has('narrowed')) direction = 'narrowed';

  const unknown = changes.find((c) => c.direction === 'unknown');
  const result: PolicyComparison = { equivalent: changes.length === 0, direction, changes };
  if (unknown) result.reason = reasons.get(unknown) ?? unknown.summary;
  return result;
}

/** Why each undecidable change could not be decided, kept apart from its summary. */
const reasons = new WeakMap<PolicyChange, string>();

function undecided(change: PolicyChange, reason: string): PolicyChange {
  reasons.set(change, reason);
  return change;
}

/**
 * Lets a live clear value meet the expected secret it matches by digest: the live value is
 * replaced by the secret leaf, so the two compare equal and only the placeholder is shown.
 */
function resolveSecrets(expected: PolicyDocument, live: PolicyDocument): void {
  const secrets = new Map<string, SecretValue[]>();
  for (const statement of expected.statements) {
    if (isUnknown(statement.condition)) continue;
    for (const clause of statement.condition) {
      if (isUnknown(clause.values)) continue;
      for (const value of clause.values) {
        if (!isSecret(value)) continue;
        secrets.set(clause.key, [...(secrets.get(clause.key) ?? []), value]);
      }
    }
  }
  if (secrets.size === 0) return;

  for (const statement of live.statements) {
    if (isUnknown(statement.condition)) continue;
    statement.condition = statement.condition.map((clause) => {
      const known = secrets.get(clause.key);
      if (known === undefined || isUnknown(clause.values)) return clause;
      const values = clause.values.map((value) => {
        if (typeof value !== 'string') return value;
        return known.find((secret) => secret.matches(value)) ?? value;
      });
      return { ...clause, values };
    });
  }
}

function findGaps(expected: Atom[], live: Atom[], catalogue?: ActionCatalogue): Gap[] {
  const allow = (atoms: Atom[]) => atoms.filter((atom) => atom.effect === 'Allow');
  const deny = (atoms: Atom[]) => atoms.filter((atom) => atom.effect === 'Deny');
  return [
    ...sideGaps(allow(live), allow(expected), 'live', 'widened', catalogue),
    ...sideGaps(allow(expected), allow(live), 'expected', 'narrowed', catalogue),
    ...sideGaps(deny(expected), deny(live), 'expected', 'widened', catalogue),
    ...sideGaps(deny(live), deny(expected), 'live', 'narrowed', catalogue),
  ];
}

function sideGaps(
  atoms: Atom[],
  others: Atom[],
  side: Side,
  direction: ChangeDirection,
  catalogue?: ActionCatalogue,
): Gap[] {
  const gaps: Gap[] = [];
  const uncovered = new Map<PolicyStatement, number>();
  const index = new AtomIndex(others);
  for (const atom of atoms) {
    const verdict = coveredBy(atom, index, catalogue);
    if (verdict === 'yes') continue;
    uncovered.set(atom.statement, (uncovered.get(atom.statement) ?? 0) + 1);
    const gap = explain(atom, index, side, verdict === 'unknown' ? 'unknown' : direction);
    if (catalogue) gap.newActions = newActions(atom, index, catalogue);
    gaps.push(gap);
  }

  // A statement none of whose atoms the other side covers, and that has no statement of the
  // same Sid (or, without one, at the same place) there, was added or removed as a whole. A
  // gap with no counterpart of its own is compared with the one its siblings are compared with.
  const total = new Map<PolicyStatement, number>();
  for (const atom of atoms) total.set(atom.statement, (total.get(atom.statement) ?? 0) + 1);
  const elsewhere = [...new Set(others.map((other) => other.statement))];
  const whole = new Set(
    [...total.keys()].filter(
      (statement) =>
        uncovered.get(statement) === total.get(statement) &&
        gaps.every((g) => g.atom.statement !== statement || g.element.endsWith('Action')) &&
        !elsewhere.some((other) => samePlace(other, statement)),
    ),
  );
  for (const gap of gaps) {
    if (gap.direction === 'unknown') continue;
    const statement = gap.atom.statement;
    if (whole.has(statement)) {
      gap.element = 'Statement';
      gap.counterpart = undefined;
      continue;
    }
    if (gap.counterpart !== undefined) continue;
    const anchor = gaps.find((g) => g.atom.statement === statement && g.counterpart);
    if (anchor) gap.counterpart = anchor.counterpart;
  }
  return gaps;
}

function newActions(atom: Atom, others: AtomIndex, catalogue: ActionCatalogue): string[] {
  const names = expandAction(atom.action, catalogue) ?? [];
  return names.filter(
    (name) => coveredBy({ ...atom, action: { kind: 'one', value: name } }, others) !== 'yes',
  );
}

function explain(atom: Atom, index: AtomIndex, side: Side, direction: ChangeDirection): Gap {
  // Only atoms that can cover the action matter for the element; one atom per statement
  // elsewhere is enough to find a counterpart by resource, principal or Sid.
  // Atoms of the very same action explain most gaps; the rest are looked at only when they
  // do not.
  const judge = (list: Atom[]) => list.map((other) => ({ other, v: atomCovers(other, atom) }));
  let verdicts = judge(index.sameAction(atom));
  const explains = ({ v }: { v: AtomVerdict }) =>
    v.action === 'yes' && (v.resource === 'yes' || v.principal === 'yes');
  if (!verdicts.some(explains)) verdicts = judge(index.candidates(atom));
  verdicts = [...verdicts, ...judge(index.representatives)];
  const pick = (test: (v: AtomVerdict) => boolean) => verdicts.find(({ v }) => test(v))?.other;
  const yes = (v: Verdict) => v === 'yes';

  // The element that explains the gap is the one dimension the nearest other atom does not
  // cover: with action, resource and principal covered, it is the condition; and so on.
  let element: PolicyElement;
  let counterpart: Atom | undefined;
  const onCondition = pick((v) => yes(v.action) && yes(v.resource) && yes(v.principal));
  const onPrincipal = pick((v) => yes(v.action) && yes(v.resource));
  const onResource = pick((v) => yes(v.action) && yes(v.principal));
  if (onCondition) {
    element = 'Condition';
    counterpart = onCondition;
  } else if (onPrincipal) {
    element = atom.principal?.kind === 'not' ? 'NotPrincipal' : 'Principal';
    counterpart = onPrincipal;
  } else if (onResource) {
    element = atom.resource?.kind === 'not' ? 'NotResource' : 'Resource';
    counterpart = onResource;
  } else {
    element = atom.action.kind === 'not' ? 'NotAction' : 'Action';
    counterpart =
      pick((v) => yes(v.resource) && yes(v.principal) && yes(v.condition)) ??
      pick((v) => yes(v.resource) && yes(v.principal)) ??
      index.representatives.find((other) => sameStatement(other.statement, atom.statement)) ??
      pick((v) => yes(v.principal) && v.resource !== 'no');
  }

  const reason = direction === 'unknown' ? unknownReason(atom, verdicts) : undefined;
  return { atom, side, deny: atom.effect === 'Deny', direction, element, counterpart, reason };
}

/** Whether two statements of the two documents stand for each other: same Sid, or same place. */
function samePlace(a: PolicyStatement, b: PolicyStatement): boolean {
  if (a.sid !== null || b.sid !== null) return a.sid === b.sid;
  return a.index === b.index;
}

function sameStatement(a: PolicyStatement, b: PolicyStatement): boolean {
  if (a.effect !== b.effect) return false;
  return a.sid !== null && a.sid === b.sid;
}

function unknownReason(atom: Atom, verdicts: { other: Atom; v: AtomVerdict }[]): string {
  const source =
    unknownIn(atom) ??
    verdicts
      .filter(({ v }) => all(v.action, v.resource, v.principal, v.condition) === 'unknown')
      .map(({ other }) => unknownIn(other))
      .find((found) => found !== undefined);
  if (source !== undefined) return `not verifiable: depends on ${source}`;
  if (verdicts.some(({ v }) => v.action === 'unknown')) {
    return 'a NotAction set cannot be compared with actions of any service without the full action catalogue';
  }
  return UNDECIDED_CONDITIONS;
}

function versionChanges(before: PolicyDocument, after: PolicyDocument): PolicyChange[] {
  if (before.version === after.version) return [];
  const variables = [before, after].some((doc) => doc.statements.some(usesVariables));
  if (!variables) return [];
  const reason = 'policy variables are read differently under the two Versions';
  const change: PolicyChange = {
    direction: 'unknown',
    statement: { index: -1, sid: null },
    element: 'Version',
    before: before.version,
    after: after.version,
    summary: `Version changed from ${before.version ?? 'none'} to ${after.version ?? 'none'}: ${reason}`,
  };
  return [undecided(change, reason)];
}

function usesVariables(statement: PolicyStatement): boolean {
  if (statement.resource && listHasVariable(statement.resource.values)) return true;
  if (isUnknown(statement.condition)) return false;
  return statement.condition.some(
    (clause) =>
      !isUnknown(clause.values) &&
      clause.values.some((v) => typeof v === 'string' && hasVariable(v)),
  );
}

function describeGaps(gaps: Gap[], kind: PolicyKind): PolicyChange[] {
  const changes = new Map<string, PolicyChange>();
  const groups = new Map<string, Gap[]>();
  const uniqueIdGaps = gaps.filter(
    (gap) => gap.side === 'live' && gap.direction === 'widened' && uniqueIdOf(gap.atom),
  );

  // An undecidable pair of atoms shows from both sides; the live side names the real value.
  const liveUnknowns = gaps.filter((gap) => gap.side === 'live' && gap.direction === 'unknown');
  const echoes = (gap: Gap) =>
    gap.side === 'expected' &&
    gap.direction === 'unknown' &&
    liveUnknowns.some(
      (other) =>
        other.element === gap.element &&
        other.counterpart?.statement === gap.atom.statement &&
        gap.counterpart?.statement === other.atom.statement,
    );

  for (const gap of gaps) {
    if (uniqueIdGaps.length > 0 && replacedByUniqueId(gap)) continue;
    if (echoes(gap)) continue;
    if (gap.element === 'Condition' && gap.counterpart) {
      for (const change of conditionChanges(gap, gap.counterpart, kind)) {
        const key = conditionChangeKey(gap, change);
        const existing = changes.get(key);
        if (existing === undefined || existing.direction === 'narrowed') changes.set(key, change);
      }
      continue;
    }
    const key = [
      gap.direction,
      gap.side,
      gap.atom.statement.index,
      gap.element,
      gap.deny,
      gap.counterpart?.statement.index ?? -1,
    ].join('|');
    groups.set(key, [...(groups.get(key) ?? []), gap]);
  }

  const out = [...changes.values(), ...effectChanges(groups)];
  for (const group of groups.values()) out.push(groupChange(group));
  for (const gap of uniqueIdGaps) out.push(uniqueIdChange(gap, gaps));
  return out;
}

/**
 * A statement removed from one effect and the same statement added under the other is one
 * change of Effect. The groups it replaces are taken out of `groups`.
 */
function effectChanges(groups: Map<string, Gap[]>): PolicyChange[] {
  const whole = [...groups.entries()].filter(([, group]) => group[0]?.element === 'Statement');
  const content = (statement: PolicyStatement) => {
    const {
      Sid: _sid,
      Effect: _effect,
      ...rest
    } = statementJson(statement) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  const changes: PolicyChange[] = [];
  for (const [removedKey, removed] of whole) {
    const before = removed[0]?.atom.statement;
    if (before === undefined || removed[0]?.side !== 'expected' || !groups.has(removedKey))
      continue;
    const match = whole.find(([key, group]) => {
      const after = group[0]?.atom.statement;
      return (
        groups.has(key) &&
        group[0]?.side === 'live' &&
        after !== undefined &&
        after.effect !== before.effect &&
        content(after) === content(before)
      );
    });
    if (match === undefined) continue;
    const after = match[1][0]?.atom.statement as PolicyStatement;
    groups.delete(removedKey);
    groups.delete(match[0]);
    changes.push({
      direction: after.effect === 'Deny' ? 'narrowed' : 'widened',
      statement: statementRef(after),
      element: 'Effect',
      before: before.effect,
      after: after.effect,
      summary: `changed ${statementLabel(after)} from ${before.effect} to ${after.effect}`,
    });
  }
  return changes;
}

function statementRef(statement: PolicyStatement): PolicyChange['statement'] {
  return { index: statement.index, sid: statement.sid };
}

function statementLabel(statement: PolicyStatement): string {
  return statement.sid ? `statement ${statement.sid}` : `statement ${statement.index}`;
}

/** The expected and live statements a gap compares, whichever side it came from. */
function pair(gap: Gap): { expected?: PolicyStatement; live?: PolicyStatement } {
  const other = gap.counterpart?.statement;
  return gap.side === 'live'
    ? { expected: other, live: gap.atom.statement }
    : { expected: gap.atom.statement, live: other };
}

function elementJson(statement: PolicyStatement | undefined, element: PolicyElement): unknown {
  if (statement === undefined) return null;
  switch (element) {
    case 'Action':
    case 'NotAction':
      return listJson(statement.action.values);
    case 'Resource':
    case 'NotResource':
      return statement.resource ? listJson(statement.resource.values) : null;
    case 'Principal':
    case 'NotPrincipal':
      return statement.principal ? principalJson(statement.principal.entries) : null;
    case 'Condition':
      return clausesJson(statement.condition);
    case 'Effect':
      return statement.effect;
    default:
      return statementJson(statement);
  }
}

function actionText(atom: Atom): string {
  const action = atom.action;
  if (action.kind === 'opaque') return action.unknown.toJSON();
  if (action.kind === 'not') return `every action except ${listText(action.values.map(leafText))}`;
  return leafText(action.value);
}

function resourceText(atom: Atom): string | undefined {
  const resource = atom.resource;
  if (resource === null) return undefined;
  if (resource.kind === 'opaque') return resource.unknown.toJSON();
  if (resource.kind === 'not') {
    return `every resource except ${listText(resource.values.map(leafText))}`;
  }
  return leafText(resource.value);
}

function principalText(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal === null) return undefined;
  if (principal.kind === 'opaque') return principal.unknown.toJSON();
  const text = (entry: { type: string; value: unknown }) =>
    entry.type === '*' ? '* (anyone)' : leafText(entry.value as string);
  if (principal.kind === 'not') {
    return `every principal except ${listText(principal.values.map(text))}`;
  }
  return text(principal.value);
}

function groupChange(group: Gap[]): PolicyChange {
  const first = group[0] as Gap;
  const { expected, live } = pair(first);
  const home = first.atom.statement;
  const texts = (fn: (atom: Atom) => string | undefined) =>
    group.map((gap) => fn(gap.atom)).filter((t): t is string => t !== undefined);

  const actions = listText(texts(actionText));
  const resources = texts(resourceText);
  const principals = texts(principalText);
  const on = resources.length > 0 ? ` on ${listText(resources)}` : '';
  const by = principals.length > 0 ? ` for principal ${listText(principals)}` : '';
  const adds = first.side === 'live';
  const verb = adds ? 'added' : 'removed';

  let summary: string;
  if (first.direction === 'unknown' && home.opaque) {
    summary = `could not verify ${statementLabel(home)}: ${first.reason}`;
  } else if (first.direction === 'unknown') {
    const what = first.element.endsWith('Principal')
      ? `principal ${listText(principals)}`
      : `${actions}${on}${by}`;
    const kind = first.deny ? 'the deny of ' : '';
    summary = `could not verify ${kind}${what} in ${statementLabel(home)}: ${first.reason}`;
  } else if (first.element === 'Principal' || first.element === 'NotPrincipal') {
    const who = `principal ${listText(principals)}`;
    if (first.deny) {
      summary = adds ? `${who} now denied ${actions}` : `${who} no longer denied ${actions}`;
    } else if (first.atom.principal?.kind === 'not') summary = `${verb} ${listText(principals)}`;
    else summary = `${who} ${verb}`;
  } else if (first.element === 'Statement') {
    const grant = first.deny ? 'denying' : 'allowing';
    summary = `${verb} ${statementLabel(home)} ${grant} ${actions}${on}${by}`;
  } else {
    summary = `${verb} ${first.deny ? 'deny of ' : ''}${actions}${on}${by}`;
    summary += newlyMatched(group, adds && !first.deny ? 'granting' : 'which granted');
  }

  const element = home.opaque ? 'Statement' : first.element;
  const change: PolicyChange = {
    direction: first.direction,
    statement: statementRef(home),
    element,
    before: elementJson(expected, element),
    after: elementJson(live, element),
    summary,
  };
  return first.direction === 'unknown' ? undecided(change, first.reason ?? summary) : change;
}

/** With a catalogue, names the actions a wildcard granted on one side and not the other. */
function newlyMatched(group: Gap[], verb: string): string {
  const names = [...new Set(group.flatMap((gap) => gap.newActions ?? []))];
  if (names.length === 0) return '';
  return ` (${verb} ${listText(names, 5)})`;
}

function conditionChanges(gap: Gap, counterpart: Atom, kind: PolicyKind): PolicyChange[] {
  const { expected, live } = pair(gap);
  const mine = gap.atom.condition;
  const theirs = counterpart.condition;
  if (isUnknown(mine) || isUnknown(theirs)) {
    const reason = gap.reason ?? 'not verifiable: the condition block is not known offline';
    return [
      conditionChange(gap, expected, live, null, `could not verify the conditions: ${reason}`),
    ];
  }

  // The gap's atom is not covered because the counterpart requires more: its clauses that the
  // atom does not satisfy are what changed (removed when the atom is live, added otherwise).
  const stricter = theirs;
  const looser = mine;
  const missing = stricter.filter((clause) => satisfied(looser, clause) !== 'yes');
  if (missing.length === 0 && blockImplies(looser, stricter) !== 'yes') {
    return [conditionChange(gap, expected, live, null, 'the conditions changed')];
  }
  return missing.map((clause) => {
    const peers = looser.filter((other) => other.key === clause.key);
    const verdict = satisfied(looser, clause);
    return conditionChange(
      gap,
      expected,
      live,
      clause.key,
      clauseSummary(gap, clause, peers, verdict, kind),
    );
  });
}

function clauseSummary(
  gap: Gap,
  clause: Clause,
  peers: Clause[],
  verdict: Verdict,
  kind: PolicyKind,
): string {
  const key = clause.keyText;
  const guard =
    kind === 'trust' && DEPUTY_GUARDS.has(clause.key) ? ', a confused-deputy guard' : '';
  const live = gap.side === 'live';
  if (gap.direction === 'unknown' || verdict === 'unknown') {
    return `could not verify condition ${key}: ${gap.reason ?? UNDECIDED_CONDITIONS}`;
  }
  if (peers.length === 0) {
    return live ? `removed condition ${key}${guard}` : `added condition ${key}`;
  }
  if (clause.key === 'sts:externalid') {
    const secret = [clause, ...peers].some(
      (c) => !isUnknown(c.values) && c.values.some((v) => isSecret(v)),
    );
    const how = secret ? 'does not match the expected digest' : 'differs (compared by digest)';
    return `changed condition ${key}: the live value ${how}`;
  }
  const from = live ? [clause] : peers;
  const to = live ? peers : [clause];
  return `changed condition ${key}${guard} from ${clauseText(from, to)} to ${clauseText(to, from)}`;
}

function clauseText(clauses: Clause[], others: Clause[]): string {
  const operators = new Set([...clauses, ...others].map((c) => c.operator));
  return clauses
    .map((c) => (operators.size > 1 ? `${c.operator} ${clauseValuesText(c)}` : clauseValuesText(c)))
    .join(' and ');
}

function conditionChange(
  gap: Gap,
  expected: PolicyStatement | undefined,
  live: PolicyStatement | undefined,
  key: string | null,
  summary: string,
): PolicyChange {
  const pick = (statement: PolicyStatement | undefined) => {
    if (statement === undefined) return null;
    if (key === null || isUnknown(statement.condition)) return clausesJson(statement.condition);
    return clausesJson(statement.condition.filter((clause) => clause.key === key));
  };
  const unknown = gap.direction === 'unknown' || summary.startsWith('could not');
  const change: PolicyChange = {
    direction: unknown ? 'unknown' : gap.direction,
    statement: statementRef(gap.atom.statement),
    element: 'Condition',
    before: pick(expected),
    after: pick(live),
    summary,
  };
  return unknown ? undecided(change, gap.reason ?? UNDECIDED_CONDITIONS) : change;
}

function conditionChangeKey(gap: Gap, change: PolicyChange): string {
  const { expected, live } = pair(gap);
  return ['Condition', expected?.index, live?.index, gap.deny, change.summary].join('|');
}

function uniqueIdOf(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal?.kind !== 'one' || principal.value.type !== 'AWS') return undefined;
  const value = principal.value.value;
  return typeof value === 'string' && UNIQUE_ID.test(value) ? value : undefined;
}

/** Whether a gap is part of what a bare unique-ID principal already explains. */
function replacedByUniqueId(gap: Gap): boolean {
  if (gap.side === 'live') return gap.direction === 'widened' && uniqueIdOf(gap.atom) !== undefined;
  return gap.direction === 'narrowed' && namedPrincipal(gap.atom) !== undefined;
}

function namedPrincipal(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal?.kind !== 'one' || principal.value.type !== 'AWS') return undefined;
  const value = principal.value.value;
  return typeof value === 'string' && /^arn:[a-z-]+:iam::\d{12}:(role|user)\//.test(value)
    ? value
    : undefined;
}

function uniqueIdChange(gap: Gap, gaps: Gap[]): PolicyChange {
  const id = uniqueIdOf(gap.atom) as string;
  const what = id.startsWith('AROA') ? 'role' : 'user';
  const removed = [
    ...new Set(
      gaps
        .filter((g) => g.side === 'expected' && g.direction === 'narrowed')
        .map((g) => namedPrincipal(g.atom))
        .filter((name): name is string => name !== undefined),
    ),
  ];
  const named = removed.length === 1 ? ` (${removed[0]})` : '';
  const expected = gap.counterpart?.statement;
  return {
    direction: 'narrowed',
    statement: statementRef(gap.atom.statement),
    element: 'Principal',
    before: expected?.principal ? principalJson(expected.principal.entries) : null,
    after: gap.atom.statement.principal
      ? principalJson(gap.atom.statement.principal.entries)
      : null,
    summary: `principal ${id} is a bare unique ID: the trusted ${what}${named} was deleted, and a ${what} re-created with the same name is not trusted`,
  };
}
