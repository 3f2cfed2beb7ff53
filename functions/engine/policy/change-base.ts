/**
 * What every description of a change shares: the reason kept apart from an undecidable change's
 * summary, and how a gap names its statements.
 */
import { shortText } from './display';
import type { PolicyStatement } from './document';
import type { Gap } from './gaps';
import type { PolicyChange } from './types';

/** Why each undecidable change could not be decided, kept apart from its summary. */
const reasons = new WeakMap<PolicyChange, string>();

/** Marks a change undecidable, for the given reason. */
export function undecided(change: PolicyChange, reason: string): PolicyChange {
  reasons.set(change, reason);
  return change;
}

/** The reason an undecidable change was given, if any. */
export function reasonFor(change: PolicyChange): string | undefined {
  return reasons.get(change);
}

/** Which document each statement reference of a change is from. */
const documents = new WeakMap<PolicyChange['statement'], 'expected' | 'live'>();

/** The statement a change is about, as the change names it, in the document it is from. */
export function statementRef(
  statement: PolicyStatement,
  document: 'expected' | 'live',
): PolicyChange['statement'] {
  const ref = { index: statement.index, sid: statement.sid };
  documents.set(ref, document);
  return ref;
}

/**
 * Which document a change's statement index is from: `expected` for what the live document no
 * longer has (a removal), `live` otherwise; undefined for a change of the document as a whole.
 * Kept apart from the change, whose JSON shape other tools store.
 */
export function changeDocument(change: PolicyChange): 'expected' | 'live' | undefined {
  return documents.get(change.statement);
}

/** The statement as a summary names it: its Sid, or else its index. */
export function statementLabel(statement: PolicyStatement): string {
  return statement.sid ? `statement ${shortText(statement.sid)}` : `statement ${statement.index}`;
}

/** The expected and live statements a gap compares, whichever side it came from. */
export function pair(gap: Gap): { expected?: PolicyStatement; live?: PolicyStatement } {
  const other = gap.counterpart?.statement;
  return gap.side === 'live'
    ? { expected: other, live: gap.atom.statement }
    : { expected: gap.atom.statement, live: other };
}
