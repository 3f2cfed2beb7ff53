/**
 * Reads the live IAM state of exactly the roles and policies a stack promises. Two ways, chosen
 * by which costs fewer calls for the stack at hand: per-role reads (GetRole, ListRolePolicies,
 * GetRolePolicy, ListAttachedRolePolicies; GetPolicy, GetPolicyVersion, ListEntitiesForPolicy
 * and ListPolicyVersions for the stack's policies), or the account's
 * GetAccountAuthorizationDetails (roles and local policies, every page) with ListRoles for the
 * one setting it lacks, the maximum session duration. Either way, the document of every policy
 * whose attachment changed (attached beyond the plan, detached from it, a changed boundary) is
 * read too, to judge what the change grants or takes away. Nothing here throws for a read that
 * failed: it becomes an {@link Unreadable} with the reason, and the comparison turns that into
 * a `check-incomplete` finding.
 */
import type { GetAccountAuthorizationDetailsCommandOutput, Role } from '@aws-sdk/client-iam';
import { isAccessDenied, isThrottled } from '../aws/clients';
import { decodeIamDocument, type IamAdapter } from '../aws/iam';
import { describeError } from '../errors';
import type { Log } from '../log';
import {
  type AttachedPolicyRef,
  isUnreadable,
  type LiveIamState,
  type LivePolicy,
  type LivePolicyVersion,
  type LiveRole,
  Unreadable,
} from './live-state';
import { createLimiter, mapPool } from './pool';

/** What to read: the promised roles by name, and the stack's own managed policies by ARN. */
export interface ReadPlan {
  roles: {
    name: string;
    path: string;
    expectedInline: number;
    /** Managed policy ARNs the role should have; anything else attached is judged. */
    expectedManaged: string[];
    boundary: string | null;
  }[];
  stackPolicyArns: string[];
}

export interface ReadOptions {
  mode?: 'auto' | 'per-role' | 'account';
  /** IAM calls in flight at once, whatever asks for them; 6 by default. */
  concurrency?: number;
  /** Page size of the account-wide reads; IAM's maximum, 1000, by default. */
  pageSize?: number;
  log?: Log;
}

/** GetAccountAuthorizationDetails and ListRoles page size (IAM's maximum). */
const PAGE_SIZE = 1000;

/** Below this many per-role calls, asking for the account summary is not worth a call. */
const SUMMARY_THRESHOLD = 12;

const DEFAULT_CONCURRENCY = 6;

const ACCOUNT_READ_FAILED =
  'the account-wide read (iam:GetAccountAuthorizationDetails) failed, so IAM is read role by ' +
  'role instead: more calls, the same comparison';

/**
 * Calls a per-role read makes for this plan, each list assumed to fit one page and each stack
 * policy to hold one version.
 */
export function estimatePerRoleCalls(plan: ReadPlan): number {
  const roles = plan.roles.reduce((sum, r) => sum + 3 + r.expectedInline, 0);
  return roles + plan.stackPolicyArns.length * 4;
}

/** Calls an account-wide read makes for an account holding `roles` roles and `policies` local policies. */
export function estimateAccountCalls(roles: number, policies: number): number {
  return Math.ceil((roles + policies + 1) / PAGE_SIZE) + Math.ceil((roles + 1) / PAGE_SIZE);
}

/** Reads the live state for `plan`; see the module comment for how the mode is chosen. */
export async function readLiveState(
  iam: IamAdapter,
  plan: ReadPlan,
  options: ReadOptions = {},
): Promise<LiveIamState> {
  const reader = new Reader(iam, plan, options);
  const mode = await reader.chooseMode(options.mode ?? 'auto');
  if (mode === 'account') {
    const state = await reader.readAccount();
    if (state !== null) return state;
  }
  return reader.readPerRole();
}

class Reader {
  private readonly concurrency: number;
  /** Every IAM call of a read goes through this, so a role with many policies cannot flood. */
  private readonly slot: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(
    private readonly iam: IamAdapter,
    private readonly plan: ReadPlan,
    private readonly options: ReadOptions,
  ) {
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.slot = createLimiter(this.concurrency);
  }

  async chooseMode(asked: 'auto' | 'per-role' | 'account'): Promise<'per-role' | 'account'> {
    if (asked !== 'auto') return asked;
    const perRole = estimatePerRoleCalls(this.plan);
    if (perRole <= SUMMARY_THRESHOLD) return 'per-role';
    try {
      const summary = await this.iam.getAccountSummary();
      const account = estimateAccountCalls(summary.Roles ?? 0, summary.Policies ?? 0);
      const mode = account < perRole ? 'account' : 'per-role';
      this.options.log?.debug('read mode chosen', { mode, perRoleCalls: perRole, account });
      return mode;
    } catch (error) {
      const message = 'the account summary could not be read, so IAM is read role by role';
      this.options.log?.warn(message, { error: describeError(error) });
      return 'per-role';
    }
  }

  async readPerRole(): Promise<LiveIamState> {
    const state: LiveIamState = { mode: 'per-role', roles: new Map(), policies: new Map() };
    const names = this.plan.roles.map((r) => r.name);
    const roles = await mapPool(names, this.concurrency, (name) => this.readRole(name));
    names.forEach((name, i) => {
      state.roles.set(name, roles[i] ?? null);
    });

    const arns = this.plan.stackPolicyArns;
    const policies = await mapPool(arns, this.concurrency, (arn) => this.readPolicy(arn, true));
    arns.forEach((arn, i) => {
      state.policies.set(arn, policies[i] ?? null);
    });

    await this.readExtras(state, new Map());
    return state;
  }

  /** The account-wide read, or null when it was refused (the caller falls back to per-role). */
  async readAccount(): Promise<LiveIamState | null> {
    const wanted = new Set(this.plan.roles.map((r) => r.name));
    const stackPolicies = new Set(this.plan.stackPolicyArns);
    const roles = new Map<string, LiveRole>();
    const roleAttachments = new Map<string, string[]>();
    const local = new Map<string, LocalPolicy>();

    try {
      await this.iam.eachAccountAuthorizationDetailsPage(
        ['Role', 'LocalManagedPolicy'],
        (page) => collectPage(page, { wanted, stackPolicies, roles, roleAttachments, local }),
        this.options.pageSize ?? PAGE_SIZE,
      );
    } catch (error) {
      this.options.log?.warn(ACCOUNT_READ_FAILED, { error: describeError(error) });
      return null;
    }

    const state: LiveIamState = { mode: 'account', roles: new Map(), policies: new Map() };
    await this.fillSessionDurations(roles);
    for (const name of wanted) state.roles.set(name, roles.get(name) ?? null);

    for (const arn of this.plan.stackPolicyArns) {
      const found = local.get(arn);
      if (found === undefined) {
        // Every local policy is in the account's details: one absent from them is gone.
        state.policies.set(arn, null);
        continue;
      }
      state.policies.set(arn, await this.localPolicy(found, roleAttachments.get(arn) ?? []));
    }

    await this.readExtras(state, local);
    return state;
  }

  private async fillSessionDurations(roles: Map<string, LiveRole>): Promise<void> {
    if (roles.size === 0) return;
    const prefix = commonPath(this.plan.roles.map((r) => r.path));
    let listed: Role[];
    try {
      listed = await this.iam.listRoles(prefix, this.options.pageSize ?? PAGE_SIZE);
    } catch (error) {
      // ListRoles cannot be scoped to the stack's roles; GetRole can, one call a role.
      const message = 'iam:ListRoles failed, so session durations are read role by role';
      this.options.log?.warn(message, { error: describeError(error) });
      await mapPool([...roles.values()], this.concurrency, async (role) => {
        const found = await this.attempt(() => this.iam.getRole(role.name));
        role.maxSessionDuration = isUnreadable(found)
          ? found
          : (found?.MaxSessionDuration ?? new Unreadable(`role ${role.name} vanished while read`));
      });
      return;
    }
    const byName = new Map(listed.map((r) => [r.RoleName ?? '', r]));
    for (const role of roles.values()) {
      const duration = byName.get(role.name)?.MaxSessionDuration;
      role.maxSessionDuration =
        duration ?? new Unreadable(`iam:ListRoles did not list role ${role.name}`);
    }
  }

  private async localPolicy(found: LocalPolicy, roles: string[]): Promise<LivePolicy> {
    const policy = found.policy;
    const direct = found.attachmentCount - roles.length;
    if (direct <= 0) {
      policy.attachedTo = { roles, users: [], groups: [] };
      return policy;
    }
    try {
      policy.attachedTo = await this.slot(() => this.iam.listEntitiesForPolicy(policy.arn));
    } catch (error) {
      policy.attachedTo = new Unreadable(reasonOf(error));
    }
    return policy;
  }

  /**
   * Reads the grant of every policy attached beyond the plan or detached from it (removing one
   * that holds a Deny widens), and of changed boundaries.
   */
  private async readExtras(state: LiveIamState, local: Map<string, LocalPolicy>): Promise<void> {
    const extras = new Set<string>();
    for (const planned of this.plan.roles) {
      const role = state.roles.get(planned.name);
      if (role === null || role === undefined || isUnreadable(role)) continue;
      if (!isUnreadable(role.attachedPolicies)) {
        const attached = role.attachedPolicies.map((a) => a.arn);
        for (const arn of attached) if (!planned.expectedManaged.includes(arn)) extras.add(arn);
        for (const arn of planned.expectedManaged) if (!attached.includes(arn)) extras.add(arn);
      }
      if (role.permissionsBoundaryArn !== planned.boundary) {
        if (role.permissionsBoundaryArn !== null) extras.add(role.permissionsBoundaryArn);
        if (planned.boundary !== null) extras.add(planned.boundary);
      }
    }
    for (const arn of state.policies.keys()) extras.delete(arn);

    const pending: string[] = [];
    for (const arn of extras) {
      const found = local.get(arn);
      if (found !== undefined) state.policies.set(arn, found.policy);
      else pending.push(arn);
    }
    const read = await mapPool(pending, this.concurrency, (arn) => this.readPolicy(arn, false));
    pending.forEach((arn, i) => {
      state.policies.set(arn, read[i] ?? null);
    });
  }

  private async readRole(name: string): Promise<LiveRole | null | Unreadable> {
    let role: Role | null;
    try {
      role = await this.slot(() => this.iam.getRole(name));
    } catch (error) {
      return new Unreadable(reasonOf(error));
    }
    if (role === null) return null;

    const [inline, attached] = await Promise.all([
      this.readInline(name),
      this.attempt(() => this.iam.listAttachedRolePolicies(name)),
    ]);
    return {
      ...roleBasics(role),
      maxSessionDuration: role.MaxSessionDuration ?? 3600,
      inlinePolicies: inline,
      attachedPolicies: isUnreadable(attached)
        ? attached
        : attached.map((a) => ({ arn: a.PolicyArn ?? '', name: a.PolicyName ?? '' })),
    };
  }

  private async readInline(role: string): Promise<Map<string, unknown> | Unreadable> {
    const names = await this.attempt(() => this.iam.listRolePolicyNames(role));
    if (isUnreadable(names)) return names;
    const docs = await Promise.all(
      names.map((policy) => this.attempt(() => this.iam.getRolePolicy(role, policy))),
    );
    const out = new Map<string, unknown>();
    names.forEach((policy, i) => {
      const doc = docs[i];
      // A policy deleted between the list and the read is gone: leave it out.
      if (doc !== null) out.set(policy, doc);
    });
    return out;
  }

  /**
   * A managed policy's default document; for a stack policy (`ofStack`) also every entity it is
   * attached to and every version, so a remediation can set back a version that matches.
   */
  private async readPolicy(arn: string, ofStack: boolean) {
    const meta = await this.attempt(() => this.iam.getPolicy(arn));
    if (meta === null || isUnreadable(meta)) return meta;
    const versionId = meta.DefaultVersionId ?? 'v1';
    const [document, attachedTo, versions] = await Promise.all([
      this.attempt(() => this.iam.getPolicyVersionDocument(arn, versionId)),
      ofStack ? this.attempt(() => this.iam.listEntitiesForPolicy(arn)) : Promise.resolve(null),
      ofStack ? this.readVersions(arn, versionId) : Promise.resolve(null),
    ]);
    const policy: LivePolicy = {
      arn,
      name: meta.PolicyName ?? arn.split('/').pop() ?? arn,
      path: meta.Path ?? '/',
      defaultVersionId: versionId,
      document,
      versions,
      attachedTo,
    };
    return policy;
  }

  /**
   * Every version of a policy, with the documents of those not default (the default one is
   * read on its own). Versions only serve remediation: when they cannot be read, null.
   */
  private async readVersions(arn: string, defaultId: string): Promise<LivePolicyVersion[] | null> {
    const listed = await this.attempt(() => this.iam.listPolicyVersions(arn));
    if (isUnreadable(listed)) return null;
    return Promise.all(
      listed.map(async (v) => {
        const versionId = v.VersionId ?? '';
        const isDefault = v.IsDefaultVersion === true || versionId === defaultId;
        const document = isDefault
          ? undefined
          : await this.attempt(() => this.iam.getPolicyVersionDocument(arn, versionId));
        return {
          versionId,
          isDefault,
          createDate: v.CreateDate ?? null,
          document: isUnreadable(document) ? undefined : document,
        };
      }),
    );
  }

  private async attempt<T>(read: () => Promise<T>): Promise<T | Unreadable> {
    try {
      return await this.slot(read);
    } catch (error) {
      return new Unreadable(reasonOf(error));
    }
  }
}

interface LocalPolicy {
  policy: LivePolicy;
  attachmentCount: number;
}

interface PageSinks {
  wanted: Set<string>;
  stackPolicies: Set<string>;
  roles: Map<string, LiveRole>;
  roleAttachments: Map<string, string[]>;
  local: Map<string, LocalPolicy>;
}

/** Keeps from one page only the wanted roles, stack-policy attachments and local policies. */
function collectPage(page: GetAccountAuthorizationDetailsCommandOutput, sinks: PageSinks): void {
  for (const detail of page.RoleDetailList ?? []) {
    const name = detail.RoleName ?? '';
    for (const a of detail.AttachedManagedPolicies ?? []) {
      if (a.PolicyArn !== undefined && sinks.stackPolicies.has(a.PolicyArn)) {
        const list = sinks.roleAttachments.get(a.PolicyArn) ?? [];
        list.push(name);
        sinks.roleAttachments.set(a.PolicyArn, list);
      }
    }
    if (!sinks.wanted.has(name)) continue;
    sinks.roles.set(name, roleFromDetail(detail));
  }
  for (const p of page.Policies ?? []) {
    if (p.Arn === undefined) continue;
    const keepAll = sinks.stackPolicies.has(p.Arn);
    const versions: LivePolicyVersion[] = (p.PolicyVersionList ?? []).map((v) => ({
      versionId: v.VersionId ?? '',
      isDefault: v.IsDefaultVersion === true,
      createDate: v.CreateDate ?? null,
      document: keepAll || v.IsDefaultVersion ? readDocument(v.Document) : undefined,
    }));
    const defaultDocument = versions.find((v) => v.isDefault)?.document;
    // Versions serve remediation only: one that cannot be read offers no document.
    for (const v of versions) if (isUnreadable(v.document)) v.document = undefined;
    sinks.local.set(p.Arn, {
      attachmentCount: p.AttachmentCount ?? 0,
      policy: {
        arn: p.Arn,
        name: p.PolicyName ?? p.Arn.split('/').pop() ?? p.Arn,
        path: p.Path ?? '/',
        defaultVersionId:
          p.DefaultVersionId ?? versions.find((v) => v.isDefault)?.versionId ?? null,
        document: defaultDocument,
        versions: keepAll ? versions : null,
        attachedTo: null,
      },
    });
  }
}

type RoleDetail = NonNullable<
  GetAccountAuthorizationDetailsCommandOutput['RoleDetailList']
>[number];

function roleFromDetail(detail: RoleDetail): LiveRole {
  const inline = new Map<string, unknown>();
  for (const p of detail.RolePolicyList ?? []) {
    const name = p.PolicyName;
    if (name === undefined) continue;
    inline.set(name, readDocument(p.PolicyDocument));
  }
  const attached: AttachedPolicyRef[] = (detail.AttachedManagedPolicies ?? []).map((a) => ({
    arn: a.PolicyArn ?? '',
    name: a.PolicyName ?? '',
  }));
  return {
    ...roleBasics(detail),
    maxSessionDuration: new Unreadable('not yet read'),
    inlinePolicies: inline,
    attachedPolicies: attached,
  };
}

/** The fields GetRole and GetAccountAuthorizationDetails share. */
export function roleBasics(role: Role | RoleDetail) {
  const tags: Record<string, string> = {};
  for (const t of role.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return {
    name: role.RoleName ?? '',
    arn: role.Arn ?? '',
    roleId: role.RoleId ?? '',
    path: role.Path ?? '/',
    createDate: role.CreateDate ?? null,
    trustPolicy: readDocument(role.AssumeRolePolicyDocument),
    permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    tags,
  };
}

/**
 * A document decoded, or why it cannot be: one document IAM returned unreadable is a
 * `check-incomplete` for it alone, and the rest is checked as usual.
 */
function readDocument(encoded: string | undefined): unknown {
  try {
    return decodeIamDocument(encoded);
  } catch (error) {
    return new Unreadable(reasonOf(error));
  }
}

/** The longest path prefix every promised role shares, `/` at least. */
function commonPath(paths: string[]): string {
  if (paths.length === 0) return '/';
  let prefix = paths[0] ?? '/';
  for (const path of paths) {
    while (!path.startsWith(prefix))
      prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  }
  return prefix || '/';
}

/**
 * Why something could not be read, as the cause alone: a finding puts it after naming what
 * could not be read, so the reason does not say that again.
 */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isAccessDenied(error)) return `access denied: ${message}`;
  if (isThrottled(error)) return "IAM was still throttling after the SDK's retries";
  return describeError(error);
}
