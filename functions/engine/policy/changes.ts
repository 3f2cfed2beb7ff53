/**
 * Describing gaps as changes: grouped per statement and element, one sentence each, with the
 * before and after of the element; conditions clause by clause, a flipped Effect as one change,
 * and a bare unique-ID principal as the deleted role or user it stands for.
 */
import { isUnknown } from '../values';
import { type Atom, type Dim, principalCovers } from './atoms';
import { pair, statementLabel, statementRef, undecided } from './change-base';
import { addConditionChanges } from './condition-changes';
import {
  clausesJson,
  leafText,
  listJson,
  listText,
  principalJson,
  shortText,
  statementJson,
  summaryText,
} from './display';
import type { Leaf, PolicyDocument, PolicyStatement, PrincipalEntry } from './document';
import type { Gap } from './gaps';
import { arnCovers, patternCovers } from './pattern';
import type { PolicyChange, PolicyElement, PolicyKind } from './types';

const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{12,}$/;

export function describeGaps(
  gaps: Gap[],
  kind: PolicyKind,
  documents: { expected: PolicyDocument; live: PolicyDocument },
): PolicyChange[] {
  const changes = new Map<string, PolicyChange>();
  const groups = new Map<string, Gap[]>();
  const byAtom = new Map<Atom, Gap>();
  for (const gap of gaps) if (newUniqueId(gap) && !byAtom.has(gap.atom)) byAtom.set(gap.atom, gap);
  const uniqueIdGaps = [...byAtom.values()];

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
      addConditionChanges(changes, gap, gap.counterpart, kind);
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
    const group = groups.get(key);
    if (group) group.push(gap);
    else groups.set(key, [gap]);
  }

  const out = [...changes.values(), ...effectChanges(groups)];
  for (const group of groups.values()) out.push(groupChange(group));
  for (const gap of uniqueIdGaps) out.push(uniqueIdChange(gap, documents));
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
      statement: statementRef(after, 'live'),
      element: 'Effect',
      before: before.effect,
      after: after.effect,
      summary: `changed ${statementLabel(after)} from ${before.effect} to ${after.effect}`,
    });
  }
  return changes;
}

/** The element of a statement as JSON; null when the statement has the other form of it. */
function elementJson(statement: PolicyStatement | undefined, element: PolicyElement): unknown {
  if (statement === undefined) return null;
  const negated = element.startsWith('Not');
  const { action, resource, principal } = statement;
  switch (element) {
    case 'Action':
    case 'NotAction':
      return action.not === negated ? listJson(action.values) : null;
    case 'Resource':
    case 'NotResource':
      return resource?.not === negated ? listJson(resource.values) : null;
    case 'Principal':
    case 'NotPrincipal':
      return principal?.not === negated ? principalJson(principal.entries) : null;
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
  if (action.kind === 'not') {
    return `every action except ${listText(action.values.map(summaryText))}`;
  }
  return summaryText(action.value);
}

function resourceText(atom: Atom): string | undefined {
  const resource = atom.resource;
  if (resource === null) return undefined;
  if (resource.kind === 'opaque') return resource.unknown.toJSON();
  if (resource.kind === 'not') {
    return `every resource except ${listText(resource.values.map(summaryText))}`;
  }
  return summaryText(resource.value);
}

function principalText(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal === null) return undefined;
  if (principal.kind === 'opaque') return principal.unknown.toJSON();
  if (principal.kind === 'not') {
    return `every principal except ${listText(principal.values.map(entryText))}`;
  }
  return entryText(principal.value);
}

function entryText(entry: PrincipalEntry): string {
  return entry.type === '*' ? '* (anyone)' : summaryText(entry.value);
}

function groupChange(group: Gap[]): PolicyChange {
  const first = group[0] as Gap;
  const { expected, live } = pair(first);
  const home = first.atom.statement;
  const summary = groupSummary(group, wordsOf(group));

  const element = home.opaque ? 'Statement' : first.element;
  const change: PolicyChange = {
    direction: first.direction,
    statement: statementRef(home, first.side),
    element,
    before: elementJson(expected, element),
    after: elementJson(live, element),
    summary,
  };
  return first.direction === 'unknown' ? undecided(change, first.reason ?? summary) : change;
}

/** The parts of a summary: what is granted or denied, on what, for whom. */
interface Words {
  actions: string;
  /** ` on RESOURCES`, or empty. */
  on: string;
  /** ` for principal PRINCIPALS`, or empty. */
  by: string;
  principals: string;
  /**
   * For a change of Resource in a statement that has none (a trust policy's), the words saying
   * so, so that the action named is never read as the resource; else empty.
   */
  bare: string;
  /** Whether a Not-form is named by what it newly reaches rather than by its exclusions. */
  reached: boolean;
}

function wordsOf(group: Gap[]): Words {
  const first = group[0] as Gap;
  const texts = (fn: (atom: Atom) => string | undefined) =>
    group.map((gap) => fn(gap.atom)).filter((t): t is string => t !== undefined);
  const reached = reachedExclusions(first);
  const only = (element: PolicyElement) => (first.element === element ? reached : undefined);

  const actions = only('NotAction') ?? listText(texts(actionText));
  const resources = only('NotResource') ?? listText(texts(resourceText));
  const principals = only('NotPrincipal') ?? listText(texts(principalText));
  const on = resources ? ` on ${resources}` : '';
  const whom = principals.startsWith('every ') ? principals : `principal ${principals}`;
  const by = principals ? ` for ${whom}` : '';
  const resourceElement = first.element === 'Resource' || first.element === 'NotResource';
  const bare =
    resourceElement && first.atom.resource === null
      ? ', in a statement with no Resource element'
      : '';
  return { actions, on, by, principals, bare, reached: reached !== undefined };
}

function groupSummary(group: Gap[], words: Words): string {
  const first = group[0] as Gap;
  const home = first.atom.statement;
  const { actions, on, by, principals, bare } = words;
  const adds = first.side === 'live';
  const verb = adds ? 'added' : 'removed';

  if (first.direction === 'unknown') {
    if (home.opaque) return `could not verify ${statementLabel(home)}: ${first.reason}`;
    const what = first.element.endsWith('Principal')
      ? `principal ${principals}`
      : `${actions}${on}${by}${bare}`;
    const kind = first.deny ? 'the deny of ' : '';
    return `could not verify ${kind}${what} in ${statementLabel(home)}: ${first.reason}`;
  }
  if (first.element === 'Principal' || first.element === 'NotPrincipal') {
    const who = `principal ${principals}`;
    if (first.deny) return `${who} ${adds ? 'now' : 'no longer'} denied ${actions}`;
    if (first.atom.principal?.kind === 'not' && !words.reached) return `${verb} ${principals}`;
    return `${who} ${verb}`;
  }
  if (first.element === 'Statement') {
    const grant = first.deny ? 'denying' : 'allowing';
    return `${verb} ${statementLabel(home)} ${grant} ${actions}${on}${by}`;
  }
  const matched = first.deny ? ['denying', 'which denied'] : ['granting', 'which granted'];
  const tail = newlyMatched(group, (adds ? matched[0] : matched[1]) as string);
  return `${verb} ${first.deny ? 'deny of ' : ''}${actions}${on}${by}${bare}${tail}`;
}

/**
 * For a Not-form compared with the same Not-form, what the other side excludes and this side
 * does not (what only this side reaches), as text; undefined when there is nothing to name.
 */
function reachedExclusions(gap: Gap): string | undefined {
  const { atom, counterpart: other } = gap;
  if (other === undefined) return undefined;
  let reached: string[] = [];
  if (gap.element === 'NotAction') {
    reached = unexcluded(atom.action, other.action, (m, x) =>
      patternCovers(m.toLowerCase(), x.toLowerCase(), { variables: false }),
    );
  } else if (gap.element === 'NotResource') {
    const options = { variables: atom.variables, innerVariables: other.variables };
    reached = unexcluded(
      atom.resource,
      other.resource,
      (m, x) => arnCovers(m, x, options) === 'yes',
    );
  } else if (gap.element === 'NotPrincipal') {
    const mine = atom.principal;
    const theirs = other.principal;
    if (mine?.kind === 'not' && theirs?.kind === 'not') {
      const covered = (x: PrincipalEntry) =>
        mine.values.some((m) => principalCovers(m, x) === 'yes');
      reached = theirs.values.filter((x) => !covered(x)).map(entryText);
    }
  }
  return reached.length > 0 ? listText(reached) : undefined;
}

function unexcluded(
  mine: Dim<Leaf> | null,
  theirs: Dim<Leaf> | null,
  covers: (outer: string, inner: string) => boolean,
): string[] {
  if (mine?.kind !== 'not' || theirs?.kind !== 'not') return [];
  const covered = (x: Leaf) =>
    mine.values.some((m) =>
      typeof m === 'string' && typeof x === 'string' ? covers(m, x) : leafText(m) === leafText(x),
    );
  return theirs.values.filter((x) => !covered(x)).map(summaryText);
}

/** With a catalogue, names the actions a wildcard granted on one side and not the other. */
function newlyMatched(group: Gap[], verb: string): string {
  const names = [...new Set(group.flatMap((gap) => gap.newActions ?? []))];
  if (names.length === 0) return '';
  return ` (${verb} ${listText(names, 5)})`;
}

function uniqueIdOf(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal?.kind !== 'one' || principal.value.type !== 'AWS') return undefined;
  const value = principal.value.value;
  return typeof value === 'string' && UNIQUE_ID.test(value) ? value : undefined;
}

/**
 * Whether a live gap is a bare unique ID standing where a principal was: one the expected
 * document does not trust, not a condition or resource that also changed beside it.
 */
function newUniqueId(gap: Gap): boolean {
  const beside = ['Condition', 'Resource', 'NotResource'].includes(gap.element);
  return gap.side === 'live' && gap.direction === 'widened' && !beside && !!uniqueIdOf(gap.atom);
}

/** Whether a gap is part of what a bare unique-ID principal already explains. */
function replacedByUniqueId(gap: Gap): boolean {
  if (gap.side === 'live') return newUniqueId(gap);
  return gap.direction === 'narrowed' && namedPrincipal(gap.atom) !== undefined;
}

const NAMED = /^arn:[a-z-]+:iam::\d{12}:(role|user)\//;

function namedPrincipal(atom: Atom): string | undefined {
  const principal = atom.principal;
  if (principal?.kind !== 'one' || principal.value.type !== 'AWS') return undefined;
  const value = principal.value.value;
  return typeof value === 'string' && NAMED.test(value) ? value : undefined;
}

/** The roles (or users) the expected document names as principals and the live one does not. */
function vanished(
  documents: { expected: PolicyDocument; live: PolicyDocument },
  what: 'role' | 'user',
): string[] {
  const named = (document: PolicyDocument) =>
    document.statements.flatMap(({ principal }) =>
      principal && !principal.not && !isUnknown(principal.entries)
        ? principal.entries
            .map((entry) => entry.value)
            .filter((v): v is string => typeof v === 'string' && NAMED.exec(v)?.[1] === what)
        : [],
    );
  const live = new Set(named(documents.live));
  return [...new Set(named(documents.expected))].filter((name) => !live.has(name));
}

/**
 * A bare unique ID is what IAM shows for a trusted role or user that was deleted: a narrowing,
 * when the expected document names one that the live one no longer does. Otherwise it stands
 * for no principal the template trusts, and which one it is cannot be told offline.
 */
function uniqueIdChange(
  gap: Gap,
  documents: { expected: PolicyDocument; live: PolicyDocument },
): PolicyChange {
  const id = shortText(uniqueIdOf(gap.atom) as string);
  const what = id.startsWith('AROA') ? 'role' : 'user';
  const gone = vanished(documents, what);
  const expected = gap.counterpart?.statement;
  const change: PolicyChange = {
    direction: gone.length > 0 ? 'narrowed' : 'unknown',
    statement: statementRef(gap.atom.statement, gap.side),
    element: 'Principal',
    before: expected?.principal ? principalJson(expected.principal.entries) : null,
    after: gap.atom.statement.principal
      ? principalJson(gap.atom.statement.principal.entries)
      : null,
    summary: '',
  };
  if (gone.length === 0) {
    const unsure = `which ${what} it is cannot be told offline`;
    change.summary = `principal ${id} added, a bare unique ID that stands for no ${what} the expected policy trusts: ${unsure}`;
    return undecided(
      change,
      `which ${what} the bare unique ID ${id} stands for cannot be told offline`,
    );
  }
  const named = gone.length === 1 ? ` (${gone[0]})` : '';
  const after = `a ${what} re-created with the same name is not trusted`;
  change.summary = `principal ${id} is a bare unique ID: the trusted ${what}${named} was deleted, and ${after}`;
  return change;
}
