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
    [{ Records: [] }, /Records: expected at least one SNS record, received none/],
  ])('refuses a payload that cannot be answered at all: %j', (payload, why) => {
    expect(() => readInvocation(payload)).toThrow(UnanswerableEventError);
    expect(() => readInvocation(payload)).toThrow(why);
  });

  it('keeps each SNS record it cannot answer apart from those it can', () => {
    const payload = snsWrapped(buildEvent({ RequestId: 'one' }), buildEvent({ RequestId: 'two' }));
    const records = payload.Records as { Sns: Record<string, unknown> }[];
    records[0].Sns.Message = '{not json';
    records.push({ Sns: {} }, { Sns: { Message: '{"RequestType":"Create"}' } });

    const requests = readInvocation(payload);

    expect(requests.map((r) => r.kind)).toEqual([
      'unanswerable',
      'request',
      'unanswerable',
      'unanswerable',
    ]);
    expect(requests[0]).toMatchObject({
      problem: expect.stringMatching(/Records\[0\].* not JSON/),
    });
    expect(requests[2]).toMatchObject({ problem: expect.stringMatching(/received nothing/) });
    expect(requests[3]).toMatchObject({ problem: expect.stringMatching(/^ResponseURL: /) });
  });

  it('quotes a received text only when it is short printable ASCII', () => {
    const [control] = readInvocation(buildEvent({ RequestType: '\u001b]0;pwn\u0007\u202eX' }));
    const [quote] = readInvocation(buildEvent({ RequestType: 'say "hi"' }));

    expect(control).toMatchObject({
      request: { problem: expect.stringMatching(/received a string of 10 characters\.$/) },
    });
    expect(quote).toMatchObject({
      request: { problem: expect.stringMatching(/received "say \\"hi\\""\.$/) },
    });
  });

  it('reads a Delete whatever its properties hold', () => {
    const [request] = readInvocation(
      buildEvent({ RequestType: 'Delete', ResourceProperties: 'not an object' }),
    );

    expect(request).toMatchObject({ kind: 'request', event: { RequestType: 'Delete' } });
  });
});
