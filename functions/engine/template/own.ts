/**
 * Building JSON objects from a template's keys. A plain assignment of the key `__proto__` sets
 * the object's prototype instead of a key, so the key and its value would vanish, or its value
 * would show through every lookup of a missing key. A template may hold that key where
 * CloudFormation passes it on as written: an IAM tag key, a condition key, a mapping key.
 */

/** Sets `key` as an own, enumerable property of `target`, whatever the key. */
export function putOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
