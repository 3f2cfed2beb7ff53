/**
 * Pseudo parameters and template-level transforms: what `AWS::Region`, `AWS::Partition` and the
 * others are for a stack, and which macros a template's `Transform` names.
 */
import { partitionOf, urlSuffixOf } from '../partitions';
import { UnknownValue } from '../values';
import { describeValue, TemplateError } from './errors';
import { isMapping } from './parse';
import type { StackContext } from './types';

/** The pseudo parameters of a stack; what the context does not give is unknown, not guessed. */
export function pseudoValues(ctx: StackContext): Record<string, unknown> {
  const partition = ctx.partition ?? partitionOf(ctx.region);
  return {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': ctx.urlSuffix ?? urlSuffixOf(partition),
    'AWS::StackName': ctx.stackName,
    'AWS::StackId':
      ctx.stackId ??
      new UnknownValue(
        'AWS::StackId',
        'the stack ID was not supplied (CloudFormation assigns it at create time)',
      ),
    'AWS::NotificationARNs':
      ctx.notificationArns === undefined
        ? new UnknownValue(
            'AWS::NotificationARNs',
            "the stack's notification ARNs were not supplied",
          )
        : [...ctx.notificationArns],
  };
}

/** The macro names of a template-level `Transform` (a name, a list, or `{ Name }`). */
export function transformNames(transform: unknown): string[] {
  if (transform === undefined || transform === null) return [];
  const items = Array.isArray(transform) ? transform : [transform];
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (isMapping(item) && typeof item.Name === 'string') return item.Name;
    throw new TemplateError(
      'Transform',
      `names a macro by string or { Name }, received ${describeValue(item)}`,
    );
  });
}
