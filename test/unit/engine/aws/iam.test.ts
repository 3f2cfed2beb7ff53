import { DEFAULT_MAX_ATTEMPTS } from '../../../../functions/engine/aws/clients';
import { decodeIamDocument, iamRetryStrategy } from '../../../../functions/engine/aws/iam';

describe('iamRetryStrategy', () => {
  it.each([[DEFAULT_MAX_ATTEMPTS], [5]])(
    'gives a throttled call %i attempts, not the SDK default of 3',
    async (maxAttempts) => {
      const strategy = iamRetryStrategy(maxAttempts);

      expect(await strategy.maxAttemptsProvider()).toBe(maxAttempts);
    },
  );
});

describe('decodeIamDocument', () => {
  it('decodes URL-encoded documents and takes JSON text as it is', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*' }] };

    expect(decodeIamDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodeIamDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodeIamDocument(undefined)).toBeUndefined();
  });
});
