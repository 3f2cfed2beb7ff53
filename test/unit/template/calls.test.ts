/**
 * The drift-guard role against the AWS calls the drift guard's code makes: every SDK command and
 * paginator of the adapters its handler wires up must be granted, and no action of those
 * services may be granted that the code never calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { actionMatches, permissionsOf } from './support/contract';
import { type CfnTemplate, loadTemplate, templateText } from './support/template';

const FUNCTIONS = resolve(__dirname, '../../../functions');

/** Calls the code makes only for some templates, with the reason this template needs none. */
const CONDITIONAL: Record<string, { reason: string; needed: () => boolean }> = {
  'cloudformation:ListExports': {
    reason: 'read only when the template imports values',
    needed: () => /Fn::ImportValue|!ImportValue/.test(templateText()),
  },
};

/** The adapter modules (functions/engine/aws/<name>.ts) a function's own files import. */
function adaptersOf(functionName: string): string[] {
  const dir = join(FUNCTIONS, functionName);
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const names = sources.flatMap((s) => [...s.matchAll(/from '\.\.\/engine\/aws\/(\w+)'/g)]);
  return [...new Set(names.map((m) => m[1]))].filter((n) => n !== 'clients').sort();
}

/** `service:Action` for every command and paginator an adapter module uses. */
function callsOf(adapter: string): string[] {
  const source = readFileSync(join(FUNCTIONS, 'engine/aws', `${adapter}.ts`), 'utf8');
  const service = /from '@aws-sdk\/client-([a-z0-9-]+)'/.exec(source)?.[1];
  if (service === undefined) throw new Error(`${adapter}.ts imports no AWS SDK client`);
  const commands = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]);
  const paginators = [...source.matchAll(/\bpaginate(\w+)\(/g)].map((m) => m[1]);
  return [...new Set([...commands, ...paginators])].map((name) => `${service}:${name}`).sort();
}

function grantedActions(template: CfnTemplate): string[] {
  return permissionsOf(template, 'DriftGuardRole')
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action ?? []].flat());
}

const adapters = adaptersOf('drift-guard');
const calls = adapters.flatMap(callsOf);
const services = new Set(calls.map((c) => c.split(':')[0]));

/** The calls the code makes for this template that the role does not allow. */
function missingCalls(template: CfnTemplate): string[] {
  const granted = grantedActions(template);
  return calls
    .filter((call) => CONDITIONAL[call] === undefined || CONDITIONAL[call].needed())
    .filter((call) => !granted.some((pattern) => actionMatches(pattern, call)));
}

/** The role's actions, of the services the code calls, that match no call it makes. */
function unusedGrants(template: CfnTemplate): string[] {
  return grantedActions(template)
    .filter((action) => services.has(action.split(':')[0]))
    .filter((action) => !calls.some((call) => actionMatches(action, call)));
}

function addToReadStatement(template: CfnTemplate, action: string | null, remove?: string): void {
  const statements = permissionsOf(template, 'DriftGuardRole');
  const read = statements.find((s) => s.Sid === 'ReadTheStackRoles');
  const actions = [read?.Action ?? []].flat().filter((a) => a !== remove);
  if (read !== undefined) read.Action = action === null ? actions : [...actions, action];
}

describe('the drift-guard role against the calls of the drift guard code', () => {
  let template: CfnTemplate;

  beforeEach(() => {
    template = loadTemplate();
  });

  it('finds the adapters the handler wires up and the calls they make', () => {
    expect(adapters).toEqual(['cloudformation', 'cloudtrail', 'dynamodb', 'iam', 'sns']);
    expect(calls).toEqual(expect.arrayContaining(['iam:GetRole', 'dynamodb:Query']));
  });

  it('grants every call the code makes', () => {
    expect(missingCalls(template)).toEqual([]);
  });

  it('notices a call the role no longer grants', () => {
    addToReadStatement(template, null, 'iam:GetRolePolicy');

    expect(missingCalls(template)).toEqual(['iam:GetRolePolicy']);
  });

  it('grants no action of those services that the code never calls', () => {
    expect(unusedGrants(template)).toEqual([]);
  });

  it('notices a grant the code never uses', () => {
    addToReadStatement(template, 'iam:ListRoleTags');

    expect(unusedGrants(template)).toEqual(['iam:ListRoleTags']);
  });

  it('needs none of the calls made only for other templates', () => {
    const needed = Object.entries(CONDITIONAL).filter(([, c]) => c.needed());

    expect(needed.map(([call, c]) => `${call} (${c.reason})`)).toEqual([]);
  });
});
