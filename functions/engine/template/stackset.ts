/**
 * A StackSet's inline member template (`AWS::CloudFormation::StackSet` with `TemplateBody`): the
 * roles it creates belong to the member accounts, not to this one. It is resolved with what the
 * StackSet fixes (its Parameters, and the region when every instance group names the same single
 * one) and with what differs per stack instance left unknown (account ID, stack name and ID).
 * The partition is this stack's: a StackSet deploys within its own partition.
 */
import { partitionOf, urlSuffixOf } from '../partitions';
import { isSecret, isUnknown, UnknownValue } from '../values';
import { describeValue, fail, pathOf, TemplateError } from './errors';
import { putOwn } from './own';
import type { ParameterValue } from './parameters';
import { isMapping, parseTemplate } from './parse';
import type { Overrides } from './resolver';
import type { NotExpanded, PromisedIamState, StackContext, TemplateBody } from './types';

type Build = (template: TemplateBody, ctx: StackContext, overrides: Overrides) => PromisedIamState;

const TYPE = 'AWS::CloudFormation::StackSet';

/** The member template's state, or why it cannot be read. */
export function memberState(
  logicalId: string,
  props: Record<string, unknown>,
  ctx: StackContext,
  build: Build,
): PromisedIamState | NotExpanded {
  const body = props.TemplateBody;
  if (body === undefined) {
    const reason =
      props.TemplateURL !== undefined
        ? 'its member template is read from TemplateURL; fetch that template and check it on ' +
          'its own'
        : 'it has no TemplateBody';
    return { logicalId, type: TYPE, reason };
  }
  if (typeof body !== 'string') {
    const reason = isUnknown(body)
      ? `its TemplateBody depends on ${body.source}`
      : 'its TemplateBody is not text';
    return { logicalId, type: TYPE, reason };
  }
  const where = `Resources.${logicalId}.Properties.TemplateBody`;
  const member = inMember(where, () => parseTemplate(body, `${where} of StackSet ${logicalId}`));
  const overrides = memberOverrides(logicalId, props, member.template);
  return inMember(where, () => build(member.template, ctx, overrides));
}

/** Runs a step on the member template, saying where its errors are. */
function inMember<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const inner =
      error.path === ''
        ? error.message
        : `${error.path}: ${error.message.slice(error.path.length + 2)}`;
    throw new TemplateError(where, `in the StackSet's member template: ${inner}`, {
      cause: error,
    });
  }
}

function memberOverrides(
  logicalId: string,
  props: Record<string, unknown>,
  member: TemplateBody,
): Overrides {
  const unknown = (name: string, why: string) =>
    new UnknownValue(`${name} of StackSet ${logicalId} members`, why);
  const only = singleRegion(props.StackInstancesGroup);
  const region = only ?? unknown('AWS::Region', 'each stack instance runs in its own region');
  const pseudo: Record<string, unknown> = {
    'AWS::AccountId': unknown('AWS::AccountId', 'each member account has its own ID'),
    'AWS::Region': region,
    'AWS::StackName': unknown('AWS::StackName', 'CloudFormation names each stack instance'),
    'AWS::StackId': unknown('AWS::StackId', 'CloudFormation assigns each stack instance an ID'),
    'AWS::NotificationARNs': unknown('AWS::NotificationARNs', 'each stack instance has its own'),
  };
  if (only !== undefined) {
    pseudo['AWS::Partition'] = partitionOf(only);
    pseudo['AWS::URLSuffix'] = urlSuffixOf(partitionOf(only));
  }
  return { pseudo, parameters: memberParameters(logicalId, props, member), stackSet: logicalId };
}

function singleRegion(groups: unknown): string | undefined {
  const regions = new Set<unknown>();
  for (const group of Array.isArray(groups) ? groups : []) {
    if (!isMapping(group) || !Array.isArray(group.Regions)) continue;
    for (const region of group.Regions) regions.add(region);
  }
  const [only] = [...regions];
  return regions.size === 1 && typeof only === 'string' ? only : undefined;
}

/** The StackSet's Parameters, checked against the member template's declarations. */
function memberParameters(
  logicalId: string,
  props: Record<string, unknown>,
  member: TemplateBody,
): Record<string, ParameterValue> {
  const parameters: Record<string, ParameterValue> = {};
  const given = Array.isArray(props.Parameters) ? props.Parameters : [];
  given.forEach((entry, index) => {
    const at = pathOf('Resources', logicalId, 'Properties', 'Parameters', index);
    if (!isMapping(entry) || typeof entry.ParameterKey !== 'string') {
      fail(at, 'must be { ParameterKey, ParameterValue }');
    }
    if (!Object.hasOwn(member.Parameters ?? {}, entry.ParameterKey)) {
      fail(at, `sets ${entry.ParameterKey}, which the member template does not declare`);
    }
    const value = entry.ParameterValue;
    if (typeof value !== 'string' && !isUnknown(value) && !isSecret(value)) {
      fail(at, `ParameterValue must be a string, received ${describeValue(value)}`);
    }
    putOwn(parameters, entry.ParameterKey, value);
  });
  return parameters;
}
