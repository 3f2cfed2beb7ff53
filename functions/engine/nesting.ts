/**
 * How deeply a JSON value nests, found without recursion. Text nested thousands of levels deep
 * would overflow the stack of every reader that walks it recursively, so readers refuse
 * anything deeper than their limit before walking it.
 */

/**
 * Deeper than any policy document (document, Statement, statement, Condition, operator, key,
 * values is seven), and than an export that wraps one.
 */
export const MOST_POLICY_NESTING = 64;

/** Whether a value nests more than `limit` levels of objects and lists. */
export function nestsTooDeep(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
