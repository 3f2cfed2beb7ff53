/**
 * The install validator's work for each request type: read the custom resource's properties as
 * the stack's parameters, validate them, and answer with every problem at once or with the
 * external ID's digest for the drift guard. Delete is left to the provider, which answers it
 * SUCCESS without calling anything.
 *
 * Known limitation, redelivery: a request Lambda delivers again to the same container gets the
 * answer remembered for it. In a new container it is validated afresh; the physical ID is the
 * same, and so is the status unless something outside the inputs changed in between: a role or
 * policy created or deleted in IAM, or midnight UTC passing for the Support role's date rules.
 */

import { partitionOf } from '../engine/aws/clients';
import { IamAdapter } from '../engine/aws/iam';
import {
  type CustomResourceEvent,
  type ProviderOptions,
  type RequestContext,
  RequestFailure,
  type RequestOutcome,
} from '../engine/cfn';
import { parseTemplate, type TemplateDocument } from '../engine/template';
import { type Operation, type Problem, secretsToMask, validateInstall } from '../engine/validate';
import { sha256Hex } from '../engine/values';

export interface ValidatorDependencies {
  /** The connector template's text, as bundled with the function. */
  templateText: string;
  /** The IAM adapter for the live checks; by default one with the function's credentials. */
  iam?: () => IamAdapter;
  now?: () => Date;
}

/**
 * IAM calls must leave time for the answer: few attempts, short socket timeout. When the time
 * runs out first, the provider answers FAILED and aborts the request's signal, which every IAM
 * look-up carries: the calls still running stop, and no further one starts.
 */
const IAM_SETTINGS = { maxAttempts: 3, requestTimeoutMs: 5_000 };

/**
 * The custom-resource options for the install validator. Nothing here runs until a request
 * arrives, so loading the template or building a client can fail only inside the provider's
 * guarded path, where it becomes a FAILED answer.
 */
export function installValidator(deps: ValidatorDependencies): ProviderOptions {
  let template: TemplateDocument | undefined;
  const loadTemplate = () => {
    template ??= parseTemplate(deps.templateText, 'template/connector.yaml');
    return template;
  };
  const validate = (operation: Operation) => (event: CustomResourceEvent, ctx: RequestContext) =>
    run(event, ctx, operation, loadTemplate(), deps);

  return {
    service: 'install-validator',
    onCreate: validate('create'),
    onUpdate: validate('update'),
    secretsOf: (event) => secretsOf(event, loadTemplate),
  };
}

async function run(
  event: CustomResourceEvent,
  ctx: RequestContext,
  operation: Operation,
  template: TemplateDocument,
  deps: ValidatorDependencies,
): Promise<RequestOutcome> {
  const stack = stackOf(event.StackId);
  const { report, values } = await validateInstall(event.ResourceProperties, {
    template,
    operation,
    previous: operation === 'update' ? event.OldResourceProperties : undefined,
    ...stack,
    now: deps.now?.() ?? new Date(),
    iam: deps.iam?.() ?? IamAdapter.create(IAM_SETTINGS),
    signal: ctx.signal,
  });

  for (const { parameter, rule, message } of report.errors) {
    ctx.log.warn('invalid input', { parameter, rule, detail: message });
  }
  for (const { parameter, rule, message } of report.warnings) {
    ctx.log.info('input warning', { parameter, rule, detail: message });
  }
  const details = [
    ...report.errors.map((p, i) => detail(p, i)),
    ...report.warnings.map((p, i) => detail(p, report.errors.length + i, 'warning')),
  ];

  if (!report.valid) {
    const count = plural(report.errors.length, 'problem');
    const summary =
      operation === 'create'
        ? `The install inputs have ${count}; fix them and deploy again (no connector role was ` +
          'created).'
        : `The changed install inputs have ${count}; fix them and update again (nothing was ` +
          'changed).';
    throw new RequestFailure(summary, details);
  }
  const summary =
    report.warnings.length === 0
      ? 'The install inputs are valid.'
      : `The install inputs are valid, with ${plural(report.warnings.length, 'warning')}.`;
  return {
    data: {
      ExternalIdSha256: sha256Hex(values.TenantExternalId),
      ExternalIdFoldedSha256: sha256Hex(values.TenantExternalId.toLowerCase()),
    },
    noEcho: true,
    summary,
    details,
  };
}

function detail(problem: Problem, index: number, label = 'error'): string {
  return `${index + 1}) ${label} [${problem.rule}] ${problem.message}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Account, region, partition and name of the stack, read from its ID. */
function stackOf(stackId: string) {
  const match = /^arn:([^:]+):cloudformation:([^:]+):(\d{12}):stack\/([^/]+)\//.exec(stackId);
  if (!match) {
    const region = process.env.AWS_REGION;
    return { region, partition: region ? partitionOf(region) : undefined };
  }
  const [, partition, region, accountId, stackName] = match;
  return { partition, region, accountId, stackName };
}

/**
 * The clear secrets in the request to mask in logs and unexpected errors: the external ID and
 * any other NoEcho value, before and after an Update, as `secretsToMask` selects them. Reading
 * the template's NoEcho list may fail; the external ID is masked even then.
 */
function secretsOf(event: CustomResourceEvent, loadTemplate: () => TemplateDocument): string[] {
  let template: TemplateDocument | undefined;
  try {
    template = loadTemplate();
  } catch {
    // The template's failure is reported by the request itself; the external ID is still masked.
  }
  const sources = [event.ResourceProperties, event.OldResourceProperties ?? {}];
  return sources.flatMap((props) => secretsToMask(props, template));
}
