/**
 * The drift guard's environment, as the connector template sets it, read and checked when an
 * invocation starts (never at module load, so a bad value fails the invocation with a clear
 * error instead of the function's start).
 */

import { SEVERITIES, type Severity } from '../engine/drift/types';
import { InputError } from '../engine/errors';

/** An environment variable is missing or holds a value the function cannot use. */
export class ConfigError extends InputError {}

export interface DriftGuardConfig {
  stackId: string;
  stackName: string;
  /** Region and partition of the stack, from its ID. */
  region: string;
  partition: string;
  topicArn: string;
  /** The topic's own region (an existing topic may be in another region). */
  topicRegion: string;
  table: string;
  externalIdSha256: string;
  /**
   * The SHA-256 of the external ID lower-cased, to find a copy in other capitals; undefined
   * when the variable is not set (a guard deployed from a template before it), and such a copy
   * is then not found.
   */
  externalIdFoldedSha256: string | undefined;
  minimum: Severity;
  reminderHours: number;
}

const STACK_ID =
  /^arn:(aws[a-z-]*):cloudformation:([a-z0-9-]+):(\d{12}):stack\/([A-Za-z][A-Za-z0-9-]*)\/[\w-]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[\w-]{1,256}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A month, the template's own maximum being 720 hours. */
const MAX_REMINDER_HOURS = 8_760;

/** Reads the environment; throws a ConfigError naming the first variable that is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): DriftGuardConfig {
  const stackId = required(env, 'STACK_ID');
  const stack = STACK_ID.exec(stackId);
  if (stack === null) {
    throw invalid(
      'STACK_ID',
      'a CloudFormation stack ID (arn:...:cloudformation:...:stack/NAME/ID)',
      stackId,
    );
  }

  const topicArn = required(env, 'TOPIC_ARN');
  const topic = TOPIC_ARN.exec(topicArn);
  if (topic === null) throw invalid('TOPIC_ARN', 'the ARN of a standard SNS topic', topicArn);

  const table = required(env, 'STATE_TABLE');
  if (!TABLE_NAME.test(table)) {
    throw invalid('STATE_TABLE', 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)', table);
  }

  const digest = digestIn('EXTERNAL_ID_SHA256', required(env, 'EXTERNAL_ID_SHA256'), '');
  const folded = env.EXTERNAL_ID_FOLDED_SHA256?.trim();
  const foldedDigest =
    folded === undefined || folded === ''
      ? undefined
      : digestIn('EXTERNAL_ID_FOLDED_SHA256', folded, ' lower-cased');

  const minimum = required(env, 'ALERT_MINIMUM_SEVERITY').toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(minimum)) {
    throw invalid('ALERT_MINIMUM_SEVERITY', `one of ${SEVERITIES.join(', ')}`, minimum);
  }

  const hoursText = required(env, 'REMINDER_INTERVAL_HOURS');
  const hours = Number(hoursText);
  if (!Number.isFinite(hours) || hours < 0 || hours > MAX_REMINDER_HOURS) {
    throw invalid(
      'REMINDER_INTERVAL_HOURS',
      `a number of hours from 0 (no reminders) to ${MAX_REMINDER_HOURS}`,
      hoursText,
    );
  }

  return {
    stackId,
    partition: stack[1] as string,
    region: stack[2] as string,
    stackName: stack[4] as string,
    topicArn,
    topicRegion: topic[1] as string,
    table,
    externalIdSha256: digest,
    externalIdFoldedSha256: foldedDigest,
    minimum: minimum as Severity,
    reminderHours: hours,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new ConfigError(`Environment variable ${name}: expected a value, received none.`, {
      context: { variable: name },
    });
  }
  return value;
}

/** A digest variable, checked; never quoted, in case the secret itself was pasted. */
function digestIn(name: string, value: string, form: string): string {
  const digest = value.toLowerCase();
  if (SHA256_HEX.test(digest)) return digest;
  throw new ConfigError(
    `Environment variable ${name}: expected 64 hexadecimal digits (the SHA-256 of the external ` +
      `ID${form}), received ${digest.length} characters that are not.`,
    { context: { variable: name } },
  );
}

function invalid(name: string, expected: string, received: string): ConfigError {
  const shown = received.length > 120 ? `${received.slice(0, 120)}...` : received;
  return new ConfigError(
    `Environment variable ${name}: expected ${expected}, received "${shown}".`,
    { context: { variable: name } },
  );
}
