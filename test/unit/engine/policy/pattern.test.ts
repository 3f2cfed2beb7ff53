import {
  arnCovers,
  arnsIntersect,
  hasVariable,
  patternCovers,
  patternsIntersect,
} from '../../../../functions/engine/policy/pattern';

describe('patternCovers', () => {
  it.each([
    ['s3:get*', 's3:getobject', true],
    ['s3:*object', 's3:getobject', true],
    ['s3:*object', 's3:get*', false],
    ['s3:get*', 's3:get*acl', true],
    ['arn:aws:s3:::backups-*', 'arn:aws:s3:::backups-2024', true],
    ['arn:aws:s3:::backups-*', 'arn:aws:s3:::backup', false],
    ['arn:aws:s3:::b-????', 'arn:aws:s3:::b-2024', true],
    ['arn:aws:s3:::b-????', 'arn:aws:s3:::b-20245', false],
    ['arn:aws:s3:::b-????', 'arn:aws:s3:::b-20?4', true],
    ['arn:aws:s3:::b-?*', 'arn:aws:s3:::b-*', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'a*c', false],
    ['*', 'anything at all', true],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });

  it('treats a policy variable as any text inside, covered only by * or itself', () => {
    const home = 'arn:aws:s3:::home/$' + '{aws:username}/*';

    expect(patternCovers('arn:aws:s3:::home/*', home)).toBe(true);
    expect(patternCovers(home, 'arn:aws:s3:::home/alice/x')).toBe(false);
    expect(patternCovers(home, home)).toBe(true);
    expect(patternCovers(home, home, { variables: true, innerVariables: false })).toBe(false);
  });

  it('reads the escapes of *, ? and $ as the literal characters', () => {
    const literalStar = 'arn:aws:s3:::a$' + '{*}b';

    expect(patternCovers(literalStar, 'arn:aws:s3:::axb')).toBe(false);
    expect(patternCovers(literalStar, 'arn:aws:s3:::a*b')).toBe(false);
    expect(patternCovers('arn:aws:s3:::a*b', literalStar)).toBe(true);
  });

  it('compares exactly when wildcards are off', () => {
    expect(patternCovers('a*', 'abc', { wildcards: false })).toBe(false);
    expect(patternCovers('a*', 'a*', { wildcards: false })).toBe(true);
  });
});

describe('patternsIntersect', () => {
  it.each([
    ['s3:get*', 's3:*object', true],
    ['s3:get*', 's3:put*', false],
    ['iam:*', 's3:*', false],
    ['*', 'x', true],
    ['a?c', 'abc', true],
    ['a?c', 'abbc', false],
  ])('%s and %s meet: %s', (a, b, expected) => {
    expect(patternsIntersect(a, b)).toBe(expected);
  });
});

describe('ARN patterns', () => {
  const group = 'arn:aws:logs:eu-west-1:111122223333:log-group';

  it.each([
    [
      'segments',
      'arn:aws:sns:*:111122223333:alerts',
      'arn:aws:sns:eu-west-1:111122223333:alerts',
      true,
    ],
    ['segments', 'arn:aws:sns:eu-*-1:1:alerts', 'arn:aws:sns:eu-west-1:2:x-1:1:alerts', false],
    ['segments', 'arn:aws:logs:*', `${group}:app`, false],
    ['segments', `${group}:a*p:*`, `${group}:a:b:p:log-stream:x`, true],
    ['segments', `${group}:app-?`, `${group}:app-:`, true],
    ['segments', '*', `${group}:app`, false],
    ['segment-ends', 'arn:aws:logs:*', `${group}:app`, true],
    ['segment-ends', `${group}:a*p:*`, `${group}:a:b:p:log-stream:x`, false],
    ['segment-ends', `${group}:app*`, `${group}:app:log-stream:x`, true],
    ['segment-ends', `${group}:app-?`, `${group}:app-:`, false],
    ['segment-ends', 'arn:aws:sns:eu-*-1:1:alerts', 'arn:aws:sns:eu-west-1:2:x-1:1:alerts', false],
  ] as const)('under %s, %s covers %s: %s', (arn, outer, inner, expected) => {
    expect(patternCovers(outer, inner, { arn })).toBe(expected);
  });

  it('keeps a * that may not cross colons from covering one that may, or a variable', () => {
    const home = `${group}:\${aws:username}x`;

    expect(patternCovers(`${group}:a*x`, `${group}:a*`, { arn: 'segment-ends' })).toBe(false);
    expect(patternCovers(`${group}:a*x`, `${group}:a?x`, { arn: 'segment-ends' })).toBe(true);
    expect(patternCovers(`${group}:*x`, home, { arn: 'segment-ends' })).toBe(false);
  });

  it.each([
    ['*', `${group}:app:log-stream:x`, 'yes'],
    [`${group}:app:*`, `${group}:app:log-stream:x`, 'yes'],
    ['arn:aws:logs:*', `${group}:app`, 'unknown'],
    [`${group}:a*p`, `${group}:a:p`, 'unknown'],
    [
      'arn:aws:logs:eu-*1:111122223333:log-group:app',
      'arn:aws:logs:eu:2:1:111122223333:log-group:app',
      'no',
    ],
    [`${group}:app`, '*', 'no'],
    ['arn:aws:s3*:::backups/*', 'arn:aws:s3:::backups/x', 'unknown'],
    ['arn:aws:s3*:::backups/*', 'arn:aws:s3*:::backups/*', 'yes'],
  ] as const)('as Resources, %s covers %s: %s', (outer, inner, expected) => {
    expect(arnCovers(outer, inner)).toBe(expected);
  });

  it.each([
    ['*', `${group}:app`, 'yes'],
    [`${group}:app:*`, `${group}:*:log-stream:x`, 'yes'],
    ['arn:aws:logs:eu-*:alerts', 'arn:aws:logs:eu-west-1:1:alerts', 'unknown'],
    ['arn:aws:logs:eu-?1:1:a', 'arn:aws:logs:eu-:1:1:a', 'no'],
    ['arn:aws:*:eu-west-1:1:a', 'arn:aws:sns:eu-west-1:1:a', 'unknown'],
  ] as const)('as Resources, %s and %s meet: %s', (a, b, expected) => {
    expect(arnsIntersect(a, b)).toBe(expected);
  });
});

describe('hasVariable', () => {
  it('finds policy variables but not the escapes', () => {
    expect(hasVariable('home/$' + '{aws:username}')).toBe(true);
    expect(hasVariable('a$' + '{*}')).toBe(false);
    expect(hasVariable('plain')).toBe(false);
  });
});
