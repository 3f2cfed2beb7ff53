/**
 * `Fn::ForEach` of the AWS::LanguageExtensions transform: a mapping key
 * `Fn::ForEach::Loop: [Identifier, Collection, { 'Key${Identifier}': fragment }]` stands for one
 * copy of the fragment per item of the collection. In each copy `${Identifier}` and
 * `&{Identifier}` (the item without non-alphanumeric characters) are replaced in the keys and in
 * `Fn::Sub` strings, and `{ Ref: Identifier }` becomes the item. Loops nest.
 */
import { isUnknown, type UnknownValue } from '../values';
import { child, describeValue, fail, type Path } from './errors';
import { putOwn } from './own';
import { isMapping } from './parse';

export const FOR_EACH = 'Fn::ForEach::';

/** Resolves a loop's collection; the resolver supplies it. */
export type CollectionResolver = (node: unknown, path: Path | null) => unknown;

/** A loop whose collection is known only after deploy. */
export interface UnexpandedLoop {
  key: string;
  path: Path | null;
  unknown: UnknownValue;
}

export function hasLoops(mapping: Record<string, unknown>): boolean {
  for (const key of Object.keys(mapping)) if (key.startsWith(FOR_EACH)) return true;
  return false;
}

/**
 * Expands every loop of one mapping (and the loops nested in what they produce).
 *
 * @param unexpanded receives the loops whose collection cannot be known offline
 */
export function expandLoops(
  mapping: Record<string, unknown>,
  path: Path | null,
  resolveCollection: CollectionResolver,
  unexpanded: UnexpandedLoop[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, at: Path | null) => {
    if (Object.hasOwn(out, key))
      fail(at, `Fn::ForEach makes the key ${key}, which is already there`);
    putOwn(out, key, value);
  };
  for (const [key, value] of Object.entries(mapping)) {
    if (!key.startsWith(FOR_EACH)) {
      put(key, value, path);
      continue;
    }
    const at = child(path, key);
    if (!Array.isArray(value) || value.length !== 3) {
      fail(at, 'Fn::ForEach takes [Identifier, Collection, { OutputKey: OutputValue }]');
    }
    const [identifier, collectionNode, fragment] = value;
    if (typeof identifier !== 'string' || !/^[A-Za-z0-9]+$/.test(identifier)) {
      fail(
        at,
        `Fn::ForEach needs an alphanumeric identifier first, received ${describeValue(identifier)}`,
      );
    }
    if (!isMapping(fragment)) fail(at, 'Fn::ForEach takes a mapping of output keys third');
    const collection = resolveCollection(collectionNode, child(at, 1));
    if (isUnknown(collection)) {
      unexpanded.push({ key, path: at, unknown: collection });
      continue;
    }
    if (!Array.isArray(collection) || collection.some((item) => typeof item !== 'string')) {
      fail(
        at,
        `Fn::ForEach takes a list of strings as collection, received ${describeValue(collection)}`,
      );
    }
    for (const item of collection as string[]) {
      const copy = substitute(fragment, identifier, item) as Record<string, unknown>;
      const expanded = expandLoops(copy, path, resolveCollection, unexpanded);
      for (const [outputKey, output] of Object.entries(expanded)) put(outputKey, output, at);
    }
  }
  return out;
}

function replaceText(text: string, identifier: string, item: string): string {
  return text
    .split(`\${${identifier}}`)
    .join(item)
    .split(`&{${identifier}}`)
    .join(item.replace(/[^A-Za-z0-9]/g, ''));
}

function substitute(node: unknown, identifier: string, item: string): unknown {
  if (Array.isArray(node)) return node.map((value) => substitute(value, identifier, item));
  if (!isMapping(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'Ref' && node.Ref === identifier) return item;
  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const args = node['Fn::Sub'];
    if (typeof args === 'string') return { 'Fn::Sub': replaceText(args, identifier, item) };
    if (Array.isArray(args) && typeof args[0] === 'string') {
      return {
        'Fn::Sub': [
          replaceText(args[0], identifier, item),
          ...args.slice(1).map((arg) => substitute(arg, identifier, item)),
        ],
      };
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys)
    putOwn(out, replaceText(key, identifier, item), substitute(node[key], identifier, item));
  return out;
}
