/**
 * A bound on the work of one comparison. Deciding whether one grant covers another may split
 * it by condition values and by the actions a wildcard stands for, and a document can be
 * written so that those splits multiply (a dozen condition keys of four patterns each would
 * take hours). Every step of the comparison spends from a budget; when it runs out, the grant
 * being compared is left undecided, with the statement named, and the comparison goes on.
 *
 * The budget is held for the length of one synchronous call ({@link withBudget}), so the
 * reasoning functions deep in the recursion spend from it without each passing it on. Outside
 * such a call, spending is free: evaluate.ts decides one document against fixed requests, whose
 * work grows only with the document's size; a caller judging many requests or documents bounds
 * that work by calling it under its own budget.
 */

/**
 * Thrown by {@link spend} when the budget in force is used up, and by the pattern comparisons
 * for a pair too long to compare; the message says which, to follow `not compared: `.
 */
export class WorkLimitReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkLimitReached';
  }
}

/** A number of steps to spend, and how many are spent. */
export class Budget {
  private spent = 0;

  /**
   * @param limit the steps that may be spent
   * @param what what the steps are spent on, to start a sentence: `comparing this grant`
   */
  constructor(
    readonly limit: number,
    readonly what: string,
  ) {}

  /** Whether more than the limit has been spent. */
  get exhausted(): boolean {
    return this.spent > this.limit;
  }

  /** Spends `steps`; throws WorkLimitReached once more than the limit is spent. */
  spend(steps: number): void {
    this.spent += steps;
    if (this.spent > this.limit) {
      const limit = this.limit.toLocaleString('en-US');
      throw new WorkLimitReached(`${this.what} takes more than ${limit} steps, its limit`);
    }
  }
}

let current: readonly Budget[] = [];

/**
 * Runs `fn` with every budget given in force: each step spends from all of them (a budget per
 * grant inside one for the whole comparison), and the first one used up stops the work.
 */
export function withBudget<T>(budgets: Budget[], fn: () => T): T {
  const outer = current;
  current = [...outer, ...budgets];
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/**
 * Spends steps from the budgets in force, if any, innermost first, so that the one used up
 * names the narrowest work; a step is about a microsecond of work.
 */
export function spend(steps = 1): void {
  for (let at = current.length - 1; at >= 0; at--) current[at]?.spend(steps);
}

/** Whether a budget in force is used up: work that caught WorkLimitReached must stop too. */
export function budgetExhausted(): boolean {
  return current.some((budget) => budget.exhausted);
}
