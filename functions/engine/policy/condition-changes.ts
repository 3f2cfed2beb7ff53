/**
 * Describing a gap explained by a condition: clause by clause, removed, added or changed, with a
 * secret (an external ID) shown only by its placeholder and compared by digest.
 */
import { isSecret, isUnknown } from '../values';
import type { Atom } from './atoms';
import { pair, statementRef, undecided } from './change-base';
import { type Clause, valueKey } from './condition';
import { clausesJson, clauseValuesText, isSecretKey, shortText } from './display';
import type { PolicyStatement } from './document';
import { type Gap, UNDECIDED_CONDITIONS } from './gaps';
import { blockImplies, satisfied, type Verdict } from './implication';
import type { PolicyChange, PolicyKind } from './types';

/** Condition keys of a trust policy that stop a service or another account acting for someone else. */
const DEPUTY_GUARDS = new Set(['aws:sourceaccount', 'aws:sourcearn', 'aws:principalorgid']);

/** A change of a condition; `secretValue` when a secret (an external ID) got another value. */
interface ConditionChange {
  change: PolicyChange;
  secretValue: boolean;
}

/**
 * Adds the changes a condition gap stands for, compared with its counterpart, to `changes`. The
 * same change found from both sides of a pair of statements is kept once (see bothWays).
 */
export function addConditionChanges(
  changes: Map<string, PolicyChange>,
  gap: Gap,
  counterpart: Atom,
  kind: PolicyKind,
): void {
  for (const { change, secretValue } of conditionChanges(gap, counterpart, kind)) {
    const key = conditionChangeKey(gap, change);
    const existing = changes.get(key);
    // Found from both sides, the change names the live statement, as every change but a
    // removal does.
    const [live, other] = gap.side === 'live' ? [change, existing] : [existing, change];
    // An external ID allowed under another value stays a widening (whoever chose the value can
    // use it); one denied under another value lets the old one in and keeps the new one out.
    const secret = secretValue && !gap.deny;
    changes.set(key, live && other ? bothWays(live, other, secret) : change);
  }
}

function conditionChanges(gap: Gap, counterpart: Atom, kind: PolicyKind): ConditionChange[] {
  const { expected, live } = pair(gap);
  const mine = gap.atom.condition;
  const theirs = counterpart.condition;
  if (isUnknown(mine) || isUnknown(theirs)) {
    const reason = gap.reason ?? 'not verifiable: the condition block is not known offline';
    const summary = `could not verify the conditions: ${reason}`;
    return [{ change: conditionChange(gap, expected, live, null, summary), secretValue: false }];
  }

  // The gap's atom is not covered because the counterpart requires more: its clauses that the
  // atom does not satisfy are what changed (removed when the atom is live, added otherwise).
  const stricter = theirs;
  const looser = mine;
  const missing = stricter.filter((clause) => satisfied(looser, clause) !== 'yes');
  if (missing.length === 0 && blockImplies(looser, stricter) !== 'yes') {
    const change = conditionChange(gap, expected, live, null, 'the conditions changed');
    return [{ change, secretValue: false }];
  }
  return missing.map((clause) => {
    // Clauses on the key that both sides hold unchanged are not what replaced this one.
    const onKey = looser.filter((other) => other.key === clause.key);
    const peers = onKey.filter((other) => !stricter.some((s) => sameClause(s, other)));
    const kept = onKey.length > peers.length;
    const verdict = satisfied(looser, clause);
    const summary = clauseSummary(gap, clause, { peers, kept }, verdict, kind);
    const change = conditionChange(gap, expected, live, clause.key, summary);
    const secretValue = peers.length > 0 && secretChange(clause, peers, true) !== undefined;
    return { change, secretValue };
  });
}

function sameClause(a: Clause, b: Clause): boolean {
  return a.operator === b.operator && a.key === b.key && valuesText(a) === valuesText(b);
}

function valuesText(clause: Clause): string {
  return JSON.stringify(clause.values);
}

/**
 * The sentence for one clause the stricter side has and the looser does not satisfy: removed
 * or added when nothing on the looser side replaces it (naming the check when other checks of
 * the key stay), changed otherwise.
 */
function clauseSummary(
  gap: Gap,
  clause: Clause,
  { peers, kept }: { peers: Clause[]; kept: boolean },
  verdict: Verdict,
  kind: PolicyKind,
): string {
  const key = shortText(clause.keyText);
  const guard = kind === 'trust' && DEPUTY_GUARDS.has(clause.key);
  const live = gap.side === 'live';
  if (gap.direction === 'unknown' || verdict === 'unknown') {
    return `could not verify condition ${key}: ${gap.reason ?? UNDECIDED_CONDITIONS}`;
  }
  // A condition limits a Deny as much as an Allow, so the sentence says which it is on.
  const [to, from, of] = gap.deny
    ? [' to the deny', ' from the deny', ' of the deny']
    : ['', '', ''];
  if (peers.length === 0) {
    const check = kept ? `${key}: ${shortText(clause.written)} ${clauseValuesText(clause)}` : key;
    if (!live) return `added condition ${check}${to}`;
    return `removed condition ${check}${from}${guard ? ', a confused-deputy guard' : ''}`;
  }
  const secret = secretChange(clause, peers, live);
  if (secret) return `changed condition ${key}${of}: ${secret}`;
  const before = live ? [clause] : peers;
  const after = live ? peers : [clause];
  const fromTo = `from ${clauseText(before, after)} to ${clauseText(after, before)}`;
  const change = `changed condition ${key}${of} ${fromTo}`;
  return guard ? `${change} (a confused-deputy guard)` : change;
}

/**
 * How a secret (an external ID) changed under the same check, never showing it: more or fewer
 * values accepted beside the expected ones, or another value. `live` says whether the clause is
 * the expected one the live side no longer satisfies.
 */
function secretChange(clause: Clause, peers: Clause[], live: boolean): string | undefined {
  const sameCheck = peers.every((peer) => peer.operator === clause.operator);
  if (!isSecretKey(clause.key) || !sameCheck || clause.base === 'Null') return undefined;
  const keys = (c: Clause) => (isUnknown(c.values) ? [] : c.values.map(valueKey));
  const stricter = keys(clause);
  const looser = new Set(peers.flatMap(keys));
  const extra = [...looser].filter((k) => !stricter.includes(k)).length;
  if (extra > 0 && stricter.every((k) => looser.has(k))) {
    const values = extra === 1 ? 'another value' : `${extra} more values`;
    return live
      ? `the live check accepts ${values} beside the expected one`
      : `the live check no longer accepts ${values} the expected one accepts`;
  }
  const known = [clause, ...peers].some(
    (c) => !isUnknown(c.values) && c.values.some((v) => isSecret(v)),
  );
  return `the live value ${known ? 'does not match the expected digest' : 'differs (compared by digest)'}`;
}

function clauseText(clauses: Clause[], others: Clause[]): string {
  const operators = new Set([...clauses, ...others].map((c) => c.operator));
  return clauses
    .map((c) =>
      operators.size > 1 ? `${shortText(c.operator)} ${clauseValuesText(c)}` : clauseValuesText(c),
    )
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
    statement: statementRef(gap.atom.statement, gap.side),
    element: 'Condition',
    before: pick(expected),
    after: pick(live),
    summary,
  };
  return unknown ? undecided(change, gap.reason ?? UNDECIDED_CONDITIONS) : change;
}

/**
 * One condition change found twice, kept as `first` (naming its statement) with both
 * directions merged: a clause replaced by one that lets in some requests the old one refused
 * and refuses some it let in reads as `mixed`. A secret (an external ID) set to another value
 * under the same check stays a widening, though the old value stops working: whoever chose the
 * new value can use it.
 */
function bothWays(first: PolicyChange, second: PolicyChange, secret: boolean): PolicyChange {
  const directions = new Set([first.direction, second.direction]);
  if (directions.size === 1) return first;
  if (directions.has('unknown')) return first.direction === 'unknown' ? second : first;
  return { ...first, direction: secret ? 'widened' : 'mixed' };
}

/** A key that condition changes found from both sides of one pair of statements share. */
function conditionChangeKey(gap: Gap, change: PolicyChange): string {
  const { expected, live } = pair(gap);
  return ['Condition', expected?.index, live?.index, gap.deny, change.summary].join('|');
}
