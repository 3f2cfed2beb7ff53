/**
 * Action catalogues for the comparison (see {@link ActionCatalogue}). The core never loads
 * one itself, so the Lambda bundles carry no action data; a caller that has one passes it in.
 */
import { isUnknown } from '../values';
import type { PolicyDocument } from './document';
import type { ActionCatalogue } from './types';

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
