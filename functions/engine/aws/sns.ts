/**
 * The SNS adapter: publishing one structured message (a body per protocol) to a topic.
 */
import { type MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type ClientSettings, clientConfig, explainSetupErrors } from './clients';

/** SNS's limit on one published message, attributes included, in bytes. */
export const SNS_MESSAGE_LIMIT_BYTES = 262_144;

/** SNS's limit on a subject: ASCII, no line breaks, fewer than 100 characters. */
export const SNS_SUBJECT_MAX_LENGTH = 99;

export interface StructuredMessage {
  topicArn: string;
  subject: string;
  /** Body per protocol (`default`, `email`, `sqs`, ...); sent with `MessageStructure: json`. */
  bodies: Record<string, string>;
  /** String attributes, and String.Array ones given as arrays. */
  attributes: Record<string, string | string[]>;
}

/** The Message parameter SNS receives for a structured message. */
export function structuredBody(bodies: Record<string, string>): string {
  return JSON.stringify(bodies);
}

/** The message attributes as SNS takes them; SNS refuses empty values, so those are left out. */
export function snsAttributes(
  attributes: Record<string, string | string[]>,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.length === 0) continue;
    out[name] = Array.isArray(value)
      ? { DataType: 'String.Array', StringValue: JSON.stringify(value) }
      : { DataType: 'String', StringValue: value };
  }
  return out;
}

/**
 * Bytes SNS counts for a message: the body, the subject, and each attribute's name, type and
 * value.
 */
export function publishedSize(message: StructuredMessage): number {
  let size = Buffer.byteLength(structuredBody(message.bodies), 'utf8');
  size += Buffer.byteLength(message.subject, 'utf8');
  for (const [name, value] of Object.entries(snsAttributes(message.attributes))) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    size += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}

export class SnsAdapter {
  constructor(readonly client: SNSClient = explainSetupErrors(new SNSClient(clientConfig()))) {}

  static create(settings: ClientSettings = {}): SnsAdapter {
    return new SnsAdapter(explainSetupErrors(new SNSClient(clientConfig(settings))));
  }

  /** Publishes a structured message and returns the id SNS gave it. */
  async publish(message: StructuredMessage): Promise<string> {
    const out = await this.client.send(
      new PublishCommand({
        TopicArn: message.topicArn,
        Subject: message.subject,
        MessageStructure: 'json',
        Message: structuredBody(message.bodies),
        MessageAttributes: snsAttributes(message.attributes),
      }),
    );
    return out.MessageId ?? '';
  }
}
