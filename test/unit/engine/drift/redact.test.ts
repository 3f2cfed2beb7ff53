import { SecretDigests } from '../../../../functions/engine/drift/redact';
import { clearSecrets, scrubText } from '../../../../functions/engine/log';
import { sha256Hex } from '../../../../functions/engine/values';

const SECRET = 'canary-Ext.Id-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const PLACEHOLDER = '<secret:TenantExternalId>';

function digests(): SecretDigests {
  return new SecretDigests({ TenantExternalId: sha256Hex(SECRET) });
}

beforeEach(() => clearSecrets());

describe('SecretDigests', () => {
  it('masks a string value, an object key and a value in an array by digest', () => {
    const masked = digests().mask({ Sid: SECRET, c: { [SECRET]: ['x', SECRET] } });

    expect(masked).toEqual({ Sid: PLACEHOLDER, c: { [PLACEHOLDER]: ['x', PLACEHOLDER] } });
  });

  it('finds a secret standing between delimiters inside a longer string', () => {
    const masked = digests().mask([
      `arn:aws:s3:::${SECRET}/*`,
      `${SECRET}:*`,
      `The Sid "${SECRET}".`,
      `{"sid":"${SECRET}"}`,
    ]);

    expect(masked).toEqual([
      `arn:aws:s3:::${PLACEHOLDER}/*`,
      `${PLACEHOLDER}:*`,
      `The Sid "${PLACEHOLDER}".`,
      `{"sid":"${PLACEHOLDER}"}`,
    ]);
  });

  it('replaces a found secret wherever else it stands, even run together with other text', () => {
    const masked = digests().mask({ a: `x${SECRET}y`, b: SECRET });

    expect(masked).toEqual({ a: `x${PLACEHOLDER}y`, b: PLACEHOLDER });
  });

  it('cannot find a secret run together with other characters when it stands nowhere alone', () => {
    const masked = digests().mask({ a: `x${SECRET}y` });

    expect(masked).toEqual({ a: `x${SECRET}y` });
  });

  it('registers a secret it found with the log scrubber', () => {
    digests().mask({ Sid: SECRET });

    expect(scrubText(`a ${SECRET} b`)).toBe('a **** b');
  });

  it('masks the messages and fields of a log it guards', () => {
    const lines: unknown[] = [];
    const log = digests().guardLog({
      debug: () => undefined,
      info: (message, fields) => lines.push({ message, fields }),
      warn: () => undefined,
      error: () => undefined,
    });

    log.info(`read policy ${SECRET}`, { policy: SECRET });

    expect(lines).toEqual([
      { message: `read policy ${PLACEHOLDER}`, fields: { policy: PLACEHOLDER } },
    ]);
  });

  it.each([
    ['upper-cased', SECRET.toUpperCase()],
    ['lower-cased', SECRET.toLowerCase()],
  ])('finds a copy %s, whole or as a token, given the folded digest', (_form, copy) => {
    const folded = new SecretDigests(
      { TenantExternalId: sha256Hex(SECRET) },
      { TenantExternalId: sha256Hex(SECRET.toLowerCase()) },
    );

    const masked = folded.mask({ name: copy, arn: `arn:aws:s3:::${copy}/*` });

    expect(masked).toEqual({ name: PLACEHOLDER, arn: `arn:aws:s3:::${PLACEHOLDER}/*` });
  });

  it('cannot find a copy in other capitals by the exact digest alone', () => {
    const masked = digests().mask({ name: SECRET.toUpperCase() });

    expect(masked).toEqual({ name: SECRET.toUpperCase() });
  });

  it.each([
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['URL-encoded', encodeURIComponent(`${SECRET}/`).slice(0, -3)],
    ['base64 of a copy upper-cased', Buffer.from(SECRET.toUpperCase()).toString('base64')],
  ])('finds a copy in %s standing as a token', (_form, copy) => {
    const folded = new SecretDigests(
      { TenantExternalId: sha256Hex(SECRET) },
      { TenantExternalId: sha256Hex(SECRET.toLowerCase()) },
    );

    const masked = folded.mask({ tag: copy, text: `value ${copy} was set` });

    expect(masked).toEqual({ tag: PLACEHOLDER, text: `value ${PLACEHOLDER} was set` });
  });

  it('finds a URL-encoded copy holding escapes', () => {
    const secret = 'canary+Q7wE9rT2/yU4iO6pA8sD0fG3hJ5=kL@x';
    const copy = encodeURIComponent(secret);

    const masked = new SecretDigests({ TenantExternalId: sha256Hex(secret) }).mask({
      text: `ref=${copy}&x=1`,
    });

    expect(masked).toEqual({ text: `ref=${PLACEHOLDER}&x=1` });
  });

  it('leaves everything as it is without a valid digest', () => {
    const masked = new SecretDigests({ TenantExternalId: 'not-a-digest' }).mask({ s: SECRET });

    expect(masked).toEqual({ s: SECRET });
  });
});
