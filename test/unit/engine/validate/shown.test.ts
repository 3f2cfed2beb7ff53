import { clearSecrets, registerSecret } from '../../../../functions/engine/log';
import { shown } from '../../../../functions/engine/validate/types';

afterEach(() => {
  clearSecrets();
});

/** Every piece of `secret` of the given length, to look for in text that must hold none. */
function pieces(secret: string, length: number): string[] {
  return Array.from({ length: secret.length - length + 1 }, (_, i) => secret.slice(i, i + length));
}

describe('shown', () => {
  it('quotes a short value whole', () => {
    expect(shown('rate(1 hour)')).toBe('"rate(1 hour)"');
  });

  it('masks a registered secret before cutting a long value, leaving no piece of it', () => {
    const secret = 'c0ffee4b1d9a7e3f5a8c2d6b0e9f1a3c5e7d9b1f3a5c7e9d2b4f6a8c0e1d3f5a';
    registerSecret(secret);

    const text = shown(`x${secret}${'y'.repeat(100)}`);

    expect(text).toMatch(/^"x\*\*\*\*y+\.\.\." \(105 characters\)$/);
    for (const piece of pieces(secret, 6)) expect(text).not.toContain(piece);
  });

  it('cuts by code point, never inside a surrogate pair', () => {
    const text = shown('😀'.repeat(100));

    expect(text).toBe(`"${'😀'.repeat(77)}..." (100 characters)`);
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('escapes controls, bidirectional overrides and line separators', () => {
    const text = shown('\u001b]0;pwn\u0007\u202eX\u0085\u2028');

    expect(text).toBe('"\\u001b]0;pwn\\u0007\\u202eX\\u0085\\u2028"');
  });

  it('escapes a lone surrogate rather than passing it on', () => {
    expect(shown('a\ud83d')).toBe('"a\\ud83d"');
  });
});
