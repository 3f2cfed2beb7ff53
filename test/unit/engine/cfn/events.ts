/** Builders for custom-resource requests and Lambda contexts, from partial values. */
import type { CustomResourceEvent } from '../../../../functions/engine/cfn';

export const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:111122223333:stack/connector/4f1b2c3d-1111-2222-3333-444455556666';

type EventShape = Omit<CustomResourceEvent, 'RequestType'> & {
  RequestType: string;
  ServiceToken: string;
};

/** A CloudFormation request; any field can be replaced or, set to undefined, removed. */
export function buildEvent(
  partial: Partial<Record<keyof EventShape, unknown>> = {},
): Record<string, unknown> {
  const event: Record<string, unknown> = {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:connector-install-validator',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
    StackId: STACK_ID,
    RequestId: 'c7a4a1f2-0000-4000-8000-000000000001',
    LogicalResourceId: 'InstallValidation',
    ResourceType: 'Custom::InstallValidator',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:v' },
    ...partial,
  };
  if (event.RequestType !== 'Create' && !('PhysicalResourceId' in partial)) {
    event.PhysicalResourceId = 'InstallValidation-existing';
  }
  for (const [key, value] of Object.entries(event)) if (value === undefined) delete event[key];
  return event;
}

/** The same request as SNS delivers it to Lambda. */
export function snsWrapped(...events: Record<string, unknown>[]): Record<string, unknown> {
  return {
    Records: events.map((event) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      Sns: { Type: 'Notification', Message: JSON.stringify(event) },
    })),
  };
}

/** A Lambda context whose remaining time runs down from `remainingMs` in real time. */
export function lambdaContext(remainingMs = 30_000) {
  const end = Date.now() + remainingMs;
  return {
    awsRequestId: 'lambda-invocation-1',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
  };
}

/** A log that keeps every entry, for assertions. */
export function captureLog() {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      entries.push({ level, message, fields });
    };
  return {
    entries,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    text: () => JSON.stringify(entries),
  };
}
