/**
 * Action catalogues for the comparison (see {@link ActionCatalogue}). The core never loads
 * one itself, so the Lambda bundles carry no action data; a caller that has one passes it in.
 */
import { isUnknown } from '../values';
import type { PolicyDocument } from './document';
import { patternCovers } from './pattern';
import type { ActionCatalogue, UnknownAction } from './types';

/**
 * A catalogue from a plain map of service prefix to action names (any case).
 *
 * @example
 * catalogueFromMap({ s3: ['GetObject', 'PutObject'] }).actionsOf('S3'); // ['s3:GetObject', ...]
 */
export function catalogueFromMap(map: Record<string, readonly string[]>): ActionCatalogue {
  const services = new Map<string, string[]>();
  for (const [service, names] of Object.entries(map)) {
    const prefix = service.toLowerCase();
    services.set(
      prefix,
      names.map((name) => `${prefix}:${name}`),
    );
  }
  return { actionsOf: (service) => services.get(service.toLowerCase()) };
}

/** The service prefixes named by the Action and NotAction elements of some documents. */
export function servicesIn(...documents: PolicyDocument[]): string[] {
  const services = new Set<string>();
  for (const document of documents) {
    for (const statement of document.statements) {
      if (isUnknown(statement.action.values)) continue;
      for (const action of statement.action.values) {
        if (typeof action !== 'string') continue;
        const service = action.split(':')[0]?.toLowerCase();
        if (service && action.includes(':') && !/[*?]/.test(service)) services.add(service);
      }
    }
  }
  return [...services].sort();
}

/**
 * The actions of a document that match nothing in the catalogue: a name it does not list
 * (`s3:GetObjekt`), a wildcard matching none of a service's actions, a service it does not
 * know, or a name without a service. IAM accepts such an action and it grants nothing, so a
 * typo in a template's Action, or in a NotAction, where it widens, goes unnoticed otherwise.
 * Actions whose service part holds a wildcard, and `*`, are not checked.
 *
 * @example
 * unknownActions(parsePolicy(doc), catalogue); // [{ action: 's3:GetObjekt', problem: ... }]
 */
export function unknownActions(
  document: PolicyDocument,
  catalogue: ActionCatalogue,
): UnknownAction[] {
  const found: UnknownAction[] = [];
  for (const statement of document.statements) {
    if (isUnknown(statement.action.values)) continue;
    const element = statement.action.not ? 'NotAction' : 'Action';
    for (const action of statement.action.values) {
      if (typeof action !== 'string') continue;
      const problem = actionProblem(action, catalogue);
      if (problem === undefined) continue;
      const where = { index: statement.index, sid: statement.sid };
      found.push({ statement: where, element, action, problem });
    }
  }
  return found;
}

function actionProblem(action: string, catalogue: ActionCatalogue): string | undefined {
  if (/^\*+$/.test(action)) return undefined;
  const at = action.indexOf(':');
  if (at < 0) return 'has no service prefix (service:action)';
  const service = action.slice(0, at).toLowerCase();
  if (/[*?]/.test(service)) return undefined;
  const known = catalogue.actionsOf(service);
  if (known === undefined) return `names the service ${service}, which the catalogue does not know`;
  const pattern = action.toLowerCase();
  const options = { variables: false };
  if (known.some((name) => patternCovers(pattern, name.toLowerCase(), options))) return undefined;
  return /[*?]/.test(action)
    ? `matches none of the ${service} actions in the catalogue`
    : `is not one of the ${service} actions in the catalogue`;
}
