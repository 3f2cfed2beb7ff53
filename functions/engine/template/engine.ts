/**
 * The engine's entry points, each guarded so that a template the engine cannot handle ends in a
 * {@link TemplateError} and never in a raw exception (a TypeError from an odd shape, say).
 */
import { isUnknown } from '../values';
import { pathOf, TemplateError } from './errors';
import { isMapping } from './parse';
import { buildState } from './promised';
import { NO_VALUE, Resolver } from './resolver';
import { checkRules } from './rules';
import type {
  PromisedIamState,
  ResolvedResource,
  ResolvedTemplate,
  StackContext,
  TemplateDocument,
} from './types';

/**
 * The IAM state a stack promises: its roles, managed policies, StackSet member roles, and what
 * could not be expanded offline.
 *
 * @throws TemplateError naming the JSON path and the problem
 */
export function promisedState(doc: TemplateDocument, ctx: StackContext): PromisedIamState {
  return guarded(doc, ctx, () => buildState(doc.template, ctx));
}

/**
 * The whole template resolved for one stack: parameters, conditions, every resource's
 * properties (empty for a resource the stack does not create) and the outputs.
 *
 * @throws TemplateError naming the JSON path and the problem
 */
export function resolveTemplate(doc: TemplateDocument, ctx: StackContext): ResolvedTemplate {
  return guarded(doc, ctx, () => {
    const resolver = new Resolver(doc.template, ctx);
    checkRules(resolver);
    const resources: Record<string, ResolvedResource> = {};
    for (const [logicalId, declaration] of Object.entries(resolver.template.Resources)) {
      const created = resolver.created(logicalId);
      const entry: ResolvedResource = {
        logicalId,
        type: declaration.Type,
        created,
        properties: {},
        macros: [],
      };
      if (declaration.Condition !== undefined) entry.condition = declaration.Condition;
      if (created === true) {
        const { value, macros } = resolver.withMacros(() => resolver.properties(logicalId));
        entry.macros = macros;
        entry.properties = isUnknown(value) ? { '*': value } : value;
      }
      resources[logicalId] = entry;
    }
    return {
      parameters: resolver.parameters(),
      conditions: resolver.conditions(),
      resources,
      outputs: resolveOutputs(resolver),
      transforms: resolver.transforms,
    };
  });
}

function resolveOutputs(resolver: Resolver): ResolvedTemplate['outputs'] {
  const out: ResolvedTemplate['outputs'] = {};
  for (const [name, output] of Object.entries(resolver.template.Outputs ?? {})) {
    if (!isMapping(output)) {
      throw new TemplateError(`Outputs.${name}`, 'must be a mapping with a Value');
    }
    if (typeof output.Condition === 'string') {
      const where = pathOf('Outputs', name, 'Condition');
      if (resolver.condition(output.Condition, where) !== true) continue;
    }
    const at = { parent: { parent: { parent: null, key: 'Outputs' }, key: name }, key: 'Value' };
    const value = resolver.resolve(output.Value, at);
    const entry: { value: unknown; exportName?: unknown } = {
      value: value === NO_VALUE ? null : value,
    };
    if (isMapping(output.Export)) {
      const exportAt = { parent: { parent: at.parent, key: 'Export' }, key: 'Name' };
      entry.exportName = resolver.resolve(output.Export.Name, exportAt);
    }
    out[name] = entry;
  }
  return out;
}

function guarded<T>(doc: TemplateDocument, ctx: StackContext, run: () => T): T {
  if (doc === null || typeof doc !== 'object' || !isMapping(doc.template)) {
    throw new TemplateError('', 'expected a document from parseTemplate');
  }
  checkContext(ctx);
  try {
    return run();
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new TemplateError('', `${doc.source}: the template could not be resolved (${message})`, {
      cause: error,
    });
  }
}

/** The stack context comes from callers and files; a wrong shape is named, not tripped over. */
function checkContext(ctx: StackContext): void {
  if (ctx === null || typeof ctx !== 'object' || !isMapping(ctx.parameters)) {
    throw new TemplateError('context', 'the stack context needs a parameters mapping');
  }
  const text = (key: 'accountId' | 'region' | 'stackName') => {
    const value = ctx[key];
    if (typeof value !== 'string' || value === '') {
      throw new TemplateError(`context.${key}`, `must be non-empty text, received ${typeof value}`);
    }
  };
  text('accountId');
  text('region');
  text('stackName');
  if (!/^\d{12}$/.test(ctx.accountId)) {
    throw new TemplateError('context.accountId', `must be 12 digits, received '${ctx.accountId}'`);
  }
  for (const [name, value] of Object.entries(ctx.parameters)) {
    // An undefined value is a parameter not given (its Default applies), as when absent.
    const ok =
      value === undefined ||
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) {
      throw new TemplateError(
        `context.parameters.${name}`,
        'must be text, a list of text, or undefined (not given)',
      );
    }
  }
  const textList = (key: 'notificationArns' | 'availabilityZones') => {
    const value = ctx[key];
    if (
      value !== undefined &&
      !(Array.isArray(value) && value.every((v) => typeof v === 'string'))
    ) {
      throw new TemplateError(`context.${key}`, 'must be a list of text');
    }
  };
  textList('notificationArns');
  textList('availabilityZones');
  if (ctx.exports !== undefined && !isMapping(ctx.exports)) {
    throw new TemplateError('context.exports', 'must map export names to values');
  }
  if (ctx.resources !== undefined) {
    if (!Array.isArray(ctx.resources))
      throw new TemplateError('context.resources', 'must be a list');
    ctx.resources.forEach((resource, index) => {
      const ok =
        isMapping(resource) &&
        typeof resource.logicalId === 'string' &&
        typeof resource.physicalId === 'string' &&
        typeof resource.type === 'string';
      if (!ok) {
        throw new TemplateError(
          `context.resources[${index}]`,
          'must be { logicalId, physicalId, type } with text values',
        );
      }
    });
  }
}
