/**
 * Finding the gaps between two documents: each atom of one side that the other side does not
 * cover, with the element that explains it and the statement it is best compared with.
 */

import { isSecret, isUnknown } from '../values';
import {
  type Atom,
  AtomIndex,
  type AtomVerdict,
  all,
  atomCovers,
  coveredBy,
  type Dim,
  expandAction,
  unknownIn,
} from './atoms';
import { Budget, WorkLimitReached, withBudget } from './budget';
import { listText, summaryText } from './display';
import type { Leaf, PolicyStatement } from './document';
import type { Verdict } from './implication';
import { hasServiceWildcard } from './pattern';
import type { ActionCatalogue, PolicyElement } from './types';

/** The reason given when two condition blocks cannot be ordered. */
export const UNDECIDED_CONDITIONS = 'how the two conditions relate cannot be decided';

/** The reason given when they cannot be ordered for a secret known only by its digest. */
const SECRET_UNDECIDED =
  'whether a pattern or case-insensitive check accepts the secret cannot be told from its digest';

/** Operators that accept more than the exact text of their values. */
const LOOSE_CHECKS = new Set(['StringLike', 'StringEqualsIgnoreCase', 'ArnLike']);

/** Whether a key holding a secret is also checked by a pattern or without case. */
function secretAgainstLooseCheck(atoms: Atom[]): boolean {
  const clauses = atoms.flatMap(({ condition }) => (isUnknown(condition) ? [] : condition));
  const secretKeys = new Set(
    clauses
      .filter((clause) => !isUnknown(clause.values) && clause.values.some(isSecret))
      .map((clause) => clause.key),
  );
  return clauses.some(
    (clause) => secretKeys.has(clause.key) && clause.set === '' && LOOSE_CHECKS.has(clause.base),
  );
}

export type Side = 'expected' | 'live';

/** The direction of one gap: a grant or deny one side has and the other does not cover. */
export type GapDirection = 'widened' | 'narrowed' | 'unknown';

/** An atom one side has and the other does not cover, with what explains it. */
export interface Gap {
  atom: Atom;
  side: Side;
  deny: boolean;
  direction: GapDirection;
  element: PolicyElement;
  counterpart: Atom | undefined;
  reason: string | undefined;
  /** With a catalogue, the actions a wildcard grants that the other side does not. */
  newActions?: string[];
}

export function findGaps(expected: Atom[], live: Atom[], catalogue?: ActionCatalogue): Gap[] {
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
  direction: GapDirection,
  catalogue?: ActionCatalogue,
): Gap[] {
  const gaps: Gap[] = [];
  const alsoDiffering = new Map<Gap, Gap[]>();
  const uncovered = new Map<PolicyStatement, number>();
  const index = new AtomIndex(others);
  const stopped = new Set<PolicyStatement>();
  for (const atom of atoms) {
    if (stopped.has(atom.statement)) continue;
    const verdict = withinLimit(() => coveredBy(atom, index, catalogue));
    if (verdict === 'yes') continue;
    uncovered.set(atom.statement, (uncovered.get(atom.statement) ?? 0) + 1);
    if (verdict instanceof WorkLimitReached) {
      // One undecided gap stands for every grant of the statement not yet compared.
      stopped.add(atom.statement);
      gaps.push(stoppedGap(atom, side, verdict));
      continue;
    }
    const decided = verdict === 'unknown' ? 'unknown' : direction;
    const gap = withinLimit(() => explain(atom, index, side, decided));
    if (gap instanceof WorkLimitReached) {
      gaps.push(unexplainedGap(atom, side, decided));
      continue;
    }
    const actions = catalogue && withinLimit(() => newActions(atom, index, catalogue));
    if (Array.isArray(actions)) gap.newActions = actions;
    gaps.push(gap);
    const also = withinLimit(() => otherElements(gap));
    alsoDiffering.set(gap, Array.isArray(also) ? also : []);
  }

  // A statement none of whose atoms the other side covers, and that has no statement of the
  // same Sid (or, without one, at the same place) there, was added or removed as a whole. A
  // gap with no counterpart of its own is compared with the one its siblings are compared with.
  const total = new Map<PolicyStatement, number>();
  for (const atom of atoms) total.set(atom.statement, (total.get(atom.statement) ?? 0) + 1);
  const elsewhere = [...new Set(others.map((other) => other.statement))];
  const related = new Set<PolicyStatement>();
  const anchors = new Map<PolicyStatement, Atom>();
  for (const gap of gaps) {
    if (!gap.element.endsWith('Action')) related.add(gap.atom.statement);
    if (gap.counterpart && !anchors.has(gap.atom.statement)) {
      anchors.set(gap.atom.statement, gap.counterpart);
    }
  }
  const whole = new Set(
    [...total.keys()].filter(
      (statement) =>
        uncovered.get(statement) === total.get(statement) &&
        !related.has(statement) &&
        !elsewhere.some((other) => samePlace(other, statement)),
    ),
  );
  for (const gap of gaps) {
    if (gap.direction === 'unknown') continue;
    if (whole.has(gap.atom.statement)) {
      gap.element = 'Statement';
      gap.counterpart = undefined;
    } else {
      gap.counterpart ??= anchors.get(gap.atom.statement);
    }
  }
  return gaps.flatMap((gap) =>
    gap.element === 'Statement' ? [gap] : [gap, ...(alsoDiffering.get(gap) ?? [])],
  );
}

/** How many steps one grant may take to compare and explain. */
export const STEPS_PER_GRANT = 50_000;

/** Runs one step of the comparison of a grant, with its own budget inside the one in force. */
function withinLimit<T>(fn: () => T): T | WorkLimitReached {
  try {
    return withBudget([new Budget(STEPS_PER_GRANT, 'comparing this grant')], fn);
  } catch (error) {
    if (error instanceof WorkLimitReached) return error;
    throw error;
  }
}

/** The gap of a grant whose comparison ran out of steps: undecided, naming its statement. */
function stoppedGap(atom: Atom, side: Side, limit: WorkLimitReached): Gap {
  return {
    atom,
    side,
    deny: atom.effect === 'Deny',
    direction: 'unknown',
    element: 'Statement',
    counterpart: undefined,
    reason: `not compared: ${limit.message}`,
  };
}

/** A decided gap whose explanation ran out of steps: named by its own action. */
function unexplainedGap(atom: Atom, side: Side, direction: GapDirection): Gap {
  const element = atom.action.kind === 'not' ? 'NotAction' : 'Action';
  const reason = direction === 'unknown' ? UNDECIDED_CONDITIONS : undefined;
  const deny = atom.effect === 'Deny';
  return { atom, side, deny, direction, element, counterpart: undefined, reason };
}

/**
 * The condition gap beside a gap explained by another element, when the counterpart's
 * condition does not follow either: a principal added where a condition was also removed is
 * two widenings, and both are named. The summary of an action, resource or principal gap
 * already names the whole grant but for its condition. Only a decided gap has one.
 */
function otherElements(gap: Gap): Gap[] {
  const { atom, counterpart } = gap;
  if (gap.direction === 'unknown' || counterpart === undefined) return [];
  if (gap.element === 'Condition') return [];
  const v = atomCovers(counterpart, atom);
  if (v.condition === 'yes') return [];
  const decided = v.condition === 'no';
  return [
    {
      ...gap,
      element: 'Condition',
      direction: decided ? gap.direction : 'unknown',
      reason: decided ? undefined : unknownReason(atom, [{ other: counterpart, v }]),
      newActions: undefined,
    },
  ];
}

function newActions(atom: Atom, others: AtomIndex, catalogue: ActionCatalogue): string[] {
  const names = expandAction(atom.action, catalogue) ?? [];
  return names.filter(
    (name) => coveredBy({ ...atom, action: { kind: 'one', value: name } }, others) !== 'yes',
  );
}

function explain(atom: Atom, index: AtomIndex, side: Side, direction: GapDirection): Gap {
  // Only atoms that can cover the action matter for the element, and atoms of the very same
  // action explain most gaps: the others are looked at only when those do not. One atom per
  // statement elsewhere is enough to find a counterpart by resource, principal or Sid.
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
  // Among counterparts differing in the same element, the one that differs in nothing else.
  const onCondition = pick((v) => yes(v.action) && yes(v.resource) && yes(v.principal));
  const onPrincipal =
    pick((v) => yes(v.action) && yes(v.resource) && yes(v.condition)) ??
    pick((v) => yes(v.action) && yes(v.resource));
  const onResource =
    pick((v) => yes(v.action) && yes(v.principal) && yes(v.condition)) ??
    pick((v) => yes(v.action) && yes(v.principal));
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
  if (atom.statement.unread !== undefined) return `not compared: ${atom.statement.unread}`;
  const source =
    unknownIn(atom) ??
    verdicts
      .filter(({ v }) => all(v.action, v.resource, v.principal, v.condition) === 'unknown')
      .map(({ other }) => unknownIn(other))
      .find((found) => found !== undefined);
  if (source !== undefined) return `not verifiable: depends on ${source}`;
  const arn = verdicts.find(({ v }) => v.action === 'yes' && v.resource === 'unknown');
  if (arn?.other.resource && atom.resource) return arnReason(arn.other.resource, atom.resource);
  if (verdicts.some(({ v }) => v.action === 'unknown')) {
    return 'a NotAction set cannot be compared with actions of any service without the full action catalogue';
  }
  const undecided = verdicts.filter(({ v }) => v.condition === 'unknown').map(({ other }) => other);
  return secretAgainstLooseCheck([atom, ...undecided]) ? SECRET_UNDECIDED : UNDECIDED_CONDITIONS;
}

/**
 * Why one resource may or may not cover another. Values not known offline were named before
 * this, so what is left is IAM's two rules for a `*` in an ARN.
 */
function arnReason(outer: Dim<Leaf>, inner: Dim<Leaf>): string {
  const text = (dim: Dim<Leaf>) => {
    if (dim.kind === 'opaque') return dim.unknown.toJSON();
    if (dim.kind === 'one') return summaryText(dim.value);
    return `every resource except ${listText(dim.values.map(summaryText))}`;
  };
  const service = [outer, inner].some(
    (dim) =>
      dim.kind !== 'opaque' &&
      (dim.kind === 'one' ? [dim.value] : dim.values).some(
        (value) => typeof value === 'string' && hasServiceWildcard(value),
      ),
  );
  const rules = service
    ? "how IAM reads a wildcard in an ARN's service part, which its documentation does not allow"
    : "which of IAM's two documented rules for a * in an ARN applies";
  return `whether ${text(outer)} covers ${text(inner)} depends on ${rules}`;
}
