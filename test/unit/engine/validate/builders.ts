/** Builders for installation parameters and validation options, from partial values. */
import { IAMClient } from '@aws-sdk/client-iam';
import { IamAdapter } from '../../../../functions/engine/aws/iam';
import { parseTemplate, type TemplateDocument } from '../../../../functions/engine/template';
import type { ValidateOptions } from '../../../../functions/engine/validate';
import templateText from '../../../../template/connector.yaml';

/** A strong external ID; tests that need a canary use their own. */
export const EXTERNAL_ID = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const THIS_ACCOUNT = '111122223333';
export const VENDOR_ACCOUNT = '444455556666';
export const NOW = new Date('2026-12-04T10:00:00Z');

let connector: TemplateDocument | undefined;

/** The project's own template, parsed once per test file. */
export function connectorTemplate(): TemplateDocument {
  connector ??= parseTemplate(templateText, 'template/connector.yaml');
  return connector;
}

/** A valid set of parameters as the custom resource receives them; override any of them. */
export function parameters(partial: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    TenantAccountId: VENDOR_ACCOUNT,
    TenantExternalId: EXTERNAL_ID,
    IamResourceNamesPrefix: '',
    IamResourceNamesSuffix: '',
    GlobalManagedPolicies: '',
    GlobalPermissionsBoundary: '',
    SupportRoleExpirationDate: '',
    NotificationEmail: 'security@example.com',
    ExistingNotificationTopicArn: '',
    DriftCheckSchedule: 'rate(1 hour)',
    AlertMinimumSeverity: 'MEDIUM',
    ReminderIntervalHours: '24',
    CodeBucketPrefix: 'vendor-connector-code',
    CodeKeyPrefix: 'releases/1.0.0/',
    ...partial,
  };
  for (const [key, value] of Object.entries(out)) if (value === undefined) delete out[key];
  return out;
}

/** Options for a Create in a known account and region, offline unless `iam` is given. */
export function options(partial: Partial<ValidateOptions> = {}): ValidateOptions {
  return {
    template: connectorTemplate(),
    operation: 'create',
    accountId: THIS_ACCOUNT,
    region: 'eu-west-1',
    stackName: 'connector',
    now: NOW,
    ...partial,
  };
}

/** An IAM adapter over a client that aws-sdk-client-mock intercepts. */
export function mockedIam(): IamAdapter {
  return new IamAdapter(new IAMClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }));
}

/** An SDK-shaped error, as IAM raises it. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}
