import {
  parseParameters,
  parseResources,
  parseRoleList,
  refuseUndeclared,
  shapeOf,
} from '../../../../functions/engine/drift/offline-inputs';
import { InputError } from '../../../../functions/engine/errors';
import { CANARY_EXTERNAL_ID } from './builders';

function messageOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('parseParameters', () => {
  it.each([
    [{ ParameterValue: CANARY_EXTERNAL_ID }, 'an object with the keys ParameterValue'],
    [{ ParameterKy: 'TenantExternalId', ParameterValue: CANARY_EXTERNAL_ID }, 'ParameterKy'],
    [{ [CANARY_EXTERNAL_ID]: 'x' }, 'an object with 1 other key(s)'],
    [CANARY_EXTERNAL_ID, 'a string'],
  ])('names a malformed entry by its index and keys, never its values (%#)', (entry, shape) => {
    const input = [{ ParameterKey: 'TenantAccountId', ParameterValue: '111122223333' }, entry];

    const message = messageOf(() => parseParameters(input, 'params.json'));

    expect(message).toContain(`params.json[1]: expected {"ParameterKey", "ParameterValue"}`);
    expect(message).toContain(shape);
    expect(message).not.toContain(CANARY_EXTERNAL_ID);
    expect(message).not.toContain(CANARY_EXTERNAL_ID.slice(0, 8));
  });

  it('names a value of the wrong type by its index and key, never the value', () => {
    const input = [{ ParameterKey: 'TenantExternalId', ParameterValue: { v: CANARY_EXTERNAL_ID } }];

    const message = messageOf(() => parseParameters(input, 'params.json'));

    expect(message).toBe(
      'params.json[0] (TenantExternalId).ParameterValue: expected a string (or a list of strings), received object.',
    );
  });
});

describe('shapeOf', () => {
  it('counts keys that are not short plain names instead of showing them', () => {
    expect(shapeOf({ ParameterKey: 1, 'has space': 2, [CANARY_EXTERNAL_ID]: 3 })).toBe(
      'an object with the keys ParameterKey and 2 other key(s)',
    );
    expect(shapeOf({})).toBe('an object with no keys');
    expect(shapeOf([1])).toBe('a list');
    expect(shapeOf(null)).toBe('null');
  });
});

describe('parseResources', () => {
  it('names a malformed resource by its index and keys', () => {
    const message = messageOf(() =>
      parseResources({ StackResources: [{ LogicalId: 'Tenant' }] }, 'resources.json'),
    );

    expect(message).toBe(
      'resources.json[0]: expected LogicalResourceId and ResourceType, received an object with the keys LogicalId.',
    );
  });
});

describe('parseRoleList', () => {
  const roles = [
    { RoleName: 'acme-tenant', MaxSessionDuration: 3600, Path: '/' },
    { RoleName: 'acme-api', MaxSessionDuration: 43200, Path: '/' },
  ];

  it('reads list-roles output, a list of its pages, or a list of roles', () => {
    const expected = new Map([
      ['acme-tenant', 3600],
      ['acme-api', 43200],
    ]);

    expect(parseRoleList({ Roles: roles }, 'roles.json')).toEqual(expected);
    expect(parseRoleList([{ Roles: [roles[0]] }, { Roles: [roles[1]] }], 'roles.json')).toEqual(
      expected,
    );
    expect(parseRoleList(roles, 'roles.json')).toEqual(expected);
  });

  it('names what is not list-roles output, and the role entry without a session duration', () => {
    expect(messageOf(() => parseRoleList({ RoleDetailList: [] }, 'roles.json'))).toBe(
      `roles.json: expected 'aws iam list-roles' output ({"Roles": [...]}), received an object with the keys RoleDetailList.`,
    );
    expect(messageOf(() => parseRoleList({ Roles: [{ RoleName: 'a' }] }, 'roles.json'))).toBe(
      'roles.json.Roles[0]: expected a role with RoleName and MaxSessionDuration, received an object with the keys RoleName.',
    );
    const asText = { Roles: [{ RoleName: 'a', MaxSessionDuration: '3600' }] };
    expect(messageOf(() => parseRoleList(asText, 'roles.json'))).toBe(
      'roles.json.Roles[0].MaxSessionDuration: expected a whole number of seconds, as list-roles writes it, received a string.',
    );
  });
});

describe('refuseUndeclared', () => {
  const declared = ['TenantAccountId', 'TenantExternalId', 'AlertMinimumSeverity'];

  it('accepts parameters the template declares', () => {
    expect(() => refuseUndeclared(['TenantExternalId'], declared, 'params.json')).not.toThrow();
  });

  it('names each undeclared parameter with the declared one it is likely a misspelling of', () => {
    const message = messageOf(() =>
      refuseUndeclared(['TenantExternalID', 'AlertMinSeverity', 'Colour'], declared, 'p.json'),
    );

    expect(message).toBe(
      'p.json: expected only parameters the template declares, received TenantExternalID ' +
        '(did you mean TenantExternalId?), AlertMinSeverity (did you mean ' +
        'AlertMinimumSeverity?), Colour; the template declares TenantAccountId, ' +
        'TenantExternalId, AlertMinimumSeverity.',
    );
  });
});
