import { readInvocation, UnanswerableEventError } from '../../../../functions/engine/cfn';
import { buildEvent, snsWrapped } from './events';

describe('readInvocation', () => {
  it('reads a request delivered directly', () => {
    const [request] = readInvocation(buildEvent({ RequestType: 'Update' }));

    expect(request).toMatchObject({
      kind: 'request',
      event: { RequestType: 'Update', PhysicalResourceId: 'InstallValidation-existing' },
    });
  });

  it('reads every record of an SNS delivery', () => {
    const requests = readInvocation(snsWrapped(buildEvent(), buildEvent({ RequestId: 'two' })));

    expect(requests.map((r) => (r.kind === 'request' ? r.event.RequestId : r.kind))).toEqual([
      'c7a4a1f2-0000-4000-8000-000000000001',
      'two',
    ]);
  });

  it.each([
    [{ RequestType: 'Update', StackId: '' }, 'StackId must be a non-empty string; received "".'],
    [{ RequestId: 7 }, 'RequestId must be a non-empty string; received a number.'],
    [{ ResourceProperties: ['a'] }, 'ResourceProperties must be an object; received a list.'],
    [
      { RequestType: undefined },
      'RequestType must be one of Create, Update, Delete; received nothing.',
    ],
  ])('keeps a request it can answer but not serve, with the reason: %j', (partial, problem) => {
    const [request] = readInvocation(buildEvent(partial));

    expect(request).toMatchObject({ kind: 'unservable', request: { problem } });
  });

  it.each([
    [null, /expected a CloudFormation custom-resource request, received null/],
    [[1], /received a list/],
    [{ RequestType: 'Create' }, /ResponseURL: expected the pre-signed URL/],
    [{ Records: [{ Sns: { Message: '{not json' } }] }, /Records\[0\]\.Sns\.Message: .* not JSON/],
    [{ Records: [{ Sns: {} }] }, /Records\[0\]\.Sns\.Message: .*received nothing/],
  ])('refuses a payload that cannot be answered at all: %j', (payload, why) => {
    expect(() => readInvocation(payload)).toThrow(UnanswerableEventError);
    expect(() => readInvocation(payload)).toThrow(why);
  });
});
