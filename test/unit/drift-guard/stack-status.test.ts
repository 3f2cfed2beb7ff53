/**
 * What a scheduled run does in each stack status: it waits while an operation is under way,
 * skips a stack with nothing deployed, and in a failed status that did not settle it checks as
 * usual and says so in a finding of its own, never staying silent.
 */
import { MemoryTable } from '../engine/drift/run-builders';
import { cleanExport, invoke, role, serve } from './stack-world';

// biome-ignore lint/suspicious/noExplicitAny: the export is free-form JSON
type Json = any;

/** The clean export with an administrator policy attached to the API role. */
function withAdmin(): Json {
  const exported = cleanExport();
  role(exported, 'api').AttachedManagedPolicies.push({
    PolicyName: 'AdministratorAccess',
    PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  });
  return exported;
}

const IN_PROGRESS = [
  'CREATE_IN_PROGRESS',
  'ROLLBACK_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_ROLLBACK_IN_PROGRESS',
];
const FAILED = [
  'CREATE_FAILED',
  'ROLLBACK_FAILED',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_FAILED',
  'DELETE_FAILED',
];
const SETTLED = [
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
];

const sent = (messages: Json[]) =>
  messages.flatMap((m) => JSON.parse(JSON.parse(m.Message).sqs).findings);

describe('a scheduled run by stack status', () => {
  it.each(IN_PROGRESS)('waits while the stack is %s, sending nothing', async (status) => {
    serve(withAdmin(), { status });

    const { result, messages } = await invoke({ action: 'check' });

    expect(result.status).toBe('skipped-busy-stack');
    expect(messages).toEqual([]);
  });

  it.each(['DELETE_COMPLETE', 'ROLLBACK_COMPLETE'])(
    'skips a stack %s, which has no roles',
    async (status) => {
      serve(withAdmin(), { status });

      const { result } = await invoke({ action: 'check' });

      expect(result.status).toBe('skipped-busy-stack');
    },
  );

  it.each(SETTLED)('checks a stack %s and sends its drift alone', async (status) => {
    serve(withAdmin(), { status });

    const { result, messages } = await invoke({ action: 'check' });

    expect(result.status).toBe('notified');
    expect(sent(messages).map((f: Json) => f.kind)).toEqual(['managed-policy-attached']);
  });

  it.each(FAILED)(
    'checks a stack %s and sends its drift with a finding naming the status',
    async (status) => {
      serve(withAdmin(), { status });

      const { result, messages } = await invoke({ action: 'check' });

      expect(result.status).toBe('notified');
      const findings = sent(messages);
      expect(findings.map((f: Json) => f.kind).sort()).toEqual([
        'check-incomplete',
        'managed-policy-attached',
      ]);
      const stack = findings.find((f: Json) => f.kind === 'check-incomplete');
      expect(stack.resource).toMatchObject({
        type: 'AWS::CloudFormation::Stack',
        name: 'acme-connector',
      });
      expect(stack.summary).toContain(`stack acme-connector is ${status}: `);
      expect(stack.summary).toContain('a difference may come from the failed operation');
    },
  );

  it('says the failed status in every message, also one that carries only a new drift', async () => {
    const table = new MemoryTable();
    serve(withAdmin(), { status: 'UPDATE_ROLLBACK_FAILED' });
    await invoke({ action: 'check' }, table, 'run-1');
    const more = withAdmin();
    role(more, 'scanner').RolePolicyList.push({
      PolicyName: 'added',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] },
    });

    serve(more, { status: 'UPDATE_ROLLBACK_FAILED' });
    const { result, messages } = await invoke({ action: 'check' }, table, 'run-2');

    expect(result.notices).toEqual({ new: 1, changed: 0, reminder: 0, resolved: 0 });
    const bodies = JSON.parse(messages[0]?.Message ?? '{}');
    expect(JSON.parse(bodies.sqs).stackStatus).toEqual({
      status: 'UPDATE_ROLLBACK_FAILED',
      note: expect.stringContaining('stack acme-connector is UPDATE_ROLLBACK_FAILED: '),
    });
    expect(bodies.email).toContain('stack acme-connector is UPDATE_ROLLBACK_FAILED: ');
  });

  it('keeps reminding of open findings while the stack stays UPDATE_ROLLBACK_FAILED, and resolves the status finding once it settles', async () => {
    const table = new MemoryTable();
    serve(withAdmin(), { status: 'UPDATE_ROLLBACK_FAILED' });
    await invoke({ action: 'check' }, table, 'run-1');
    for (const item of table.bySortKey('finding#')) {
      item.lastSentAt = new Date(Date.now() - 48 * 3_600_000).toISOString();
    }

    serve(withAdmin(), { status: 'UPDATE_ROLLBACK_FAILED' });
    const stuck = await invoke({ action: 'check' }, table, 'run-2');
    serve(withAdmin(), { status: 'UPDATE_ROLLBACK_COMPLETE' });
    const settled = await invoke({ action: 'check' }, table, 'run-3');

    expect(stuck.result.notices).toEqual({ new: 0, changed: 0, reminder: 2, resolved: 0 });
    expect(settled.result.notices).toEqual({ new: 0, changed: 0, reminder: 0, resolved: 1 });
  });
});
