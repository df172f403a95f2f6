/**
 * Schedule expressions, checked once for every place the declaration accepts one: EventBridge
 * schedule triggers and Application Auto Scaling's scheduled actions of warm capacity. Pure.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra single tokens allowed (L, W, ?). */
  readonly special?: RegExp;
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

/** Who evaluates the expression: EventBridge (`triggers.schedules`) or Application Auto Scaling (`warm.schedules`). */
export type ScheduleService = 'eventbridge' | 'autoscaling';

const SERVICE_NAME: Record<ScheduleService, string> = { eventbridge: 'EventBridge', autoscaling: 'Application Auto Scaling' };

/**
 * The one check of schedule expressions, wherever the declaration accepts one. Both services take
 * `rate(1 minute)` / `rate(5 minutes)` (singular only for 1) and `cron(min hour day-of-month month
 * day-of-week year)` where exactly one of day-of-month and day-of-week is `?`; Application Auto
 * Scaling also takes a one-off `at(yyyy-mm-ddThh:mm:ss)`. All in UTC. Returns what is wrong and the
 * fix, or undefined.
 */
export function scheduleExpressionProblem(expression: string, service: ScheduleService = 'eventbridge'): string | undefined {
  const who = SERVICE_NAME[service];
  const example =
    service === 'autoscaling'
      ? 'e.g. "cron(0 8 ? * MON-FRI *)", "rate(1 day)" or "at(2027-01-01T08:00:00)" (UTC)'
      : 'e.g. "rate(5 minutes)" or "cron(0 3 * * ? *)" (UTC)';
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    if (value < 1) return `a rate must be at least 1; fix: ${example}`;
    if (value === 1 && unit.endsWith('s')) return `${who} wants the singular for 1: rate(1 ${unit.slice(0, -1)}); fix: drop the "s"`;
    if (value > 1 && !unit.endsWith('s')) return `${who} wants the plural above 1: rate(${value} ${unit}s); fix: add the "s"`;
    return undefined;
  }
  const at = /^at\((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\)$/.exec(expression);
  if (at && service === 'autoscaling') {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const real =
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day &&
      hour < 24 &&
      minute < 60 &&
      second < 60;
    return real
      ? undefined
      : `at(...) names no real date and time (month 01-12, a day the month has, hour 00-23, minute and second 00-59); fix: ${example}`;
  }
  if (at) return `EventBridge schedules take no at(...): a one-off run is a warm schedule's feature; fix: ${example}`;
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) {
    const forms =
      service === 'autoscaling'
        ? 'rate(N minutes|hours|days), cron(min hour day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)'
        : 'rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year)';
    return `expression must be ${forms}; fix: ${example}`;
  }
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return `a cron expression has 6 fields (min hour day-of-month month day-of-week year), got ${fields.length}; fix: ${example}`;
  }
  for (let i = 0; i < 6; i++) {
    const problem = cronFieldProblem(fields[i], CRON_FIELDS[i]);
    if (problem) return `${problem}; fix: ${example}`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return `exactly one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") must be "?" (${who}'s rule); fix: ${example}`;
  }
  return undefined;
}

function cronFieldProblem(text: string, field: CronField): string | undefined {
  const nameRange = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
  const specialValues = field.special ? ' and its special values' : '';
  const bad = `${field.name} "${text}" is not valid (${field.min}-${field.max}${nameRange}, with , - * /${specialValues})`;
  const value = (token: string): number | undefined => {
    if (/^\d+$/.test(token)) return Number(token);
    const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
    return index >= 0 ? index + field.min : undefined;
  };
  const inRange = (n: number | undefined) => n !== undefined && n >= field.min && n <= field.max;
  for (const part of text.split(',')) {
    if (field.special?.test(part.toUpperCase())) {
      // Special values (?, L, W, #) stand alone, never in a list.
      if (text.includes(',')) return bad;
      continue;
    }
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return bad;
    const [, range, step] = m;
    if (step !== undefined && Number(step) < 1) return bad;
    if (range === '*') continue;
    const [from, to] = range.split('-');
    if (!inRange(value(from)) || (to !== undefined && !inRange(value(to)))) return bad;
  }
  return undefined;
}
