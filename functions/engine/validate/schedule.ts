/**
 * The schedule-expression grammar EventBridge Scheduler accepts for a recurring schedule, checked
 * field by field so that the message says which part is wrong:
 *
 * - `rate(value unit)`: a positive whole number without leading zeros and one of minute, hour,
 *   day, singular for 1 and plural (minutes, hours, days) for more;
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields; `,` `-` `*` `/` in
 *   all but day-of-week takes no `/`; `?` only in day-of-month or day-of-week, and exactly one
 *   of those two is `?`; `L` and `W` (`15W`, `LW`) in day-of-month; `L` (`6L`) and `#` (`3#2`,
 *   alone in its field) in day-of-week; month and weekday names (JAN-DEC, SUN-SAT, any case);
 *   years 1970-2199.
 *
 * A range whose end is below its start (`FRI-MON`, `22-2`) wraps around as in Quartz, on
 * which the format is based. `at(...)` is a one-time schedule and is refused here: a drift check
 * that runs once is not a schedule.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  step: boolean;
}

const FIELDS: FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59, step: true },
  { name: 'hours', min: 0, max: 23, step: true },
  { name: 'day-of-month', min: 1, max: 31, step: true },
  {
    name: 'month',
    min: 1,
    max: 12,
    step: true,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    step: false,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  },
  { name: 'year', min: 1970, max: 2199, step: true },
];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

/**
 * Why EventBridge Scheduler would refuse a recurring schedule expression, as one sentence
 * fragment ("the day-of-week field ..."); undefined when it is accepted.
 *
 * @param now the time against which a cron whose every year is past is found never to run
 */
export function scheduleProblem(expression: string, now = new Date()): string | undefined {
  // Parts of the expression are quoted below as they are, so anything else stops here.
  if (!/^[\x20-\x7e]*$/.test(expression)) {
    return 'it has characters other than printable ASCII, which no schedule expression uses';
  }
  if (expression.startsWith('at(')) {
    return (
      'at(...) makes a one-time schedule, so the drift check would run only once; use ' +
      'rate(...) or cron(...)'
    );
  }
  if (expression.startsWith('rate(')) return rateProblem(expression);
  const cron = CRON.exec(expression);
  if (cron) return cronProblem(cron[1], now);
  return 'it must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)';
}

function rateProblem(expression: string): string | undefined {
  const match = RATE.exec(expression);
  if (!match) {
    return (
      'a rate must be rate(value unit): one positive whole number, one space and one of ' +
      'minute(s), hour(s), day(s), in lower case, such as rate(1 hour) or rate(15 minutes)'
    );
  }
  const [, digits, unit] = match;
  if (digits.length > 1 && digits.startsWith('0')) {
    return `the rate value ${digits} has a leading zero; write ${Number(digits)}`;
  }
  const value = Number(digits);
  if (value === 0) return 'the rate value must be at least 1';
  const plural = unit.endsWith('s');
  if (value === 1 && plural) {
    return `a rate of 1 takes the singular unit: rate(1 ${unit.slice(0, -1)}), not rate(1 ${unit})`;
  }
  if (value > 1 && !plural) {
    return (
      `a rate above 1 takes the plural unit: rate(${value} ${unit}s), not rate(${value} ` +
      `${unit})`
    );
  }
  return undefined;
}

function cronProblem(body: string, now: Date): string | undefined {
  if (body !== body.trim() || /\s{2,}|[\t\n\r]/.test(body)) {
    return (
      'the cron fields must be separated by single spaces, with none before the first or after ' +
      'the last'
    );
  }
  const fields = body.split(' ');
  if (fields.length !== 6) {
    return (
      'a cron expression has six fields (minutes hours day-of-month month day-of-week year); ' +
      `received ${fields.length}`
    );
  }
  for (let i = 0; i < FIELDS.length; i += 1) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem !== undefined)
      return `the ${FIELDS[i].name} field ${shownField(fields[i])} ${problem}`;
  }

  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if (dayOfMonth === '?' && dayOfWeek === '?') {
    return 'day-of-month and day-of-week cannot both be ?; set one of them and put ? in the other';
  }
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    return (
      `one of day-of-month (${dayOfMonth}) and day-of-week (${dayOfWeek}) must be ?, because ` +
      'both cannot be given'
    );
  }
  const lastYear = lastYearOf(fields[5]);
  if (lastYear !== undefined && lastYear < now.getUTCFullYear()) {
    return `every year it names is before ${now.getUTCFullYear()}, so it would never run`;
  }
  return undefined;
}

function shownField(field: string): string {
  return `"${field}"`;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  if (field === '?') {
    return spec.name === 'day-of-month' || spec.name === 'day-of-week'
      ? undefined
      : 'cannot be ?; only day-of-month and day-of-week take ?';
  }
  if (spec.name === 'day-of-month') {
    const special = dayOfMonthSpecial(field);
    if (special !== null) return special;
  }
  if (spec.name === 'day-of-week') {
    const special = dayOfWeekSpecial(field, spec);
    if (special !== null) return special;
  }

  const items = field.split(',');
  for (const item of items) {
    const problem = itemProblem(item, spec);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** L, LW and nW; null when the field uses none of them and the ordinary rules apply. */
function dayOfMonthSpecial(field: string): string | undefined | null {
  if (!/[LW]/i.test(field)) return null;
  if (field === 'L' || field === 'LW') return undefined;
  const weekday = /^(\d{1,2})W$/.exec(field);
  if (weekday) {
    const day = Number(weekday[1]);
    return day >= 1 && day <= 31 ? undefined : `names day ${weekday[1]}, outside 1-31`;
  }
  return (
    'uses L or W in a way EventBridge does not accept: L (last day), LW (last weekday) or nW ' +
    '(weekday nearest day n) stand alone in the field'
  );
}

/** L, nL and n#k; null when the field uses none of them. */
function dayOfWeekSpecial(field: string, spec: FieldSpec): string | undefined | null {
  if (field === 'L') return undefined;
  if (field.includes('#')) {
    const match = /^([A-Za-z]{3}|\d)#(\d)$/.exec(field);
    if (!match) {
      return (
        'uses # in a way EventBridge does not accept: day#n (such as 3#2 or TUE#2) must stand ' +
        'alone in the field'
      );
    }
    const day = fieldValue(match[1], spec);
    if (day === undefined) return `names the day ${match[1]}, which is not 1-7 or SUN-SAT`;
    const nth = Number(match[2]);
    return nth >= 1 && nth <= 5
      ? undefined
      : `asks for occurrence ${nth} of a weekday; it must be 1-5`;
  }
  const last = /^([A-Za-z]{3}|\d)L$/.exec(field);
  if (last) {
    return fieldValue(last[1], spec) === undefined
      ? `names the day ${last[1]}, which is not 1-7 or SUN-SAT`
      : undefined;
  }
  if (/L/i.test(field) && !/^[A-Za-z]{3}(-[A-Za-z]{3})?$/.test(field)) {
    return (
      'uses L in a way EventBridge does not accept: L (Saturday, the last day of the week) or ' +
      'nL (the last day n of the month) stand alone in the field'
    );
  }
  return null;
}

function itemProblem(item: string, spec: FieldSpec): string | undefined {
  if (item === '') return 'has an empty entry between commas';
  const [range, step, ...extra] = item.split('/');
  if (extra.length > 0) return `has more than one / in ${item}`;
  if (step !== undefined) {
    if (!spec.step) return 'cannot take an increment (/); day-of-week takes , - * ? L #';
    if (!/^[1-9]\d*$/.test(step))
      return `has the increment ${step}; it must be a whole number from 1`;
    if (Number(step) > spec.max - spec.min + 1) {
      return `has the increment ${step}, larger than the field's range ${spec.min}-${spec.max}`;
    }
  }
  if (range === '*') return undefined;
  if (range === '') return `has nothing before / in ${item}`;

  const bounds = range.split('-');
  if (bounds.length > 2) return `has the range ${range}, with more than one -`;
  for (const bound of bounds) {
    if (bound === '*') return `uses * inside the range ${range}`;
    if (fieldValue(bound, spec) === undefined) return valueProblem(bound, spec);
  }
  return undefined;
}

function fieldValue(text: string, spec: FieldSpec): number | undefined {
  if (/^\d{1,4}$/.test(text)) {
    const value = Number(text);
    return value >= spec.min && value <= spec.max ? value : undefined;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

function valueProblem(text: string, spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
  return `has the value ${text}, outside ${spec.min}-${spec.max}${names}`;
}

/** The latest year a year field allows, or undefined when it is open-ended (`*`, a step). */
function lastYearOf(field: string): number | undefined {
  let latest = 0;
  for (const item of field.split(',')) {
    if (item.includes('*') || item.includes('/')) return undefined;
    for (const bound of item.split('-')) latest = Math.max(latest, Number(bound));
  }
  return latest;
}
