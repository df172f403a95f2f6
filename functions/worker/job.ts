/**
 * What a job is: the JSON body a caller POSTs to /worker/jobs. Parsing says what is wrong, so
 * the reason reaches the logs (and, after the last try, the message sits in the DLQ as sent).
 */

const ACTIONS = ['uppercase', 'wordcount'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Job {
  readonly id: string;
  readonly action: Action;
  readonly text: string;
}

export interface JobResult {
  readonly id: string;
  readonly action: Action;
  readonly result: string | number;
}

class BadJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadJobError';
  }
}

const MAX_TEXT = 10000;

export function parseJob(body: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadJobError('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadJobError('body must be a JSON object');
  const { id, action, text } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new BadJobError('id must be 1-64 letters, digits, "_" or "-"');
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new BadJobError(`action must be one of ${ACTIONS.join(', ')}`);
  }
  if (typeof text !== 'string' || text.length > MAX_TEXT) throw new BadJobError(`text must be a string of at most ${MAX_TEXT} characters`);
  return { id, action: action as Action, text };
}

export function runJob(job: Job): JobResult {
  const result = job.action === 'uppercase' ? job.text.toUpperCase() : job.text.split(/\s+/).filter(Boolean).length;
  return { id: job.id, action: job.action, result };
}
