import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWith } from '../../helpers/requirements';
import { TEMPLATE_PATH, templateText } from './support/template';

const run = promisify(execFile);

interface LintMatch {
  Level: string;
  Rule: { Id: string };
  Message: string;
}

/** cfn-lint's findings for a file; it exits non-zero whenever it finds anything. */
async function lint(path: string): Promise<LintMatch[]> {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', '--', path], { timeout: 60_000 });
    return JSON.parse(stdout || '[]');
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (!stdout) throw error;
    return JSON.parse(stdout);
  }
}

describeWith(['cfn-lint'], 'cfn-lint on the connector template', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports no errors and no warnings', async () => {
    const matches = await lint(TEMPLATE_PATH);

    expect(matches.map((m) => `${m.Level} ${m.Rule.Id}: ${m.Message}`)).toEqual([]);
  }, 60_000);

  it('reports an error for a copy with a misspelt property', async () => {
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, templateText().replace('      RoleName: !Sub', '      RoleNme: !Sub'));

    const matches = await lint(broken);

    expect(matches.filter((m) => m.Level === 'Error').map((m) => m.Message)).toEqual([
      expect.stringContaining('RoleNme'),
    ]);
  }, 60_000);
});
