/**
 * How deeply a JSON value nests, found without recursion. A policy nests about seven levels
 * (document, Statement, statement, Condition, operator, key, values); text nested thousands of
 * levels deep would overflow the stack of every reader that walks it recursively, so readers
 * refuse anything deeper than {@link MOST_NESTING} before walking it.
 */

/** Deeper than any policy document, and than an export that wraps one. */
export const MOST_NESTING = 64;

/** Whether a value nests more than {@link MOST_NESTING} levels of objects and lists. */
export function nestsTooDeep(value: unknown): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > MOST_NESTING) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
