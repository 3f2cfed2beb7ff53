import { catalogueFromMap, comparePolicies } from '../../../../functions/engine/policy';
import { SecretValue, sha256Hex, UnknownValue } from '../../../../functions/engine/values';
import { CANARY_EXTERNAL_ID, policy, statement, trustStatement } from './builders';

const VENDOR = '111122223333';
const externalId = (value: unknown) => ({ StringEquals: { 'sts:ExternalId': value } });

describe('comparePolicies', () => {
  describe('with a secret external ID in the expected trust policy', () => {
    const secret = new SecretValue('TenantExternalId', sha256Hex(CANARY_EXTERNAL_ID));

    it('is equivalent when the live value has the same digest', () => {
      const expected = policy(trustStatement(VENDOR, { Condition: externalId(secret) }));
      const live = policy(trustStatement(VENDOR, { Condition: externalId(CANARY_EXTERNAL_ID) }));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result).toEqual({ equivalent: true, direction: 'none', changes: [] });
    });

    it('reports a changed value as a widening, showing only placeholders', () => {
      const expected = policy(trustStatement(VENDOR, { Condition: externalId(secret) }));
      const live = policy(trustStatement(VENDOR, { Condition: externalId('someone-elses-id') }));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(result.changes).toEqual([
        {
          direction: 'widened',
          statement: { index: 0, sid: null },
          element: 'Condition',
          before: { StringEquals: { 'sts:ExternalId': '<secret:TenantExternalId>' } },
          after: { StringEquals: { 'sts:ExternalId': '<secret:sts:ExternalId>' } },
          summary:
            'changed condition sts:ExternalId: the live value does not match the expected digest',
        },
      ]);
      expect(JSON.stringify(result)).not.toContain('someone-elses-id');
    });

    it('reports a removed external ID without showing the value', () => {
      const expected = policy(trustStatement(VENDOR, { Condition: externalId(secret) }));
      const live = policy(trustStatement(VENDOR));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.changes.map((c) => c.summary)).toEqual(['removed condition sts:ExternalId']);
      expect(result.changes[0]?.before).toEqual({
        StringEquals: { 'sts:ExternalId': '<secret:TenantExternalId>' },
      });
    });

    it.each([
      [
        'a negated check of another value',
        { StringNotEquals: { 'sts:ExternalId': 'another-id' } },
        'changed condition sts:ExternalId from StringEquals <secret:TenantExternalId> to StringNotEquals <secret:sts:ExternalId>',
      ],
      [
        'a pattern matching anything',
        { StringLike: { 'sts:ExternalId': '*' } },
        'changed condition sts:ExternalId from StringEquals <secret:TenantExternalId> to StringLike <secret:sts:ExternalId>',
      ],
      [
        'a second accepted value',
        externalId([CANARY_EXTERNAL_ID, 'another-id']),
        'changed condition sts:ExternalId: the live check accepts another value beside the expected one',
      ],
    ])('reports %s in place of the secret as a widening', (_, condition, summary) => {
      const expected = policy(trustStatement(VENDOR, { Condition: externalId(secret) }));
      const live = policy(trustStatement(VENDOR, { Condition: condition }));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('widened');
      expect(result.changes).toContainEqual(
        expect.objectContaining({ direction: 'widened', element: 'Condition', summary }),
      );
      expect(JSON.stringify(result)).not.toContain(CANARY_EXTERNAL_ID);
    });

    it('reports a value no longer accepted beside the secret as a narrowing', () => {
      const two = new SecretValue('SecondExternalId', sha256Hex('second-canary-id'));
      const expected = policy(trustStatement(VENDOR, { Condition: externalId([secret, two]) }));
      const live = policy(trustStatement(VENDOR, { Condition: externalId(CANARY_EXTERNAL_ID) }));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('narrowed');
      expect(result.changes.map((c) => c.summary)).toEqual([
        'changed condition sts:ExternalId: the live check no longer accepts another value the expected one accepts',
      ]);
    });

    it('is undecidable when the digest of the secret is not known', () => {
      const unknownDigest = new SecretValue('TenantExternalId', undefined);
      const expected = policy(trustStatement(VENDOR, { Condition: externalId(unknownDigest) }));
      const live = policy(trustStatement(VENDOR, { Condition: externalId(CANARY_EXTERNAL_ID) }));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.equivalent).toBe(false);
      expect(result.direction).toBe('unknown');
      expect(result.reason).toBe(
        'not verifiable: depends on TenantExternalId, whose digest is not known',
      );
      expect(JSON.stringify(result)).not.toContain(CANARY_EXTERNAL_ID);
    });
  });

  it('compares a secret anywhere in the document by digest and shows only its placeholder', () => {
    const bucket = 'arn:aws:s3:::canary-hidden-bucket';
    const secret = new SecretValue('BackupBucketArn', sha256Hex(bucket));
    const expected = policy(statement({ Action: 's3:GetObject', Resource: secret }));
    const same = policy(statement({ Action: 's3:GetObject', Resource: bucket }));
    const wider = policy(statement({ Action: ['s3:GetObject', 's3:PutObject'], Resource: bucket }));

    const result = comparePolicies(expected, wider);

    expect(comparePolicies(expected, same).equivalent).toBe(true);
    expect(result.changes.map((c) => c.summary)).toEqual([
      'added s3:PutObject on <secret:BackupBucketArn>',
    ]);
    expect(JSON.stringify(result)).not.toContain('canary-hidden-bucket');
  });

  it('shows a live Sid that holds the secret as its placeholder', () => {
    const secret = new SecretValue('TenantExternalId', sha256Hex(CANARY_EXTERNAL_ID));
    const expected = policy(trustStatement(VENDOR, { Condition: externalId(secret) }));
    const live = policy(
      trustStatement(VENDOR, {
        Sid: CANARY_EXTERNAL_ID,
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    );

    const result = comparePolicies(expected, live, { kind: 'trust' });

    expect(result.changes.map((c) => c.statement.sid)).toContain('<secret:TenantExternalId>');
    expect(JSON.stringify(result)).not.toContain(CANARY_EXTERNAL_ID);
  });

  it('never shows a clear external ID from plain documents, on either side', () => {
    const expected = policy(trustStatement(VENDOR, { Condition: externalId(CANARY_EXTERNAL_ID) }));
    const live = policy(
      trustStatement(VENDOR, {
        Condition: externalId([CANARY_EXTERNAL_ID, `${CANARY_EXTERNAL_ID}2`]),
      }),
      trustStatement('444455556666', { Condition: externalId(CANARY_EXTERNAL_ID) }),
    );

    const result = comparePolicies(expected, live, { kind: 'trust' });

    expect(result.direction).toBe('widened');
    expect(JSON.stringify(result)).not.toContain(CANARY_EXTERNAL_ID);
    expect(JSON.stringify(result)).toContain('<secret:sts:ExternalId>');
  });

  describe('with unknown values in the expected document', () => {
    it('is undecidable for a principal known only after deploy, naming its source', () => {
      const account = new UnknownValue('Custom::VendorLookup.AccountId', 'a custom resource');
      const expected = policy(trustStatement(account));
      const live = policy(trustStatement(VENDOR));

      const result = comparePolicies(expected, live, { kind: 'trust' });

      expect(result.direction).toBe('unknown');
      expect(result.reason).toBe('not verifiable: depends on Custom::VendorLookup.AccountId');
      expect(result.changes).toHaveLength(1);
      expect(result.changes[0]).toMatchObject({ direction: 'unknown', element: 'Principal' });
    });

    it('is undecidable when the whole statement list is unknown', () => {
      const expected = { Version: '2012-10-17', Statement: new UnknownValue('Fn::If IsProd', 'c') };

      const result = comparePolicies(expected, policy(statement()));

      expect(result).toMatchObject({ equivalent: false, direction: 'unknown' });
      expect(result.reason).toBe('not verifiable: depends on Fn::If IsProd');
    });

    it('still decides what does not touch the unknown', () => {
      const bucket = new UnknownValue('Custom::Bucket.Arn', 'a custom resource');
      const expected = policy(
        statement({ Action: 's3:GetObject', Resource: bucket }),
        statement({ Action: 'logs:PutLogEvents', Resource: '*' }),
      );
      const live = policy(
        statement({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::data' }),
        statement({ Action: ['logs:PutLogEvents', 'logs:DeleteLogGroup'], Resource: '*' }),
      );

      const result = comparePolicies(expected, live);

      expect(result.direction).toBe('widened');
      expect(result.changes.map((c) => [c.direction, c.summary])).toEqual([
        [
          'unknown',
          'could not verify s3:GetObject on arn:aws:s3:::data in statement 0: not verifiable: depends on Custom::Bucket.Arn',
        ],
        ['widened', 'added logs:DeleteLogGroup on *'],
      ]);
    });

    it('covers an unknown resource by a live wildcard', () => {
      const bucket = new UnknownValue('Custom::Bucket.Arn', 'a custom resource');
      const expected = policy(statement({ Action: 's3:GetObject', Resource: bucket }));
      const live = policy(statement({ Action: 's3:GetObject', Resource: '*' }));

      const result = comparePolicies(expected, live);

      expect(result.direction).toBe('unknown');
      expect(result.changes.every((c) => c.direction === 'unknown')).toBe(true);
    });
  });

  describe('with an action catalogue', () => {
    const catalogue = catalogueFromMap({
      s3: ['GetObject', 'GetObjectAcl', 'PutObject', 'DeleteObject', 'ListBucket'],
    });

    it('takes a list of every matching action as equal to the wildcard', () => {
      const expected = policy(statement({ Action: 's3:Get*' }));
      const live = policy(statement({ Action: ['s3:GetObject', 's3:GetObjectAcl'] }));

      expect(comparePolicies(expected, live, { catalogue }).equivalent).toBe(true);
      expect(comparePolicies(expected, live).direction).toBe('narrowed');
    });

    it('names the actions a new wildcard grants that were not granted', () => {
      const expected = policy(statement({ Action: ['s3:GetObject', 's3:PutObject'] }));
      const live = policy(statement({ Action: 's3:*Object' }));

      const result = comparePolicies(expected, live, { catalogue });

      expect(result.changes.map((c) => c.summary)).toEqual([
        'added s3:*Object on * (granting s3:DeleteObject)',
      ]);
    });
  });

  it('reports a Version change as undecidable where policy variables are used', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
    const home = 'arn:aws:s3:::home/${aws:username}/*';
    const expected = policy(statement({ Action: 's3:*', Resource: home }));
    const live = { Statement: [statement({ Action: 's3:*', Resource: home })] };

    const result = comparePolicies(expected, live);

    expect(result.changes[0]).toEqual({
      direction: 'unknown',
      statement: { index: -1, sid: null },
      element: 'Version',
      before: '2012-10-17',
      after: null,
      summary:
        'Version changed from 2012-10-17 to none: policy variables are read differently under the two Versions',
    });
  });

  it('finds 2008-10-17 and no Version alike, as both read policy variables as text', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
    const grant = statement({ Resource: 'arn:aws:s3:::home/${aws:username}/*' });

    const result = comparePolicies(
      { Version: '2008-10-17', Statement: [grant] },
      { Statement: grant },
    );

    expect(result).toEqual({ equivalent: true, direction: 'none', changes: [] });
  });

  it('gives the statement index in the live document and in the expected one for a removal', () => {
    const expected = policy(
      statement({ Sid: 'Read', Action: 's3:GetObject' }),
      statement({ Sid: 'Logs', Action: 'logs:PutLogEvents' }),
    );
    const live = policy(
      statement({ Sid: 'Extra', Action: 'ec2:DescribeInstances' }),
      statement({ Sid: 'Read', Action: 's3:GetObject' }),
    );

    const result = comparePolicies(expected, live);

    expect(result.direction).toBe('mixed');
    expect(result.changes.map((c) => [c.direction, c.statement])).toEqual([
      ['widened', { index: 0, sid: 'Extra' }],
      ['narrowed', { index: 1, sid: 'Logs' }],
    ]);
  });

  it('shows an element turned into its Not form as null on the side that lacks it', () => {
    const expected = policy(statement({ Action: 's3:GetObject' }));
    const live = policy(statement({ Action: undefined, NotAction: 's3:GetObject' }));

    const result = comparePolicies(expected, live);

    expect(result.changes.map((c) => [c.direction, c.element, c.before, c.after])).toEqual([
      ['narrowed', 'Action', 's3:GetObject', null],
      ['widened', 'NotAction', null, 's3:GetObject'],
    ]);
  });

  it('reports a condition value replaced by another as one mixed change', () => {
    const mfa = (value: string) => ({ Bool: { 'aws:MultiFactorAuthPresent': value } });
    const expected = policy(statement({ Condition: mfa('true') }));
    const live = policy(statement({ Condition: mfa('false') }));

    const result = comparePolicies(expected, live);

    expect(result.direction).toBe('mixed');
    expect(result.changes).toEqual([
      {
        direction: 'mixed',
        statement: { index: 0, sid: null },
        element: 'Condition',
        before: mfa('true'),
        after: mfa('false'),
        summary: 'changed condition aws:MultiFactorAuthPresent from true to false',
      },
    ]);
  });

  it('names the live statement of a condition changed both ways in a Deny that moved', () => {
    const mfa = (value: string) => ({ Bool: { 'aws:MultiFactorAuthPresent': value } });
    const deny = (value: string) =>
      statement({
        Sid: 'NoDelete',
        Effect: 'Deny',
        Action: 's3:DeleteObject',
        Condition: mfa(value),
      });
    const expected = policy(deny('false'));
    const live = policy(statement({ Sid: 'Read' }), deny('true'));

    const result = comparePolicies(expected, live);

    expect(result.changes).toContainEqual(
      expect.objectContaining({
        direction: 'mixed',
        statement: { index: 1, sid: 'NoDelete' },
        summary: 'changed condition aws:MultiFactorAuthPresent of the deny from false to true',
      }),
    );
  });

  it('reads the expected and live documents from URL-encoded text', () => {
    const document = policy(statement());
    const encoded = encodeURIComponent(JSON.stringify(document));

    expect(comparePolicies(encoded, document).equivalent).toBe(true);
  });

  it('refuses a trust policy statement that names no principal', () => {
    const expected = policy(trustStatement(VENDOR));
    const live = policy(statement({ Action: 'sts:AssumeRole' }));

    expect(() => comparePolicies(expected, live, { kind: 'trust' })).toThrow(
      'live policy: Statement[0]: expected a Principal or NotPrincipal element in a trust policy statement, received neither.',
    );
  });

  it('throws a PolicyError naming the side when a document cannot be read', () => {
    expect(() => comparePolicies(policy(statement()), { Statement: [], Extra: 1 })).toThrow(
      'live policy: unknown top-level element "Extra": expected Version, Id or Statement.',
    );
  });
});
