/**
 * One drift check: read the stack, resolve its template into the promised IAM state, read the
 * live state of exactly those roles and policies, and compare. `runCheck` does it live through
 * the CloudFormation and IAM adapters; `checkOffline` does it from files (a template, its
 * parameters, an account export), with the same comparison.
 */

import { partitionOf } from '../aws/clients';
import type { CloudFormationAdapter } from '../aws/cloudformation';
import type { IamAdapter } from '../aws/iam';
import { describeError } from '../errors';
import { type Log, registerSecret } from '../log';
import { parseTemplate, promisedState } from '../template';
import type { PromisedIamState, StackContext, TemplateDocument } from '../template/types';
import { sha256Hex } from '../values';
import { compareState } from './compare';
import { type ReadPlan, readLiveState } from './live-read';
import type { LiveIamState } from './live-state';
import { notCompared } from './not-compared';
import {
  InputProblems,
  offlineStack,
  parseExports,
  parseParameters,
  parseResources,
  parseRoleList,
  refuseUndeclared,
} from './offline-inputs';
import { SecretDigests } from './redact';
import { checkSnapshotShape, readSnapshot } from './snapshot';
import { failedStatusFinding, skipReason } from './stack-status';
import type { CheckReport } from './types';

export interface CheckDeps {
  iam: IamAdapter;
  cloudformation: CloudFormationAdapter;
  log?: Log;
  now?: () => Date;
}

export interface CheckOptions {
  /** The stack's name or ID. */
  stack: string;
  /** SHA-256 hex digest of the external ID (see {@link externalIdParameter}). */
  externalIdSha256?: string;
  /**
   * SHA-256 hex digest of the external ID lower-cased: with it, a copy of the external ID in
   * other capitals is masked too.
   */
  externalIdFoldedSha256?: string;
  /** Digests of other NoEcho parameters, by parameter name. */
  secretDigests?: Record<string, string>;
  /**
   * Clear values a user supplied (the CLI's `--params`): those of NoEcho parameters are hashed
   * and registered with the log scrubber, the rest ignored; none is kept or shown.
   */
  secretValues?: Record<string, string>;
  /** Where `secretValues` came from (a file name), for the error naming one not declared. */
  secretValuesSource?: string;
  /** How to read IAM; `auto` picks whichever costs fewer calls. */
  readMode?: 'auto' | 'per-role' | 'account';
}

/** The name of the external-ID parameter in the product's template. */
const EXTERNAL_ID_PARAMETER = 'TenantExternalId';

/**
 * Checks a deployed stack against its own template.
 *
 * @example
 * const report = await runCheck(
 *   { iam: IamAdapter.create(), cloudformation: CloudFormationAdapter.create() },
 *   { stack: process.env.STACK_ID, externalIdSha256: process.env.EXTERNAL_ID_SHA256 },
 * );
 */
export async function runCheck(deps: CheckDeps, options: CheckOptions): Promise<CheckReport> {
  const now = deps.now ?? (() => new Date());
  const stack = await deps.cloudformation.describeStack(options.stack);
  const base = {
    stack: stack.stackName,
    account: stack.account,
    region: stack.region,
    checkedAt: now().toISOString(),
  };
  const skipped = skipReason(stack);
  if (skipped !== null) {
    deps.log?.info('check skipped', { stack: stack.stackName, status: stack.status });
    return {
      ...base,
      skipped: { reason: skipped, stackStatus: stack.status },
      findings: [],
      coverage: { checked: [], notChecked: [] },
    };
  }

  const [templateText, resources] = await Promise.all([
    deps.cloudformation.getProcessedTemplate(stack.stackId),
    deps.cloudformation.listStackResources(stack.stackId),
  ]);
  const exports = usesImports(templateText) ? await readExports(deps) : undefined;
  const doc = parseTemplate(templateText, `stack ${stack.stackName}`, { origin: 'processed' });
  if (options.secretValues !== undefined) {
    const where = options.secretValuesSource ?? 'secretValues';
    refuseUndeclared(Object.keys(options.secretValues), declaredParameters(doc), where);
  }
  for (const [key, value] of Object.entries(stack.parameters)) {
    if (isNoEcho(doc, key) && value !== '****') registerSecret(value);
  }
  const secretDigests = digestsFor(doc, options);
  const foldedDigests = foldedFor(doc, options.secretValues ?? {}, options.externalIdFoldedSha256);
  const guard = new SecretDigests(secretDigests, foldedDigests);
  const log = deps.log === undefined ? undefined : guard.guardLog(deps.log);
  const ctx: StackContext = {
    accountId: stack.account,
    region: stack.region,
    partition: stack.partition,
    stackName: stack.stackName,
    stackId: stack.stackId,
    notificationArns: stack.notificationArns,
    parameters: stack.parameters,
    secretDigests,
    resources,
    exports,
  };
  const promised = promisedState(doc, ctx);
  const live = await readLiveState(deps.iam, readPlan(promised), {
    mode: options.readMode ?? 'auto',
    log,
  });

  const { findings, coverage } = compareState({
    stack: stack.stackName,
    promised,
    live,
    parameters: maskSecrets(doc, stack.parameters),
    secretDigests,
    foldedDigests,
    accountId: stack.account,
    stackTags: stack.tags,
  });
  coverage.notChecked.push(...notCompared(doc, ctx, listedIn(promised)));
  const failed = failedStatusFinding(stack);
  if (failed !== null) findings.unshift(failed);
  const report = guard.mask({ ...base, findings, coverage });
  logCheck(log, report, live.mode, deps.iam.calls);
  return report;
}

function logCheck(
  log: Log | undefined,
  report: CheckReport,
  mode: string,
  calls: Map<string, number>,
): void {
  log?.info('check complete', {
    stack: report.stack,
    mode,
    findings: report.findings.length,
    iamCalls: Object.fromEntries(calls),
  });
  for (const f of report.findings) {
    log?.info('finding', {
      role: f.resource.name,
      logicalId: f.resource.logicalId,
      kind: f.kind,
      severity: f.severity,
      id: f.id,
    });
  }
}

/** The inputs of an offline check, as read from files (parsed JSON, template text). */
export interface OfflineInput {
  templateText: string;
  /** CloudFormation's `[{ParameterKey, ParameterValue}]` list, or a plain map. */
  parameters: unknown;
  /** `aws iam get-account-authorization-details` output (CLI or raw API form). */
  snapshot: unknown;
  /** `aws iam list-roles` output: the maximum session durations the export lacks. */
  roles?: unknown;
  /** `aws cloudformation describe-stack-resources` or `list-stack-resources` output. */
  resources?: unknown;
  /** `aws cloudformation list-exports` output, or a plain map. */
  exports?: unknown;
  /** The stack's name; else the one in `resources`. */
  stackName?: string;
  /** SHA-256 hex digest of the external ID, for a parameters file that gives it as `****`. */
  externalIdSha256?: string;
  /** The account's 12-digit ID; else the one in the stack ID of `resources`, or in the export. */
  account?: string;
  /** The stack's region; else the one in the stack ID of `resources`, else `defaultRegion`. */
  region?: string;
  /** The region to take when nothing else names one (the CLI passes `AWS_REGION`). */
  defaultRegion?: string;
  now?: Date;
  /** File names, for error messages. */
  sources?: {
    template?: string;
    parameters?: string;
    snapshot?: string;
    roles?: string;
    resources?: string;
    exports?: string;
  };
}

/**
 * Checks a template and its parameters against an account export, without calling AWS. Clear
 * NoEcho values in the parameters are only hashed (and registered with the log scrubber), never
 * shown; a NoEcho parameter given as `****` or left out leaves what depends on it unchecked.
 * The stack's name, account and region must be given or found in the inputs (see
 * {@link offlineStack}): a guessed one would make every ARN built from it look like drift.
 */
export function checkOffline(input: OfflineInput): CheckReport {
  const { doc, parameters, ctx, durations, where } = readOfflineInputs(input);
  const promised = promisedState(doc, ctx);
  const live: LiveIamState = readSnapshot(
    input.snapshot,
    roleNames(promised),
    where.snapshot,
    readPlan(promised).stackPolicyArns,
    durations,
  );
  const secretDigests = { ...ctx.secretDigests, ...clearDigests(doc, parameters) };
  const foldedDigests = foldedFor(doc, parameters);
  const { findings, coverage } = compareState({
    stack: ctx.stackName,
    promised,
    live,
    parameters: maskSecrets(doc, parameters),
    secretDigests,
    foldedDigests,
    accountId: ctx.accountId,
  });
  coverage.notChecked.push(...notCompared(doc, ctx, listedIn(promised)));
  return new SecretDigests(secretDigests, foldedDigests).mask({
    stack: ctx.stackName,
    account: ctx.accountId,
    region: ctx.region,
    checkedAt: (input.now ?? new Date()).toISOString(),
    findings,
    coverage,
  });
}

/** The digests of the NoEcho values given in clear (offline, from a parameters file). */
function clearDigests(doc: TemplateDocument, parameters: Record<string, string | string[]>) {
  const digests: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (isNoEcho(doc, key) && typeof value === 'string' && value !== '****')
      digests[key] = sha256Hex(value);
  }
  return digests;
}

/**
 * The digests of the NoEcho values given in clear, lower-cased, so that a copy in other capitals
 * is masked too; and the external ID's folded digest when it was handed over as one.
 */
function foldedFor(
  doc: TemplateDocument,
  values: Record<string, string | string[]>,
  externalIdFolded?: string,
): Record<string, string> {
  const folded: Record<string, string> = {};
  const parameter = externalIdParameter(doc);
  if (externalIdFolded !== undefined && parameter !== undefined)
    folded[parameter] = externalIdFolded.toLowerCase();
  for (const [key, value] of Object.entries(values)) {
    if (isNoEcho(doc, key) && typeof value === 'string' && value !== '****')
      folded[key] = sha256Hex(value.toLowerCase());
  }
  return folded;
}

/**
 * Every input of an offline check read and checked, before anything is compared: each file
 * that cannot be used is named, in the order of the CLI's flags, in one InputError.
 */
function readOfflineInputs(input: OfflineInput) {
  const sources = input.sources ?? {};
  const where = {
    parameters: sources.parameters ?? 'parameters',
    snapshot: sources.snapshot ?? 'snapshot',
    roles: sources.roles ?? 'roles',
  };
  const problems = new InputProblems();
  const doc = problems.attempt(() =>
    parseTemplate(input.templateText, sources.template ?? 'template'),
  );
  const parameters = problems.attempt(() => {
    const read = parseParameters(input.parameters, where.parameters);
    if (doc !== undefined)
      refuseUndeclared(Object.keys(read), declaredParameters(doc), where.parameters);
    return read;
  });
  problems.attempt(() => checkSnapshotShape(input.snapshot, where.snapshot));
  const durations = given(input.roles, problems, (roles) => ({
    byRole: parseRoleList(roles, where.roles),
    where: where.roles,
  }));
  const resources = given(input.resources, problems, (list) =>
    parseResources(list, sources.resources ?? 'resources'),
  );
  const exports = given(input.exports, problems, (list) =>
    parseExports(list, sources.exports ?? 'exports'),
  );
  problems.throwIfAny();
  // Both are read once no problem was kept.
  const template = doc as TemplateDocument;
  const values = parameters as Record<string, string | string[]>;

  for (const [key, value] of Object.entries(values)) {
    if (isNoEcho(template, key) && typeof value === 'string') registerSecret(value);
  }
  const { stackName, account, region } = offlineStack(input, resources);
  const ctx: StackContext = {
    accountId: account,
    region,
    partition: partitionOf(region),
    stackName,
    stackId: resources?.stackId,
    parameters: values,
    secretDigests: digestsFor(template, {
      stack: stackName,
      externalIdSha256: input.externalIdSha256,
    }),
    resources: resources?.list,
    exports,
  };
  return { doc: template, parameters: values, ctx, durations, where };
}

/** An optional input read by `read`, its error kept among `problems`. */
function given<T>(value: unknown, problems: InputProblems, read: (value: unknown) => T) {
  return value === undefined ? undefined : problems.attempt(() => read(value));
}

/** What to read live for a promised state. */
export function readPlan(promised: PromisedIamState): ReadPlan {
  const stackPolicyArns = promised.managedPolicies
    .map((p) => p.arn)
    .filter((a): a is string => typeof a === 'string');
  const roles = promised.roles
    .filter((r) => typeof r.name === 'string')
    .map((r) => {
      const expectedManaged = r.managedPolicyArns
        .map((a) => a.arn)
        .filter((a): a is string => typeof a === 'string');
      for (const p of promised.managedPolicies) {
        if (typeof p.arn === 'string' && p.attachedTo.roles.includes(r.name))
          expectedManaged.push(p.arn);
      }
      return {
        name: r.name as string,
        path: r.path,
        expectedInline: r.inlinePolicies.length,
        expectedManaged,
        boundary: typeof r.permissionsBoundary === 'string' ? r.permissionsBoundary : null,
      };
    });
  return { roles, stackPolicyArns };
}

/** Resources the template engine already reported as not expanded. */
function listedIn(promised: PromisedIamState): Set<string> {
  return new Set(promised.notExpanded.map((n) => n.logicalId));
}

function roleNames(promised: PromisedIamState): string[] {
  return promised.roles.map((r) => r.name).filter((n): n is string => typeof n === 'string');
}

/**
 * The digest handed over for the external ID belongs to `TenantExternalId` when the template
 * has it, otherwise to its only NoEcho parameter; with several NoEcho parameters and no
 * `TenantExternalId`, digests must be given by name in `secretDigests`.
 */
export function externalIdParameter(doc: TemplateDocument): string | undefined {
  const params = doc.template.Parameters ?? {};
  if (EXTERNAL_ID_PARAMETER in params) return EXTERNAL_ID_PARAMETER;
  const noEcho = Object.keys(params).filter((k) => isNoEcho(doc, k));
  return noEcho.length === 1 ? noEcho[0] : undefined;
}

function digestsFor(doc: TemplateDocument, options: CheckOptions): Record<string, string> {
  const digests = { ...(options.secretDigests ?? {}) };
  for (const [key, value] of Object.entries(options.secretValues ?? {})) {
    if (!isNoEcho(doc, key) || value === '****' || key in digests) continue;
    registerSecret(value);
    digests[key] = sha256Hex(value);
  }
  const parameter = externalIdParameter(doc);
  if (
    options.externalIdSha256 !== undefined &&
    parameter !== undefined &&
    !(parameter in digests)
  ) {
    digests[parameter] = options.externalIdSha256.toLowerCase();
  }
  return digests;
}

function declaredParameters(doc: TemplateDocument): string[] {
  return Object.keys(doc.template.Parameters ?? {});
}

function isNoEcho(doc: TemplateDocument, key: string): boolean {
  const noEcho = doc.template.Parameters?.[key]?.NoEcho;
  return noEcho === true || String(noEcho).toLowerCase() === 'true';
}

/** Parameters for naming placeholders: NoEcho values are never kept in clear. */
function maskSecrets(doc: TemplateDocument, parameters: Record<string, string | string[]>) {
  return Object.fromEntries(Object.entries(parameters).filter(([k]) => !isNoEcho(doc, k)));
}

function usesImports(text: string): boolean {
  return /Fn::ImportValue|!ImportValue/.test(text);
}

async function readExports(deps: CheckDeps): Promise<Record<string, string> | undefined> {
  try {
    return await deps.cloudformation.listExports();
  } catch (error) {
    // Without exports, the values that import them stay unknown and come out as not checked.
    const message = "the account's exports could not be listed, so what it imports is unchecked";
    deps.log?.warn(message, { error: describeError(error) });
    return undefined;
  }
}

/** Kept here too: other commands read parameter files the same way. */
export { parseParameters } from './offline-inputs';
export { isBusy } from './stack-status';
