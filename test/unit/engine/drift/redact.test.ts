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

  it('leaves everything as it is without a valid digest', () => {
    const masked = new SecretDigests({ TenantExternalId: 'not-a-digest' }).mask({ s: SECRET });

    expect(masked).toEqual({ s: SECRET });
  });
});
