/**
 * The IAM adapter: every IAM call the functions and the CLI make goes through here, so tests
 * have one seam. Documents come back from IAM URL-encoded; this adapter decodes them into
 * objects. Every list follows all of its pages. Every call takes an optional abort signal:
 * once it fires, the call stops where it is (a request in flight, a retry's wait, the next
 * page) and rejects with the SDK's AbortError.
 */
import {
  type AttachedPolicy,
  type EntityType,
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  type Policy,
  type PolicyVersion,
  paginateListAttachedRolePolicies,
  paginateListEntitiesForPolicy,
  paginateListPolicyVersions,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
} from '@aws-sdk/client-iam';
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';
import { type ClientSettings, clientConfig, explainSetupErrors, isNotFound } from './clients';

/**
 * A policy document IAM returned that is not one: bad URL encoding, not JSON (or encoded
 * twice), empty, or JSON that is not an object. The message never quotes the document, which
 * may hold a secret. A SyntaxError, as JSON.parse throws, so callers that tell unreadable
 * documents apart by that class still do.
 */
export class PolicyDocumentError extends SyntaxError {
  override readonly name = 'PolicyDocumentError';
}

/**
 * Decodes a policy document as IAM returns it (URL-encoded JSON) into an object; undefined
 * when there is none. Throws {@link PolicyDocumentError} when it cannot be read as a policy.
 */
export function decodeIamDocument(encoded: string | undefined): unknown {
  if (encoded === undefined) return undefined;
  let text = encoded;
  if (!encoded.trimStart().startsWith('{')) {
    try {
      text = decodeURIComponent(encoded);
    } catch {
      throw new PolicyDocumentError('the policy document is not valid URL encoding');
    }
  }
  if (text.trim() === '') throw new PolicyDocumentError('the policy document is empty');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new PolicyDocumentError('the policy document is not JSON (or is URL-encoded twice)');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    const shape =
      document === null ? 'null' : Array.isArray(document) ? 'an array' : typeof document;
    throw new PolicyDocumentError(`the policy document is JSON ${shape}, not an object`);
  }
  return document;
}

/**
 * The SDK's adaptive retries, tuned for IAM: its quota is per account and steady, so after a
 * throttle the client slows by a tenth (the SDK's default is three tenths) and climbs back to
 * the rate that was throttled within about a second. Throttled calls are still retried with the
 * SDK's backoff. Against a stand-in that throttles above 20 requests a second, a 1200-call check
 * runs within 1.1x of the time the quota allows (scripts/bench/drift.mjs).
 */
export function iamRetryStrategy(maxAttempts: number): AdaptiveRetryStrategy {
  const rateLimiter = new DefaultRateLimiter({ beta: 0.9, scaleConstant: 4 });
  // A number, not a provider: given options, the SDK's strategy ignores a provider function
  // and falls back to 3 attempts.
  return new AdaptiveRetryStrategy(maxAttempts, { rateLimiter });
}

/** Options of one adapter call. */
export interface CallOptions {
  /** Aborts the call, and its retries and further pages, when it fires. */
  abortSignal?: AbortSignal;
}

export interface PolicyEntities {
  roles: string[];
  users: string[];
  groups: string[];
}

export class IamAdapter {
  /** Calls made through this adapter, by IAM operation name; for benchmarks and tests. */
  readonly calls = new Map<string, number>();

  constructor(readonly client: IAMClient = explainSetupErrors(new IAMClient(clientConfig()))) {}

  static create(settings: ClientSettings = {}): IamAdapter {
    const config = clientConfig(settings);
    const client = new IAMClient({
      ...config,
      retryStrategy: iamRetryStrategy(config.maxAttempts),
    });
    return new IamAdapter(explainSetupErrors(client));
  }

  /** The role, or null when no role has that name. */
  async getRole(roleName: string, options: CallOptions = {}): Promise<Role | null> {
    try {
      const out = await this.call('GetRole', () =>
        this.client.send(new GetRoleCommand({ RoleName: roleName }), ...sendOptions(options)),
      );
      return out.Role ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Names of the role's inline policies. */
  async listRolePolicyNames(roleName: string, options: CallOptions = {}): Promise<string[]> {
    const names: string[] = [];
    const input = { RoleName: roleName };
    const pages = paginateListRolePolicies({ client: this.client }, input, ...sendOptions(options));
    for await (const page of pages) {
      this.count('ListRolePolicies');
      names.push(...(page.PolicyNames ?? []));
    }
    return names;
  }

  /** An inline policy's decoded document, or null when it does not exist. */
  async getRolePolicy(
    roleName: string,
    policyName: string,
    options: CallOptions = {},
  ): Promise<unknown | null> {
    try {
      const cmd = new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName });
      const out = await this.call('GetRolePolicy', () =>
        this.client.send(cmd, ...sendOptions(options)),
      );
      return decodeIamDocument(out.PolicyDocument) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The managed policies attached to a role. */
  async listAttachedRolePolicies(
    roleName: string,
    options: CallOptions = {},
  ): Promise<AttachedPolicy[]> {
    const out: AttachedPolicy[] = [];
    const pages = paginateListAttachedRolePolicies(
      { client: this.client },
      { RoleName: roleName },
      ...sendOptions(options),
    );
    for await (const page of pages) {
      this.count('ListAttachedRolePolicies');
      out.push(...(page.AttachedPolicies ?? []));
    }
    return out;
  }

  /** A managed policy's metadata, or null when no policy has that ARN. */
  async getPolicy(policyArn: string, options: CallOptions = {}): Promise<Policy | null> {
    try {
      const out = await this.call('GetPolicy', () =>
        this.client.send(new GetPolicyCommand({ PolicyArn: policyArn }), ...sendOptions(options)),
      );
      return out.Policy ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The decoded document of one version of a managed policy. */
  async getPolicyVersionDocument(
    policyArn: string,
    versionId: string,
    options: CallOptions = {},
  ): Promise<unknown> {
    const cmd = new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId });
    const out = await this.call('GetPolicyVersion', () =>
      this.client.send(cmd, ...sendOptions(options)),
    );
    return decodeIamDocument(out.PolicyVersion?.Document);
  }

  /** Every role, user and group a managed policy is attached to, by name. */
  async listEntitiesForPolicy(
    policyArn: string,
    options: CallOptions = {},
  ): Promise<PolicyEntities> {
    const entities: PolicyEntities = { roles: [], users: [], groups: [] };
    const pages = paginateListEntitiesForPolicy(
      { client: this.client },
      { PolicyArn: policyArn },
      ...sendOptions(options),
    );
    for await (const page of pages) {
      this.count('ListEntitiesForPolicy');
      entities.roles.push(...(page.PolicyRoles ?? []).map((r) => r.RoleName ?? ''));
      entities.users.push(...(page.PolicyUsers ?? []).map((u) => u.UserName ?? ''));
      entities.groups.push(...(page.PolicyGroups ?? []).map((g) => g.GroupName ?? ''));
    }
    return entities;
  }

  /**
   * All pages of GetAccountAuthorizationDetails for the given entity types, concatenated. Its
   * documents are left as IAM sent them; decode them with {@link decodeIamDocument}.
   */
  async getAccountAuthorizationDetails(
    filter: EntityType[],
    options: CallOptions = {},
  ): Promise<GetAccountAuthorizationDetailsCommandOutput[]> {
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    const keep = (page: GetAccountAuthorizationDetailsCommandOutput) => {
      pages.push(page);
    };
    await this.eachAccountAuthorizationDetailsPage(filter, keep, undefined, options);
    return pages;
  }

  /**
   * Follows every page of GetAccountAuthorizationDetails, handing each to `onPage` as it
   * arrives so a caller can keep only what it needs from a large account. `maxItems` (IAM
   * allows up to 1000) sets the page size.
   */
  async eachAccountAuthorizationDetailsPage(
    filter: EntityType[],
    onPage: (page: GetAccountAuthorizationDetailsCommandOutput) => void,
    maxItems?: number,
    options: CallOptions = {},
  ): Promise<number> {
    let marker: string | undefined;
    let pages = 0;
    do {
      const cmd = new GetAccountAuthorizationDetailsCommand({
        Filter: filter,
        Marker: marker,
        MaxItems: maxItems,
      });
      const page = await this.call('GetAccountAuthorizationDetails', () =>
        this.client.send(cmd, ...sendOptions(options)),
      );
      pages += 1;
      onPage(page);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return pages;
  }

  /** IAM's account summary (entity counts and quotas), e.g. `Roles`, `Policies`. */
  async getAccountSummary(options: CallOptions = {}): Promise<Record<string, number>> {
    const out = await this.call('GetAccountSummary', () =>
      this.client.send(new GetAccountSummaryCommand({}), ...sendOptions(options)),
    );
    return { ...(out.SummaryMap ?? {}) } as Record<string, number>;
  }

  /** Every role under a path prefix (`/` for all), with its settings but not its tags. */
  async listRoles(pathPrefix = '/', pageSize?: number, options: CallOptions = {}): Promise<Role[]> {
    const roles: Role[] = [];
    const pages = paginateListRoles(
      { client: this.client, pageSize },
      { PathPrefix: pathPrefix },
      ...sendOptions(options),
    );
    for await (const page of pages) {
      this.count('ListRoles');
      roles.push(...(page.Roles ?? []));
    }
    return roles;
  }

  /** Every version of a managed policy, without documents. */
  async listPolicyVersions(policyArn: string, options: CallOptions = {}): Promise<PolicyVersion[]> {
    const versions: PolicyVersion[] = [];
    const pages = paginateListPolicyVersions(
      { client: this.client },
      { PolicyArn: policyArn },
      ...sendOptions(options),
    );
    for await (const page of pages) {
      this.count('ListPolicyVersions');
      versions.push(...(page.Versions ?? []));
    }
    return versions;
  }

  private count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    this.count(operation);
    return request();
  }
}

/**
 * The SDK's options argument for a call: none without a signal, so a call made without one is
 * sent exactly as before.
 */
function sendOptions(options: CallOptions): [] | [{ abortSignal: AbortSignal }] {
  return options.abortSignal === undefined ? [] : [{ abortSignal: options.abortSignal }];
}
