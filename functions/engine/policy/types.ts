/**
 * The public shapes of the policy core: what a comparison of two IAM policy documents reports.
 * The JSON forms are a public interface: the CLI prints them and drift findings embed changes.
 */

/** How a live document differs from the expected one, taken as a whole. */
export type Direction = 'none' | 'widened' | 'narrowed' | 'mixed' | 'unknown';

/**
 * The direction of one change: `mixed` when the one change both lets in requests that were
 * refused and refuses some that were let in (a condition value replaced by another); `unknown`
 * when it cannot be decided (the summary says why).
 */
export type ChangeDirection = 'widened' | 'narrowed' | 'mixed' | 'unknown';

/** The policy element a change is about. */
export type PolicyElement =
  | 'Version'
  | 'Statement'
  | 'Effect'
  | 'Principal'
  | 'NotPrincipal'
  | 'Action'
  | 'NotAction'
  | 'Resource'
  | 'NotResource'
  | 'Condition';

/** Which kind of document is compared: trust policies get extra rules. */
export type PolicyKind = 'permissions' | 'trust';

/** One difference between the expected and the live document. */
export interface PolicyChange {
  direction: ChangeDirection;
  /** The statement's index in the live document (in the expected one for a removal). */
  statement: { index: number; sid: string | null };
  element: PolicyElement;
  /** JSON values or null; a secret condition value only ever appears as a placeholder. */
  before: unknown;
  after: unknown;
  /** One sentence, e.g. `added s3:DeleteObject on arn:aws:s3:::backups-*`. */
  summary: string;
}

/** The outcome of {@link comparePolicies}. */
export interface PolicyComparison {
  /** True only when the documents are proven to grant exactly the same. */
  equivalent: boolean;
  direction: Direction;
  /** Why the direction is `unknown`, when it is. */
  reason?: string;
  changes: PolicyChange[];
  /**
   * With `skipUnread`, the statements that could not be read and were left out; the other
   * members describe the rest.
   */
  unread?: UnreadStatement[];
}

/** A statement left out of a comparison because it cannot be read, and why. */
export interface UnreadStatement {
  document: 'expected' | 'live';
  statement: { index: number; sid: string | null };
  /** Names the document, the statement and the rule, e.g. `live policy: Statement[1]: ...`. */
  reason: string;
}

/**
 * The actions that exist, by service. With one, a wildcard is compared by the actions it
 * matches today (a list naming every `s3:Get*` action equals `s3:Get*`); without one, actions
 * are compared as names, and a wildcard is wider than any list of names.
 */
export interface ActionCatalogue {
  /** The names (`s3:GetObject`) of a service's actions, any case; undefined when not known. */
  actionsOf(service: string): readonly string[] | undefined;
}

/** An action a document names that the catalogue has nothing for (see unknownActions). */
export interface UnknownAction {
  statement: { index: number; sid: string | null };
  element: 'Action' | 'NotAction';
  /** The action as written. */
  action: string;
  /** What is wrong, to follow the action in a sentence: `is not one of the s3 actions ...`. */
  problem: string;
}

/** Options of {@link comparePolicies}. */
export interface CompareOptions {
  /** `trust` adds the rules for role trust policies; `permissions` by default. */
  kind?: PolicyKind;
  /** Known actions, to compare wildcards with lists of actions; see {@link ActionCatalogue}. */
  catalogue?: ActionCatalogue;
  /** How messages name the two documents; `expected policy` and `live policy` by default. */
  names?: { expected: string; live: string };
  /**
   * Leaves the statements that cannot be read out of the comparison and lists them in
   * `unread`, instead of reporting each as an `unknown` change. For a caller whose inputs are
   * files a user gives: what is still unread is a statement IAM itself refuses.
   */
  skipUnread?: boolean;
}

/** A request whose outcome under a policy {@link actionsNotAllowed} decides. */
export interface ActionRequest {
  action: string;
  /** The resource ARN; `*` when omitted. */
  resource?: string;
}

/** A request a policy does not allow, and why. */
export interface BlockedAction {
  action: string;
  resource: string;
  reason: 'explicit-deny' | 'not-allowed' | 'conditional';
}
