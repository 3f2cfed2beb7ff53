/**
 * The offline rules: everything that can be decided from the values alone, plus this account,
 * region and partition when they are known. Each rule names its parameter, what it expects,
 * what it received and how to fix it.
 */
import { externalIdProblems } from './external-id';
import { type ParameterValues, splitList } from './parameters';
import { scheduleProblem } from './schedule';
import { error, type RuleProblem, shown, warning } from './types';

/** Where the stack is being installed, as far as it is known. */
export interface Placement {
  /** This account; the "not this account" rule needs it. */
  accountId?: string;
  /** This region; the code bucket's exact name needs it. */
  region?: string;
  /** This partition (`aws`, `aws-cn`, `aws-us-gov`, ...); ARNs must be in it. */
  partition: string;
  /** The current time; dates are judged against it in UTC. */
  now: Date;
}

const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const IAM_NAME_CHARACTERS = /^[\w+=,.@-]*$/;
const POLICY_ARN =
  /^arn:([a-z-]+):iam::(aws|\d{12}):policy\/((?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,128})$/;
const TOPIC_ARN = /^arn:([a-z-]+):sns:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):(.+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SUPPORT_MAX_DAYS = 90;
/** How far ahead the date in a format hint is: a date the rules accept, whenever they run. */
const SUPPORT_EXAMPLE_DAYS = 30;
const REMINDER_MIN_HOURS = 1;
const REMINDER_MAX_HOURS = 720;
/** The longest region name (ap-southeast-1 and others), for a bucket name without a region. */
const LONGEST_REGION = 14;

/** Every offline problem with the values, in parameter order. */
export function offlineProblems(values: ParameterValues, where: Placement): RuleProblem[] {
  return [
    ...accountProblems(values.TenantAccountId, where),
    ...(values.TenantExternalId === '' ? [] : externalIdProblems(values.TenantExternalId)),
    ...affixProblems('IamResourceNamesPrefix', values.IamResourceNamesPrefix),
    ...affixProblems('IamResourceNamesSuffix', values.IamResourceNamesSuffix),
    ...managedPolicyListProblems(values.GlobalManagedPolicies, where),
    ...boundaryProblems(values.GlobalPermissionsBoundary, where),
    ...supportDateProblems(values.SupportRoleExpirationDate, where),
    ...notificationProblems(values, where),
    ...scheduleProblems(values.DriftCheckSchedule, where),
    ...severityProblems(values.AlertMinimumSeverity),
    ...reminderProblems(values.ReminderIntervalHours),
    ...cadenceProblems(values.DriftCheckSchedule, values.ReminderIntervalHours),
    ...bucketProblems(values.CodeBucketPrefix, where),
    ...keyPrefixProblems(values.CodeKeyPrefix),
  ];
}

function accountProblems(value: string, where: Placement): RuleProblem[] {
  const name = 'TenantAccountId';
  if (value === '') return [];
  if (!/^\d{12}$/.test(value)) {
    const hint = value.trim() !== value ? ' (it has spaces around it)' : '';
    return [
      error(
        name,
        'account-id-format',
        `${name} must be exactly 12 digits, an AWS account ID; received ` +
          `${shown(value)}${hint}. Fix: copy the vendor's account ID as the vendor wrote it, ` +
          'leading zeros included.',
      ),
    ];
  }
  if (where.accountId !== undefined && value === where.accountId) {
    return [
      error(
        name,
        'account-id-is-this-account',
        `${name} is this account (${value}), so the Tenant role would trust the account it ` +
          `lives in instead of the vendor's. Fix: set it to the vendor's account ID.`,
      ),
    ];
  }
  return [];
}

function affixProblems(name: string, value: string): RuleProblem[] {
  if (IAM_NAME_CHARACTERS.test(value)) return [];
  const bad = [...new Set(Array.from(value).filter((c) => !IAM_NAME_CHARACTERS.test(c)))];
  return [
    error(
      name,
      'name-characters',
      `${name} may hold only letters, digits and + = , . @ - _, the characters IAM allows in ` +
        `role and policy names; received ${shown(value)}, which has ` +
        `${bad.map(shown).join(' ')}. Fix: remove or replace those ` +
        'characters.',
    ),
  ];
}

function managedPolicyListProblems(value: string, where: Placement): RuleProblem[] {
  const name = 'GlobalManagedPolicies';
  const problems: RuleProblem[] = [];
  const items = splitList(value);
  if (items.length === 1 && items[0] === '') return [];
  const empty = emptyEntriesProblem(name, value, items);
  if (empty) problems.push(empty);
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (item === '') return;
    const problem = policyArnProblem(item, where);
    if (problem)
      problems.push(error(name, problem.rule, `${name} entry ${index + 1} ${problem.text}`));
    if (seen.has(item)) {
      problems.push(
        error(
          name,
          'policy-duplicate',
          `${name} lists ${shown(item)} more than once. Fix: list each policy once.`,
        ),
      );
    }
    seen.add(item);
  });
  return problems;
}

/**
 * One problem for every empty entry of a list together, since commas too many (`a,,` or a
 * trailing comma) are one mistake however many entries they leave empty.
 */
function emptyEntriesProblem(
  name: string,
  value: string,
  items: string[],
): RuleProblem | undefined {
  const positions = items.flatMap((item, index) => (item === '' ? [index + 1] : []));
  if (positions.length === 0) return undefined;
  const [entries, commas] =
    positions.length === 1
      ? [`an empty entry at position ${positions[0]}`, 'the extra comma']
      : [`empty entries at positions ${listed(positions.map(String))}`, 'the extra commas'];
  return error(
    name,
    'policy-arn-format',
    `${name} has ${entries}: entries are separated by single commas, with none at the start ` +
      `or end; received ${shown(value)}. Fix: remove ${commas}.`,
  );
}

/** `a`, `a and b`, `a, b and c`. */
function listed(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function boundaryProblems(value: string, where: Placement): RuleProblem[] {
  if (value === '') return [];
  const problem = policyArnProblem(value, where);
  return problem
    ? [
        error(
          'GlobalPermissionsBoundary',
          problem.rule,
          `GlobalPermissionsBoundary ${problem.text}`,
        ),
      ]
    : [];
}

/** Why a text is not a managed policy ARN of this partition, as the end of a sentence. */
function policyArnProblem(
  arn: string,
  where: Placement,
): { rule: string; text: string } | undefined {
  const match = POLICY_ARN.exec(arn);
  if (!match) {
    return {
      rule: 'policy-arn-format',
      text:
        'must be a managed policy ARN such as ' +
        `arn:${where.partition}:iam::123456789012:policy/Name or ` +
        `arn:${where.partition}:iam::aws:policy/Name; received ${shown(arn)}. Fix: copy the ` +
        `ARN from the policy's page in the IAM console.`,
    };
  }
  const [, partition, , path] = match;
  if (partition !== where.partition) {
    return {
      rule: 'policy-arn-partition',
      text:
        `is in the partition ${partition}, but this stack is in ${where.partition}; received ` +
        `${shown(arn)}. Fix: use the policy's ARN in ${where.partition} ` +
        `(arn:${where.partition}:iam::...).`,
    };
  }
  if (path.startsWith('/') || path.includes('//')) {
    return {
      rule: 'policy-arn-format',
      text:
        `has the path ${shown(path)}, which has an empty segment (IAM paths look like ` +
        `/segment/segment/); received ${shown(arn)}. Fix: copy the ARN from the IAM console.`,
    };
  }
  return undefined;
}

function supportDateProblems(value: string, where: Placement): RuleProblem[] {
  const name = 'SupportRoleExpirationDate';
  if (value === '') return [];
  const match = DATE.exec(value);
  const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  const real = date !== undefined && date.toISOString().slice(0, 10) === value;
  const today = Date.UTC(
    where.now.getUTCFullYear(),
    where.now.getUTCMonth(),
    where.now.getUTCDate(),
  );
  if (!real) {
    const example = isoDate(today + SUPPORT_EXAMPLE_DAYS * 86_400_000);
    return [
      error(
        name,
        'date-format',
        `${name} must be a real calendar date written YYYY-MM-DD; received ${shown(value)}. ` +
          `Fix: write it like ${example} (${SUPPORT_EXAMPLE_DAYS} days from today), or leave it ` +
          'empty for no Support role.',
      ),
    ];
  }
  const days = Math.round((date.getTime() - today) / 86_400_000);
  if (days < 0) {
    return [
      error(
        name,
        'date-in-past',
        `${name} is ${value}, which has passed (today is ` +
          `${isoDate(today)} UTC), so the Support role could never ` +
          `be used. Fix: set a date from today up to ${SUPPORT_MAX_DAYS} days ahead, or leave ` +
          'it empty.',
      ),
    ];
  }
  if (days > SUPPORT_MAX_DAYS) {
    const latest = isoDate(today + SUPPORT_MAX_DAYS * 86_400_000);
    return [
      error(
        name,
        'date-too-far',
        `${name} is ${value}, ${days} days ahead; support access may be granted for at most ` +
          `${SUPPORT_MAX_DAYS} days. Fix: set a date no later than ${latest}, and extend it ` +
          'later if needed.',
      ),
    ];
  }
  return [];
}

/** A UTC day as YYYY-MM-DD. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function notificationProblems(values: ParameterValues, where: Placement): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const email = values.NotificationEmail;
  const topic = values.ExistingNotificationTopicArn;
  if (email !== '' && !isEmail(email)) {
    problems.push(
      error(
        'NotificationEmail',
        'email-format',
        'NotificationEmail must be one email address such as security@example.com; received ' +
          `${shown(email)}. Fix: give a single address, or leave it empty.`,
      ),
    );
  }
  if (topic !== '') problems.push(...topicProblems(topic, where));
  if (email !== '' && topic !== '') {
    problems.push(
      error(
        'NotificationEmail',
        'notification-conflict',
        'NotificationEmail and ExistingNotificationTopicArn are both set, but findings go ' +
          'either to a new topic with that email subscribed or to your existing topic. Fix: ' +
          'clear one of them (subscribe the address to your topic yourself).',
        ['NotificationEmail', 'ExistingNotificationTopicArn'],
      ),
    );
  }
  if (email === '' && topic === '') {
    problems.push(
      warning(
        null,
        'no-notification-target',
        'Neither NotificationEmail nor ExistingNotificationTopicArn is set, so findings go ' +
          'to a new topic that nobody is subscribed to. Fix: set one of them, or subscribe to ' +
          'the findings topic after the install.',
        ['NotificationEmail', 'ExistingNotificationTopicArn'],
      ),
    );
  }
  return problems;
}

function isEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const localOk =
    local.length <= 64 &&
    /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local);
  const labels = domain.split('.');
  const domainOk =
    labels.length >= 2 &&
    labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    /^[A-Za-z]{2,}$/.test(labels[labels.length - 1]);
  return localOk && domainOk;
}

function topicProblems(arn: string, where: Placement): RuleProblem[] {
  const name = 'ExistingNotificationTopicArn';
  const match = TOPIC_ARN.exec(arn);
  if (!match) {
    return [
      error(
        name,
        'topic-arn-format',
        `${name} must be an SNS topic ARN such as ` +
          `arn:${where.partition}:sns:eu-west-1:123456789012:findings; received ${shown(arn)}. ` +
          `Fix: copy the ARN from the topic's page in the SNS console.`,
      ),
    ];
  }
  const [, partition, , , topicName] = match;
  if (partition !== where.partition) {
    return [
      error(
        name,
        'topic-arn-partition',
        `${name} is in the partition ${partition}, but this stack is in ${where.partition}; ` +
          `received ${shown(arn)}. Fix: use a topic in ${where.partition}.`,
      ),
    ];
  }
  if (topicName.endsWith('.fifo')) {
    return [
      error(
        name,
        'topic-fifo',
        `${name} names a FIFO topic (${shown(topicName)}); findings are published to a ` +
          'standard topic, which email and most subscribers need. Fix: give a standard topic.',
      ),
    ];
  }
  if (!/^[\w-]{1,256}$/.test(topicName)) {
    return [
      error(
        name,
        'topic-arn-format',
        `${name} has the topic name ${shown(topicName)}; topic names are 1 to 256 letters, ` +
          'digits, hyphens and underscores. Fix: copy the ARN from the SNS console.',
      ),
    ];
  }
  const [, , region, account] = match;
  const problems: RuleProblem[] = [];
  if (where.region !== undefined && region !== where.region) {
    problems.push(
      warning(
        name,
        'topic-other-region',
        `${name} is in ${region}, but the stack is in ${where.region}; SNS refuses a publish ` +
          `to a topic of another region (InvalidParameter: TopicArn) unless the drift guard ` +
          `sends it through ${region}'s endpoint. Fix: use a topic in ${where.region} (it can ` +
          'forward to a central one), or check that findings arrive after the install.',
      ),
    );
  }
  if (where.accountId !== undefined && account !== where.accountId) {
    problems.push(
      warning(
        name,
        'topic-other-account',
        `${name} belongs to account ${account}, not this one (${where.accountId}); IAM here ` +
          "cannot show whether the topic's policy lets this stack publish. Fix: make sure the " +
          "topic policy allows sns:Publish to this stack's drift-guard role, and, if the topic " +
          'is encrypted, that the key policy allows it kms:GenerateDataKey and kms:Decrypt.',
      ),
    );
  }
  return problems;
}

function scheduleProblems(value: string, where: Placement): RuleProblem[] {
  const problem = scheduleProblem(value, where.now);
  if (problem === undefined) return [];
  return [
    error(
      'DriftCheckSchedule',
      'schedule-format',
      `DriftCheckSchedule is not a schedule EventBridge Scheduler accepts: ${problem}; ` +
        `received ${shown(value)}. Fix: use an expression such as rate(1 hour), rate(6 hours) ` +
        'or cron(0 8 ? * MON-FRI *).',
    ),
  ];
}

/**
 * A reminder can only go out when a check runs, so a reminder interval shorter than a rate
 * schedule is in effect the schedule's interval. Cron schedules are not compared.
 */
function cadenceProblems(schedule: string, reminder: string): RuleProblem[] {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (!rate || scheduleProblem(schedule) !== undefined || !/^[1-9]\d*$/.test(reminder)) return [];
  const minutes = Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as 'minute'];
  if (Number(reminder) * 60 >= minutes) return [];
  return [
    warning(
      'ReminderIntervalHours',
      'reminder-shorter-than-schedule',
      `ReminderIntervalHours is ${reminder}, but DriftCheckSchedule ${shown(schedule)} runs a ` +
        `check only every ${minutes / 60} hours, so open findings are resent at that pace. ` +
        'Fix: make the reminder interval at least the schedule interval, or check more often.',
      ['ReminderIntervalHours', 'DriftCheckSchedule'],
    ),
  ];
}

function severityProblems(value: string): RuleProblem[] {
  if (SEVERITIES.includes(value)) return [];
  const hint = SEVERITIES.includes(value.trim().toUpperCase())
    ? ` (write it ${value.trim().toUpperCase()})`
    : '';
  return [
    error(
      'AlertMinimumSeverity',
      'severity-value',
      `AlertMinimumSeverity must be one of ${SEVERITIES.join(', ')}, in capitals; received ` +
        `${shown(value)}${hint}. Fix: pick one of those.`,
    ),
  ];
}

/**
 * The stack always sends reminders: its ReminderIntervalHours is 1 to 720, as the template
 * declares, although the drift guard itself would read 0 as none.
 */
function reminderProblems(value: string): RuleProblem[] {
  const name = 'ReminderIntervalHours';
  if (!/^(0|[1-9]\d*)$/.test(value)) {
    return [
      error(
        name,
        'integer-format',
        `${name} must be a whole number of hours written in digits, without sign, decimals, ` +
          `spaces or leading zeros; received ${shown(value)}. Fix: write it like 24.`,
      ),
    ];
  }
  const hours = Number(value);
  if (hours < REMINDER_MIN_HOURS || hours > REMINDER_MAX_HOURS) {
    return [
      error(
        name,
        'integer-range',
        `${name} must be from ${REMINDER_MIN_HOURS} to ${REMINDER_MAX_HOURS} (an hour to 30 ` +
          `days); received ${value}. Fix: choose an interval in that range, such as 24 for a ` +
          'daily reminder of findings still open.',
      ),
    ];
  }
  return [];
}

function bucketProblems(prefix: string, where: Placement): RuleProblem[] {
  const name = 'CodeBucketPrefix';
  if (prefix === '') return [];
  const region = where.region ?? 'x'.repeat(LONGEST_REGION);
  const bucket = `${prefix}-${region}`;
  const named = where.region ? `the bucket ${shown(bucket)}` : `the bucket <prefix>-<region>`;
  const problem = bucketNameProblem(bucket, prefix);
  if (problem === undefined) return [];
  return [
    error(
      name,
      'bucket-name',
      `${name} makes ${named}, which is not a valid S3 bucket name: ${problem}; received ` +
        `${shown(prefix)}. Fix: use the prefix of the buckets the vendor publishes the code in.`,
    ),
  ];
}

function bucketNameProblem(bucket: string, prefix: string): string | undefined {
  if (bucket.length > 63) return `it would be ${bucket.length} characters, more than 63`;
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(prefix)) {
    return (
      'it may hold only lowercase letters, digits, dots and hyphens, and must start with a ' +
      'letter or digit'
    );
  }
  if (bucket.length < 3) return 'it would be shorter than 3 characters';
  if (/\.\.|\.-|-\./.test(bucket))
    return 'it may not have two dots in a row or a dot next to a hyphen';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(bucket))
    return 'it may not start with xn--, sthree- or amzn-s3-demo-';
  if (/^\d+\.\d+\.\d+\.\d+/.test(bucket)) return 'it may not look like an IP address';
  return undefined;
}

function keyPrefixProblems(value: string): RuleProblem[] {
  const name = 'CodeKeyPrefix';
  if (value === '') return [];
  if (!/^[\w!.*'()/-]*$/.test(value)) {
    return [
      error(
        name,
        'key-prefix-format',
        `${name} may hold only letters, digits and ! - _ . * ' ( ) /, the characters S3 keys ` +
          `can use safely; received ${shown(value)}. Fix: remove the other characters.`,
      ),
    ];
  }
  if (value.startsWith('/') || value.includes('//')) {
    return [
      error(
        name,
        'key-prefix-format',
        `${name} may not start with / or have // in it, which makes keys that differ from ` +
          `what packaging uploads; received ${shown(value)}. Fix: write it like ` +
          'releases/1.2.0/.',
      ),
    ];
  }
  if (value.length > 512) {
    return [
      error(
        name,
        'key-prefix-format',
        `${name} is ${value.length} characters; at most 512 leave room for the object names. ` +
          'Fix: shorten it.',
      ),
    ];
  }
  if (!value.endsWith('/')) {
    return [
      error(
        name,
        'key-prefix-format',
        `${name} must end in /, since the keys are <prefix><function>-<sha256>.zip and ` +
          `packaging uploads them under a folder; received ${shown(value)}. Fix: write ` +
          `${shown(`${value}/`)}.`,
      ),
    ];
  }
  return [];
}
