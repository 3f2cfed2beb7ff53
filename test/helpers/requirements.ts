/**
 * Suites that need a tool from outside the project (moto's server, cfn-lint, the shared
 * realworld folder) are declared with {@link describeWith}. On a user's machine without the
 * tool they are skipped with the reason; under CI (CI=true) a missing tool fails the run, and
 * `.ci/run` counts how many tests ran under each `[needs ...]` label.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export type Requirement = 'moto' | 'cfn-lint' | 'realworld';

export const REALWORLD_DIR = resolve(__dirname, '../../../shared/realworld');

const probes: Record<Requirement, () => boolean> = {
  moto: () => commandWorks('moto_server', ['--help']),
  'cfn-lint': () => commandWorks('cfn-lint', ['--version']),
  realworld: () => existsSync(resolve(REALWORLD_DIR, 'MANIFEST.md')),
};

/** Where each requirement was looked for, for the message when it is missing. */
const lookedFor: Record<Requirement, string> = {
  moto: '`moto_server` on PATH (pip install "moto[server]==5.2.*")',
  'cfn-lint': '`cfn-lint` on PATH (pip install "cfn-lint==1.51.*")',
  realworld: `${resolve(REALWORLD_DIR, 'MANIFEST.md')} (the team's shared folder beside the clone)`,
};

const known = new Map<Requirement, boolean>();

function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Whether a requirement is met on this machine; the probe runs once per test file. */
export function has(requirement: Requirement): boolean {
  if (!known.has(requirement)) known.set(requirement, probes[requirement]());
  return known.get(requirement) === true;
}

/**
 * `describe` for a suite that needs outside tools. Its title is prefixed `[needs a, b]`. When
 * a tool is missing outside CI, the suite shows as one skipped test and its body never runs.
 *
 * @example
 * describeWith(['moto'], 'IAM reads against moto', () => { ... });
 */
export function describeWith(requirements: Requirement[], title: string, body: () => void): void {
  const missing = requirements.filter((r) => !has(r));
  const label = `[needs ${requirements.join(', ')}] ${title}`;
  if (missing.length > 0 && process.env.CI === 'true') {
    describe(label, () => {
      it('has what it needs', () => {
        const looked = missing.map((r) => `${r}: looked for ${lookedFor[r]}`).join('; ');
        throw new Error(
          `CI needs ${missing.join(', ')} for "${title}", and it is missing (${looked}).`,
        );
      });
    });
    return;
  }
  if (missing.length > 0) {
    // The body is not run at all: it may read the very files that are missing.
    describe(label, () => {
      // biome-ignore lint/suspicious/noSkippedTests: a suite without its outside tool is skipped by design
      it.skip(`skipped: ${missing.join(', ')} not found`, () => undefined);
    });
    return;
  }
  describe(label, body);
}
