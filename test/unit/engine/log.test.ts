import {
  clearSecrets,
  createLogger,
  registerSecret,
  scrubText,
  secretForms,
} from '../../../functions/engine/log';

const SECRET = 'canary-Q7wE9rT2yU4iO6pA8sD0fG3hJ5kL';
const PLUS_SECRET = 'canary+Q7wE9rT2/yU4iO6pA8sD0fG3hJ5=kL';

beforeEach(() => clearSecrets());

describe('scrubText', () => {
  it.each([
    ['upper-cased', PLUS_SECRET.toUpperCase()],
    ['lower-cased', PLUS_SECRET.toLowerCase()],
    ['URL-encoded', encodeURIComponent(PLUS_SECRET)],
    ['URL-encoded with lower-case escapes', encodeURIComponent(PLUS_SECRET).toLowerCase()],
    ['in base64', Buffer.from(PLUS_SECRET).toString('base64')],
    ['in base64url', Buffer.from(PLUS_SECRET).toString('base64url')],
  ])('masks a registered secret written %s', (_form, written) => {
    registerSecret(PLUS_SECRET);

    const out = scrubText(`policy ${written} added`);

    expect(out).toBe('policy **** added');
  });

  it('masks a registered secret JSON-escaped', () => {
    const secret = 'canary"Q7wE9rT2\\yU4iO6pA8sD0fG3hJ5kL';
    registerSecret(secret);

    const out = scrubText(JSON.stringify({ name: secret }));

    expect(out).toBe('{"name":"****"}');
  });

  it.each([0, 1, 2])(
    'masks the secret inside the base64 of a longer text starting %i bytes before it',
    (before) => {
      registerSecret(SECRET);
      const encoded = Buffer.from(`${'x'.repeat(before)}${SECRET} and more`).toString('base64');

      const out = scrubText(encoded);

      expect(out).toContain('****');
      const left = out.split('****').join('');
      expect(left.length).toBeLessThanOrEqual(encoded.length - 40);
    },
  );

  it('masks a secret holding another registered one whole', () => {
    registerSecret(SECRET);
    registerSecret(`${SECRET}-longer`);

    expect(scrubText(`a ${SECRET.toUpperCase()}-LONGER b`)).toBe('a **** b');
  });

  it('leaves text without a registered secret as it is', () => {
    registerSecret(SECRET);

    const half = `${SECRET.slice(0, 15)} is half of nothing`;

    expect(scrubText(half)).toBe(half);
  });

  it('masks nothing once the secrets are cleared', () => {
    registerSecret(SECRET);
    clearSecrets();

    expect(scrubText(SECRET)).toBe(SECRET);
  });
});

describe('secretForms', () => {
  it('gives no base64 form for a secret under 24 characters', () => {
    const short = 'canary-Q7wE9rT2';

    expect(secretForms(short)).toEqual([short, short, short]);
  });
});

describe('createLogger', () => {
  it('masks an upper-cased registered secret in a message and its fields', () => {
    const lines: unknown[] = [];
    const sink = { info: (message: string, fields: unknown) => lines.push({ message, fields }) };
    registerSecret(SECRET);
    const log = createLogger('test', sink as never);

    log.info(`actor ${SECRET.toUpperCase()}`, { session: SECRET.toLowerCase() });

    expect(JSON.stringify(lines)).not.toMatch(new RegExp(SECRET, 'i'));
    expect(lines).toEqual([{ message: 'actor ****', fields: { session: '****' } }]);
  });
});
