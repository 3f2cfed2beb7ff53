/**
 * Finds every reference a template makes (Ref, Fn::GetAtt, Fn::Sub variables, DependsOn and
 * conditions) and the dependency graph between its resources.
 */
import type { CfnTemplate } from './template';

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export type ReferenceKind = 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn' | 'Condition';

export interface Reference {
  kind: ReferenceKind;
  /** The logical ID, parameter, pseudo parameter or condition referred to. */
  target: string;
  /** For GetAtt and `${Resource.Attribute}`. */
  attribute?: string;
  /** Where the reference is, e.g. `Resources.TenantRole.Properties.RoleName`. */
  path: string;
}

const SUB_VARIABLE = /\$\{([^!}][^}]*)\}/g;

/** The variables of a Fn::Sub string, `${!Literal}` excluded. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(SUB_VARIABLE)].map((m) => m[1].trim());
}

function fromSub(value: unknown, path: string, out: Reference[]): void {
  const [text, locals] = Array.isArray(value) ? value : [value, {}];
  if (typeof text !== 'string') return;
  const localNames = new Set(Object.keys((locals as Record<string, unknown>) ?? {}));
  for (const variable of subVariables(text)) {
    if (localNames.has(variable)) continue;
    const dot = variable.indexOf('.');
    if (dot === -1) out.push({ kind: 'Sub', target: variable, path });
    else {
      out.push({
        kind: 'Sub',
        target: variable.slice(0, dot),
        attribute: variable.slice(dot + 1),
        path,
      });
    }
  }
  if (Array.isArray(value)) walk(value[1], `${path}[1]`, out);
}

function walk(value: unknown, path: string, out: Reference[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, `${path}[${i}]`, out);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref' && typeof arg === 'string') {
      out.push({ kind: 'Ref', target: arg, path });
      return;
    }
    if (key === 'Condition' && typeof arg === 'string') {
      out.push({ kind: 'Condition', target: arg, path });
      return;
    }
    if (key === 'Fn::GetAtt') {
      const [target, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
      out.push({ kind: 'GetAtt', target: String(target), attribute: String(attribute), path });
      return;
    }
    if (key === 'Fn::Sub') {
      fromSub(arg, `${path}.Fn::Sub`, out);
      return;
    }
    if (key === 'Fn::If' && Array.isArray(arg)) {
      out.push({ kind: 'Condition', target: String(arg[0]), path: `${path}.Fn::If[0]` });
      walk(arg.slice(1), `${path}.Fn::If`, out);
      return;
    }
  }
  for (const [key, child] of entries) walk(child, `${path}.${key}`, out);
}

/** Every reference in the template's Conditions, Resources and Outputs. */
export function referencesIn(template: CfnTemplate): Reference[] {
  const out: Reference[] = [];
  walk(template.Conditions, 'Conditions', out);
  walk(template.Rules, 'Rules', out);
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = `Resources.${id}`;
    walk(resource.Properties, `${path}.Properties`, out);
    if (resource.Condition !== undefined) {
      out.push({ kind: 'Condition', target: resource.Condition, path: `${path}.Condition` });
    }
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const target of dependsOn)
      out.push({ kind: 'DependsOn', target, path: `${path}.DependsOn` });
  }
  for (const [id, output] of Object.entries(template.Outputs)) {
    const path = `Outputs.${id}`;
    walk(output.Value, `${path}.Value`, out);
    if (typeof output.Condition === 'string') {
      out.push({ kind: 'Condition', target: output.Condition, path: `${path}.Condition` });
    }
  }
  return out;
}

/**
 * Resource logical ID to the resources it depends on: through Ref, GetAtt, Sub variables and
 * DependsOn, in either branch of a Fn::If.
 */
export function dependencyGraph(template: CfnTemplate): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const id of Object.keys(template.Resources)) graph.set(id, new Set());
  for (const ref of referencesIn(template)) {
    const match = /^Resources\.([^.]+)\./.exec(ref.path);
    if (match === null || ref.kind === 'Condition') continue;
    if (template.Resources[ref.target] === undefined) continue;
    graph.get(match[1])?.add(ref.target);
  }
  return graph;
}

/** A dependency cycle as a path of logical IDs (first repeated at the end), or null. */
export function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };

  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== null) return cycle;
  }
  return null;
}

/** Whether `from` depends on `to`, directly or through a chain. */
export function dependsOn(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [...(graph.get(from) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(graph.get(next) ?? []));
  }
  return false;
}
