/**
 * What every part of a comparison shares: the input, the findings and coverage gathered so far,
 * how secrets are named and masked, and the judgements (is a live document what was promised,
 * how much does a grant weigh) that turn a difference into a finding or a `check-incomplete`.
 */
import { describeError } from '../errors';
import { comparePolicies, type PolicyComparison } from '../policy';
import type { PromisedRole } from '../template/types';
import type { UnknownValue } from '../values';
import { type AdminJudgement, judgeAdmin } from './admin';
import type { CompareInput, CompareResult } from './compare';
import { type FindingDraft, finding, findingDirection, grantSeverity } from './findings';
import { isUnreadable, type LiveRole } from './live-state';
import {
  externalIdsIn,
  maskDocument,
  placeholderFor,
  redactValues,
  SecretDigests,
  type SecretNames,
  secretsIn,
  undigestedAsUnknown,
  unknownSources,
} from './redact';
import { runnableCommands } from './remediation';
import type { Coverage, ResourceRef } from './types';

export const EMPTY_POLICY = { Version: '2012-10-17', Statement: [] };
export const ROLE = 'AWS::IAM::Role';
export const MANAGED = 'AWS::IAM::ManagedPolicy';

export type Verdict =
  | { outcome: 'same' }
  | { outcome: 'incomplete'; reason: string }
  | { outcome: 'drift'; comparison: PolicyComparison };

export class ComparisonContext {
  readonly drafts: FindingDraft[] = [];
  readonly coverage: Coverage = { checked: [], notChecked: [] };
  readonly names: SecretNames;
  /** Clear external IDs seen live that no parameter names: redacted from every output. */
  readonly liveSecrets = new Set<string>();
  /** Other live values never to be shown, each with what stands in its place. */
  private readonly hidden = new Map<string, string>();

  constructor(readonly input: CompareInput) {
    const plain: Record<string, string> = { 'AWS::AccountId': input.accountId };
    for (const [k, v] of Object.entries(input.parameters)) {
      if (typeof v === 'string' && v !== '****') plain[k] = v;
    }
    const secrets = [
      ...input.promised.roles.flatMap((r) => secretsIn(r.trustPolicy)),
      ...input.promised.roles.flatMap((r) =>
        r.inlinePolicies.flatMap((p) => secretsIn(p.document)),
      ),
    ];
    this.names = { secrets, plain };
  }

  /**
   * The findings so far, with every clear secret seen live replaced by its placeholder, and
   * remediation commands that run as they are (see {@link runnableCommands}).
   */
  result(): CompareResult {
    const findings = this.drafts.map((d) => finding(this.input.stack, d));
    const replacements = new Map<string, string>(this.hidden);
    for (const clear of this.liveSecrets) {
      if (!Object.values(this.names.plain).includes(clear)) {
        replacements.set(clear, placeholderFor(clear, this.names));
      }
    }
    const redacted = this.digests()
      .mask(redactValues(findings, replacements))
      .map((f) => ({
        ...f,
        remediation: runnableCommands(f.remediation),
      }));
    return { findings: redacted, coverage: this.coverage };
  }

  /** The secrets' digests: those handed over, and those of the template's own secrets. */
  digests(): SecretDigests {
    const digests: Record<string, string> = {};
    for (const secret of this.names.secrets) {
      if (secret.sha256 !== undefined) digests[secret.parameter] = secret.sha256;
    }
    return new SecretDigests({ ...digests, ...this.input.secretDigests }, this.input.foldedDigests);
  }

  /** Decides whether a live document matches the promise, or why that cannot be known. */
  judge(expected: unknown, live: unknown, kind: 'trust' | 'permissions'): Verdict {
    if (live === undefined || live === null)
      return { outcome: 'incomplete', reason: 'has no document to compare' };
    if (isUnreadable(live))
      return { outcome: 'incomplete', reason: `was not read (${live.reason})` };
    for (const clear of externalIdsIn(live)) this.liveSecrets.add(clear);
    const comparable = undigestedAsUnknown(expected);
    let comparison: PolicyComparison;
    try {
      comparison = comparePolicies(comparable, live, { kind });
    } catch (error) {
      return { outcome: 'incomplete', reason: `could not be compared: ${describeError(error)}` };
    }
    if (comparison.equivalent || comparison.direction === 'none') return { outcome: 'same' };
    const sources = unknownSources(comparable);
    if (comparison.direction === 'unknown' && sources.size > 0) {
      const reason = comparison.reason ?? `not verifiable: depends on ${[...sources].join(', ')}`;
      const hint = supplyHint(sources);
      return { outcome: 'incomplete', reason: `cannot be verified offline (${reason})${hint}` };
    }
    return { outcome: 'drift', comparison };
  }

  /**
   * Whether a grant is admin-equivalent for the roles holding it (see `admin.ts`); the
   * partition is taken from a holder's ARN.
   */
  isAdmin(document: unknown, arn?: string, holders: string[] = []): boolean {
    return this.adminJudgement(document, arn, holders).admin;
  }

  /** {@link isAdmin}, with a note when it was judged conservatively (see `admin.ts`). */
  adminJudgement(document: unknown, arn?: string, holders: string[] = []): AdminJudgement {
    const partition = /^arn:([\w-]+):/.exec(holders[0] ?? '')?.[1] ?? 'aws';
    return judgeAdmin(document, arn, { account: this.input.accountId, partition, holders });
  }

  /** How a grant that should not be there weighs: direction, severity, changes. */
  grantOf(document: unknown, arn?: string, holders: string[] = []) {
    const judgement = this.adminJudgement(document, arn, holders);
    const admin = judgement.admin;
    const noted = (text: string) =>
      judgement.note === undefined ? text : `${text} (${judgement.note})`;
    if (document === undefined || document === null || isUnreadable(document)) {
      return {
        admin,
        severity: admin ? ('CRITICAL' as const) : ('HIGH' as const),
        direction: 'unknown' as const,
        changes: [],
        text: admin ? 'an AWS administrator policy' : 'its document could not be read',
      };
    }
    const verdict = this.judge(EMPTY_POLICY, document, 'permissions');
    const direction =
      verdict.outcome === 'drift'
        ? verdict.comparison.direction
        : verdict.outcome === 'same'
          ? 'none'
          : 'unknown';
    return {
      admin,
      severity: direction === 'none' ? ('LOW' as const) : grantSeverity(direction, admin),
      direction: findingDirection(direction),
      changes: verdict.outcome === 'drift' ? verdict.comparison.changes : [],
      text: noted(verdict.outcome === 'drift' ? changeText(verdict.comparison) : 'grants nothing'),
    };
  }

  policyDocument(arn: string): unknown {
    const stack = this.input.promised.managedPolicies.find((p) => p.arn === arn);
    if (stack !== undefined) return stack.document;
    const live = this.input.live.policies.get(arn);
    if (live === null || live === undefined || isUnreadable(live) || isUnreadable(live.document))
      return undefined;
    return live.document;
  }

  expectedManaged(role: PromisedRole): (string | UnknownValue)[] {
    const out: (string | UnknownValue)[] = role.managedPolicyArns.map((a) => a.arn);
    for (const policy of this.input.promised.managedPolicies) {
      const names = policy.attachedTo.roles;
      const named = names.some((n) => n === role.name);
      if (named && !out.includes(policy.arn)) out.push(policy.arn);
    }
    return out;
  }

  /** Keeps a live value out of every finding, `placeholder` standing in its place. */
  hide(clear: string, placeholder: string): void {
    this.hidden.set(clear, placeholder);
  }

  masked(document: unknown): unknown {
    return maskDocument(document, this.names);
  }

  maskedLive(document: unknown): unknown {
    return maskDocument(document, this.names, this.liveSecrets);
  }

  add(draft: FindingDraft): void {
    this.drafts.push(draft);
  }

  incomplete(ref: ResourceRef, concern: string, reason: string): void {
    this.add({
      kind: 'check-incomplete',
      severity: 'MEDIUM',
      direction: null,
      resource: ref,
      concern,
      summary: `Not checked: ${reason}.`,
      expected: null,
      actual: { reason },
    });
  }

  checked(ref: ResourceRef): void {
    this.coverage.checked.push({ type: ref.type, logicalId: ref.logicalId ?? '', name: ref.name });
  }

  notChecked(
    ref: { type: string; logicalId: string | null; name: string | null },
    reason: string,
  ): void {
    this.coverage.notChecked.push({
      resource: { type: ref.type, logicalId: ref.logicalId ?? '', name: ref.name },
      reason,
    });
  }
}

/** The finding resource for a role, with the live ARN when there is one. */
export function roleRef(role: PromisedRole, live: LiveRole | null): ResourceRef {
  return {
    type: ROLE,
    logicalId: role.logicalId,
    name: typeof role.name === 'string' ? role.name : null,
    arn: live?.arn ?? (typeof role.arn === 'string' ? role.arn : null),
  };
}

/** `depends on <source> (<reason>)`, for summaries. */
export function unknownText(value: UnknownValue): string {
  return `depends on ${value.source} (${value.reason})`;
}

/**
 * A comparison's direction as a finding's summary says it: `mixed` (some change widens and
 * another narrows, or one change does both) reads `widened and narrowed`.
 */
export function directionText(direction: PolicyComparison['direction']): string {
  return direction === 'mixed' ? 'widened and narrowed' : direction;
}

/** The first three change summaries of a comparison, and how many more. */
export function changeText(comparison: PolicyComparison): string {
  if (comparison.changes.length === 0) return comparison.reason ?? 'the documents differ';
  const shown = comparison.changes.slice(0, 3).map((c) => c.summary);
  const more = comparison.changes.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** How removing a whole document moves the grant: narrowed, or widened when it denied. */
export function removalDirection(document: unknown) {
  try {
    const d = comparePolicies(undigestedAsUnknown(document), EMPTY_POLICY).direction;
    return findingDirection(d === 'none' ? 'narrowed' : d);
  } catch {
    return 'unknown' as const;
  }
}

/** The tags whose values are known. */
export function knownTags(tags: Record<string, string | UnknownValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Entity names for output, an unknown one as its placeholder. */
export function plainNames(names: (string | UnknownValue)[]): string[] {
  return names.map((n) => (typeof n === 'string' ? n : n.toJSON()));
}

/**
 * Which input of an offline check supplies what `sources` stand for, as a clause to append;
 * empty when none does (a custom resource's attribute is known only once it exists).
 */
function supplyHint(sources: Set<string>): string {
  const flags = new Set<string>();
  for (const source of sources) {
    if (source === 'AWS::StackId' || source.startsWith('Ref ')) {
      flags.add("--resources ('aws cloudformation describe-stack-resources' output)");
    } else if (source.startsWith('Fn::ImportValue ')) {
      flags.add("--exports ('aws cloudformation list-exports' output)");
    } else if (source.startsWith('parameter ')) {
      flags.add('the clear value in --params, or --external-id-sha256 for the external ID');
    }
  }
  return flags.size === 0 ? '' : `; give ${[...flags].join(' and ')} to check it`;
}
