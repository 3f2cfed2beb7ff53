import type { CliIo } from '../../../functions/cli/io';
import { main } from '../../../functions/cli/main';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd: '/',
    isTty: false,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

describe('main', () => {
  it('prints the commands on stdout for --help and exits 0', async () => {
    const cli = io();

    expect(await main(['--help'], cli.io)).toBe(0);
    expect(cli.out()).toContain('Commands:\n  check ');
    expect(cli.err()).toBe('');
  });

  it('asks for a command on stderr and exits 2 when none is given', async () => {
    const cli = io();

    expect(await main([], cli.io)).toBe(2);
    expect(cli.err()).toMatch(/^A command is needed\.\n\nUsage: connector-guard <command>/);
    expect(cli.out()).toBe('');
  });

  it('names the commands it knows when given another', async () => {
    const cli = io();

    expect(await main(['chek'], cli.io)).toBe(2);
    expect(cli.err()).toBe(
      'Unknown command "chek": expected one of check, self-check, validate, policy-diff.\n',
    );
  });
});
