import { catalogueFromMap, parsePolicy, unknownActions } from '../../../../functions/engine/policy';
import { UnknownValue } from '../../../../functions/engine/values';
import { policy, statement } from './builders';

const catalogue = catalogueFromMap({ s3: ['GetObject', 'PutObject', 'DeleteObject'] });

describe('unknownActions', () => {
  it('names each action that matches nothing in the catalogue, with what is wrong', () => {
    const document = parsePolicy(
      policy(
        statement({ Sid: 'Read', Action: ['s3:GetObjekt', 's3:Gett*', 'S3:getobject'] }),
        statement({ Effect: 'Deny', NotAction: ['s3:DeleteObjekt', 'ec2:StopInstances'] }),
        statement({ Action: 'GetObject' }),
      ),
    );

    expect(unknownActions(document, catalogue)).toEqual([
      {
        statement: { index: 0, sid: 'Read' },
        element: 'Action',
        action: 's3:GetObjekt',
        problem: 'is not one of the s3 actions in the catalogue',
      },
      {
        statement: { index: 0, sid: 'Read' },
        element: 'Action',
        action: 's3:Gett*',
        problem: 'matches none of the s3 actions in the catalogue',
      },
      {
        statement: { index: 1, sid: null },
        element: 'NotAction',
        action: 'ec2:StopInstances',
        problem: 'names the service ec2, which the catalogue does not know',
      },
      {
        statement: { index: 1, sid: null },
        element: 'NotAction',
        action: 's3:DeleteObjekt',
        problem: 'is not one of the s3 actions in the catalogue',
      },
      {
        statement: { index: 2, sid: null },
        element: 'Action',
        action: 'GetObject',
        problem: 'has no service prefix (service:action)',
      },
    ]);
  });

  it('accepts wildcards that match a catalogued action, * and service wildcards', () => {
    const document = parsePolicy(
      policy(statement({ Action: ['s3:*Object', 's3:Get?bject', '*', '*:GetObject', 's3:*'] })),
    );

    expect(unknownActions(document, catalogue)).toEqual([]);
  });

  it('passes over actions not known offline', () => {
    const document = parsePolicy(
      policy(statement({ Action: new UnknownValue('Ref Actions', 'a parameter') })),
    );

    expect(unknownActions(document, catalogue)).toEqual([]);
  });
});
