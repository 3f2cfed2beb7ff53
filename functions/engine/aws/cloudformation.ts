/**
 * The CloudFormation adapter: every CloudFormation call the functions and the CLI make goes
 * through here. It reads one stack (status, parameters, tags, processed template, resources)
 * and the account's exports, following every page.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListExports,
  paginateListStackResources,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { ConnectorGuardError } from '../errors';
import { type ClientSettings, clientConfig, explainSetupErrors } from './clients';

/** The stack could not be found under the name or ID given. */
export class StackNotFoundError extends ConnectorGuardError {}

/** What a check needs to know about a stack. */
export interface StackDescription {
  stackId: string;
  stackName: string;
  status: string;
  statusReason: string | null;
  /** Parameter values as CloudFormation reports them; NoEcho ones are `****`. */
  parameters: Record<string, string>;
  tags: Record<string, string>;
  notificationArns: string[];
  creationTime: Date | null;
  lastUpdatedTime: Date | null;
  /** Account and region, taken from the stack ID. */
  account: string;
  region: string;
  partition: string;
}

/** One resource of a stack, as ListStackResources reports it. */
export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
  lastUpdated?: Date;
}

export class CloudFormationAdapter {
  /** Calls made through this adapter, by operation name; for benchmarks and tests. */
  readonly calls = new Map<string, number>();

  constructor(
    readonly client: CloudFormationClient = explainSetupErrors(
      new CloudFormationClient(clientConfig()),
    ),
  ) {}

  static create(settings: ClientSettings = {}): CloudFormationAdapter {
    return new CloudFormationAdapter(
      explainSetupErrors(new CloudFormationClient(clientConfig(settings))),
    );
  }

  /** The stack, or a {@link StackNotFoundError} naming what was asked for. */
  async describeStack(nameOrId: string): Promise<StackDescription> {
    let stack: Stack | undefined;
    try {
      this.count('DescribeStacks');
      const out = await this.client.send(new DescribeStacksCommand({ StackName: nameOrId }));
      stack = out.Stacks?.[0];
    } catch (error) {
      if (isMissingStack(error)) throw missing(nameOrId, await this.region(), error);
      throw error;
    }
    if (stack?.StackId === undefined) throw missing(nameOrId, await this.region(), undefined);
    return describe(stack);
  }

  /** The template after every transform was applied, as the text CloudFormation holds. */
  async getProcessedTemplate(nameOrId: string): Promise<string> {
    this.count('GetTemplate');
    const cmd = new GetTemplateCommand({ StackName: nameOrId, TemplateStage: 'Processed' });
    const out = await this.client.send(cmd);
    const body: unknown = out.TemplateBody;
    if (typeof body === 'string') return body;
    return JSON.stringify(body ?? {});
  }

  /**
   * Every resource of the stack, with physical IDs and last-updated times; a
   * {@link StackNotFoundError} when there is no such stack.
   */
  async listStackResources(nameOrId: string): Promise<StackResource[]> {
    const resources: StackResource[] = [];
    const pages = paginateListStackResources({ client: this.client }, { StackName: nameOrId });
    try {
      for await (const page of pages) {
        this.count('ListStackResources');
        for (const r of page.StackResourceSummaries ?? []) resources.push(resourceOf(r));
      }
    } catch (error) {
      if (isMissingStack(error)) {
        throw missing(nameOrId, await this.region(), error, 'ListStackResources');
      }
      throw error;
    }
    return resources;
  }

  /** Every export of the account in this region, by name. */
  async listExports(): Promise<Record<string, string>> {
    const exports: Record<string, string> = {};
    for await (const page of paginateListExports({ client: this.client }, {})) {
      this.count('ListExports');
      for (const e of page.Exports ?? []) {
        if (e.Name !== undefined && e.Value !== undefined) exports[e.Name] = e.Value;
      }
    }
    return exports;
  }

  /** The region this adapter's client calls, or undefined when it has none. */
  private async region(): Promise<string | undefined> {
    try {
      return await this.client.config.region();
    } catch {
      return undefined;
    }
  }

  private count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }
}

function describe(stack: Stack): StackDescription {
  const stackId = stack.StackId ?? '';
  const [, partition = 'aws', , region = '', account = ''] = stackId.split(':');
  const parameters: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey !== undefined) {
      parameters[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? '';
    }
  }
  const tags: Record<string, string> = {};
  for (const t of stack.Tags ?? []) {
    if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  }
  return {
    stackId,
    stackName: stack.StackName ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason ?? null,
    parameters,
    tags,
    notificationArns: stack.NotificationARNs ?? [],
    creationTime: stack.CreationTime ?? null,
    lastUpdatedTime: stack.LastUpdatedTime ?? null,
    account,
    region,
    partition,
  };
}

function resourceOf(r: StackResourceSummary): StackResource {
  return {
    logicalId: r.LogicalResourceId ?? '',
    physicalId: r.PhysicalResourceId ?? '',
    type: r.ResourceType ?? '',
    status: r.ResourceStatus ?? '',
    lastUpdated: r.LastUpdatedTimestamp,
  };
}

function isMissingStack(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | null;
  return e?.name === 'ValidationError' && /does not exist/i.test(e.message ?? '');
}

/**
 * The error for a stack CloudFormation does not know, naming the region searched and the
 * account when a stack ID gives it (a name alone leaves it to the credentials used).
 */
function missing(
  nameOrId: string,
  region: string | undefined,
  cause: unknown,
  operation = 'DescribeStacks',
) {
  const account = /^arn:[\w-]+:cloudformation:[\w-]*:(\d{12}):/.exec(nameOrId)?.[1];
  const whose =
    account === undefined ? 'the account of the credentials used' : `account ${account}`;
  const where =
    region === undefined ? 'in this account and region' : `in region ${region} of ${whose}`;
  return new StackNotFoundError(
    `Stack "${nameOrId}": expected an existing CloudFormation stack ${where}, and ${operation} ` +
      'found none there (a stack is found only in the region it was created in).',
    { cause, context: { stack: nameOrId, region, account } },
  );
}
