import { usageError } from '../../../functions/cli/io';

const USAGE = `Usage:
  connector-guard demo --file F

Options:
  --file F   the file
  -h, --help this help
`;

describe('usageError', () => {
  it('keeps the error first, then only the synopsis and how to see every option', () => {
    const text = usageError('demo', 'Unknown option --bogus', USAGE);

    expect(text).toBe(
      'Unknown option --bogus\n\nUsage:\n  connector-guard demo --file F\n' +
        'More: connector-guard demo --help\n',
    );
    expect(text).not.toContain('Options:');
  });
});
