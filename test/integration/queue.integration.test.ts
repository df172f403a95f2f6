/**
 * Scenarios d and g: the worker's queue on the deployed dev stage.
 *   d. 50 jobs through `POST /worker/jobs` (API Gateway → SQS, no Lambda; straight to the queue
 *      with SendMessage where the endpoint lacks the integration, reason printed), 30 % poison.
 *      Every good job's effect is observed once, every poison job ends in the DLQ, and
 *      sent = processed + DLQ: nothing lost, nothing duplicated.
 *   g. `faas dlq peek worker` shows the DLQ; `faas dlq redrive worker` moves its messages back
 *      (SQS StartMessageMoveTask) and the worker receives them again — where the endpoint has
 *      message move tasks (probed).
 *
 * The worker's only effect is its structured log line `job done` (jobId, messageId) in
 * CloudWatch Logs: processed = distinct job ids with such a line, a duplicate = a job id with two.
 * Poison jobs fail parseJob (unknown action, bad id, text not a string) on every receive; the
 * worker hides them for its backoff, then SQS moves them to the DLQ after maxReceiveCount (5).
 * With the dev stage's backoff (base 10 s) that takes up to 150 s; when the live version's
 * backoff would not fit DLQ_BUDGET_MS, the test publishes a version that differs only in
 * BACKOFF_BASE_SECONDS/BACKOFF_MAX_SECONDS, points live at it, prints so, and restores live after.
 */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { backoffSeconds } from '../../functions/worker/backoff';
import { capabilities, formatMatrix, waitReady } from './harness/capabilities';
import { API_KEY_HEADER, apiKeyValue } from './harness/api-access';
import { routeUrls } from './harness/data-plane';
import { lambdaClient, readDeployment, allOutputs } from './harness/deployment';
import { REGION } from './harness/emulator';
import { runFaas } from './harness/faas-cli';
import { jsonLine, logEvents, logGroupOf } from './harness/logs';
import { scenarioTest, scenarioTestUnless } from './harness/scenario-report';

const deployment = readDeployment();
const caps = capabilities(deployment);
console.log(formatMatrix(deployment.endpoint, caps));

const outputs = allOutputs(deployment);
const queueUrl = outputs.Queueworker;
const dlqUrl = outputs.Dlqworker;
const workerName = outputs.Functionworker;
const jobsUrl = routeUrls(deployment.outputs, deployment.endpoint).find(
  (r) => r.method === 'POST' && r.path.endsWith('/worker/jobs'),
)?.live;

const JOBS = 50;
/** 30 %: indices 0, 3, 6 of every ten. */
const isPoison = (seq: number) => [0, 3, 6].includes(seq % 10);
/** Bound on waiting for every good effect and every poison job in the DLQ. */
const DLQ_BUDGET_MS = 120_000;
/** After everything is accounted for: how long to keep watching for late duplicates. */
const SETTLE_MS = 3_000;
/** Backoff of the test version when the live one's does not fit the budget. */
const SHORT_BACKOFF = { BACKOFF_BASE_SECONDS: '1', BACKOFF_MAX_SECONDS: '4' };

const lambda = lambdaClient(deployment);
const sqs = new SQSClient({ endpoint: deployment.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const run = `d${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let logGroup: string;
let originalLive: { version: string; weights: Record<string, number> } | undefined;
let maxReceiveCount = 5;
/** Filled by d, used by g. */
const poisonSeqs = new Set<number>();
let dCompleted = false;

interface JobBody {
  run: string;
  seq: number;
  id: unknown;
  action: unknown;
  text: unknown;
}

function job(seq: number): JobBody {
  const id = `${run}-${seq}`;
  if (!isPoison(seq)) return { run, seq, id, action: seq % 2 ? 'uppercase' : 'wordcount', text: `job ${seq} of run ${run}` };
  switch (seq % 3) {
    case 0:
      return { run, seq, id, action: 'explode', text: 'unknown action' };
    case 1:
      return { run, seq, id: `bad id ${seq}`, action: 'uppercase', text: 'id with spaces' };
    default:
      return { run, seq, id, action: 'wordcount', text: 42 };
  }
}

/** Worst-case seconds from the first receive to the DLQ, with the worker's backoff (ceilings, no jitter luck). */
function worstCaseSeconds(base: number, max: number, receives: number): number {
  let total = 0;
  for (let k = 1; k < receives; k++) total += backoffSeconds(k, { baseSeconds: base, maxSeconds: max }, () => 1);
  return total;
}

/** The worker's `job done` lines of this run: job id → how many times. And `job failed` count. */
async function workerEffects(since: number): Promise<{ done: Map<string, number>; failed: number }> {
  const done = new Map<string, number>();
  let failed = 0;
  for (const event of await logEvents(deployment.endpoint, logGroup, since)) {
    const line = jsonLine(event.message);
    if (!line) continue;
    if (line.message === 'job done' && typeof line.jobId === 'string' && line.jobId.startsWith(`${run}-`))
      done.set(line.jobId, (done.get(line.jobId) ?? 0) + 1);
    if (line.message === 'job failed') failed++;
  }
  return { done, failed };
}

async function visibleDepth(url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

/**
 * This run's messages in the DLQ, by seq (a seq twice = a duplicate). Reads with a visibility
 * timeout, then makes every message visible again: nothing is consumed (g redrives them).
 */
async function dlqOfRun(): Promise<Map<number, number>> {
  const seen = new Map<string, Message>();
  for (let empty = 0; empty < 2;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0 }),
    );
    const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
    for (const m of fresh) seen.set(m.MessageId!, m);
    empty = fresh.length === 0 ? empty + 1 : 0;
  }
  for (const m of seen.values()) {
    await sqs
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }))
      .catch(() => undefined);
  }
  const bySeq = new Map<number, number>();
  for (const m of seen.values()) {
    try {
      const body = JSON.parse(m.Body ?? '') as Partial<JobBody>;
      if (body.run === run && typeof body.seq === 'number') bySeq.set(body.seq, (bySeq.get(body.seq) ?? 0) + 1);
    } catch {
      // Not one of ours.
    }
  }
  return bySeq;
}

let apiKey: string | undefined;

/** Puts the job on the queue: through the API route when the endpoint has the integration, else SendMessage. */
async function send(body: JobBody, viaApi: boolean): Promise<string> {
  if (viaApi) {
    // POST /worker/jobs is declared auth apiKey: the usage plan's key goes with every job.
    apiKey ??= await apiKeyValue(deployment);
    const response = await fetch(jobsUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [API_KEY_HEADER]: apiKey },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 202) throw new Error(`POST /worker/jobs (seq ${body.seq}) answered ${response.status}: ${text}`);
    const messageId = (JSON.parse(text) as { messageId?: string }).messageId;
    if (!messageId) throw new Error(`POST /worker/jobs answered 202 without a messageId: ${text}`);
    return messageId;
  }
  return (await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }))).MessageId!;
}

beforeAll(async () => {
  expect({ queueUrl, dlqUrl, workerName, jobsUrl }).toEqual({
    queueUrl: expect.any(String),
    dlqUrl: expect.any(String),
    workerName: expect.any(String),
    jobsUrl: expect.any(String),
  });
  logGroup = await logGroupOf(lambda, workerName);
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: workerName, Name: 'live' }));
  originalLive = { version: alias.FunctionVersion!, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} };
  const live = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: workerName, Qualifier: 'live' }));
  const env = live.Environment?.Variables ?? {};
  maxReceiveCount = Number(env.FAAS_MAX_RECEIVE_COUNT ?? 5);
  const base = Number(env.BACKOFF_BASE_SECONDS ?? 10);
  const max = Number(env.BACKOFF_MAX_SECONDS ?? 900);
  const worst = worstCaseSeconds(base, max, maxReceiveCount);
  // Half the budget for backoff: the rest is batching windows, invokes and polling.
  if (worst * 1000 > DLQ_BUDGET_MS / 2) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: workerName }));
    const before = { Environment: { Variables: { ...config.Environment?.Variables } } };
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: workerName,
        Environment: { Variables: { ...config.Environment?.Variables, ...SHORT_BACKOFF } },
      }),
    );
    await waitReady(lambda, workerName);
    const published = await lambda.send(
      new PublishVersionCommand({ FunctionName: workerName, Description: 'integration d: short backoff' }),
    );
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: workerName, ...before }));
    await waitReady(lambda, workerName);
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: workerName,
        Name: 'live',
        FunctionVersion: published.Version!,
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    console.log(
      `d: the live worker (version ${originalLive.version}) backs off base ${base} s, max ${max} s: ` +
        `up to ${worst} s before a poison job reaches the DLQ ` +
        `(maxReceiveCount ${maxReceiveCount}), over half the ${DLQ_BUDGET_MS / 1000} s budget; ` +
        `live → version ${published.Version} = the same code with ` +
        `${JSON.stringify(SHORT_BACKOFF)} (up to ${worstCaseSeconds(1, 4, maxReceiveCount)} s), restored after the file`,
    );
  }
});

afterAll(async () => {
  if (originalLive) {
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: workerName,
        Name: 'live',
        FunctionVersion: originalLive.version,
        RoutingConfig: { AdditionalVersionWeights: originalLive.weights },
      }),
    );
  }
  lambda.destroy();
  sqs.destroy();
});

describe('queue-buffered async (worker)', () => {
  scenarioTest(
    'd',
    `${JOBS} jobs through POST /worker/jobs, 30 % poison: nothing lost, nothing duplicated`,
    async () => {
      // GIVEN the way in: the API route where the endpoint integrates API Gateway with SQS
      const viaApi = caps['api-sqs-integration'].supported;
      if (!viaApi) console.log(`d: sending straight to the queue with SendMessage: ${caps['api-sqs-integration'].reason}`);
      const since = Date.now() - 1_000;

      // WHEN 50 jobs are sent, 5 at a time
      const bodies = Array.from({ length: JOBS }, (_, seq) => job(seq));
      for (const b of bodies) if (isPoison(b.seq)) poisonSeqs.add(b.seq);
      const good = bodies.filter((b) => !isPoison(b.seq)).map((b) => b.id as string);
      const messageIds: string[] = [];
      for (let i = 0; i < bodies.length; i += 5)
        messageIds.push(...(await Promise.all(bodies.slice(i, i + 5).map((b) => send(b, viaApi)))));
      const sentAt = Date.now();
      expect(new Set(messageIds).size).toBe(JOBS);

      // THEN, within the budget: every good job done, every poison job in the DLQ
      let effects = await workerEffects(since);
      let dlq = new Map<number, number>();
      const deadline = sentAt + DLQ_BUDGET_MS;
      for (;;) {
        const allDone = good.every((id) => effects.done.has(id));
        if (allDone && (await visibleDepth(dlqUrl)) >= poisonSeqs.size) {
          dlq = await dlqOfRun();
          if (dlq.size >= poisonSeqs.size) break;
        }
        if (Date.now() > deadline) {
          dlq = await dlqOfRun();
          break;
        }
        await sleep(2_000);
        effects = await workerEffects(since);
      }
      const waitedMs = Date.now() - sentAt;
      // AND nothing more happens after that (late duplicates)
      await sleep(SETTLE_MS);
      effects = await workerEffects(since);

      const processed = good.filter((id) => effects.done.has(id)).length;
      const inDlq = [...dlq.keys()].length;
      const lost = JOBS - processed - inDlq;
      const duplicates = [...effects.done.entries()].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`);
      const dlqDuplicates = [...dlq.entries()].filter(([, n]) => n > 1).map(([seq, n]) => `seq ${seq}×${n}`);
      console.log(
        `d: sent ${JOBS} (${good.length} good, ${poisonSeqs.size} poison) ` +
          `${viaApi ? 'through POST /worker/jobs (202 each)' : 'with SendMessage'}; ` +
          `processed ${processed}, in DLQ ${inDlq}, lost ${lost} = ${JOBS} − ${processed} − ${inDlq}, ` +
          `duplicate effects ${duplicates.length}` +
          `${duplicates.length ? ` (${duplicates.join(', ')})` : ''}; ${effects.failed} failed receives logged; ` +
          `accounted for in ${(waitedMs / 1000).toFixed(1)} s`,
      );
      expect({ lost, duplicates, dlqDuplicates }).toEqual({ lost: 0, duplicates: [], dlqDuplicates: [] });
      // Exactly the good ones have effects, exactly the poison ones are dead.
      expect(good.filter((id) => !effects.done.has(id))).toEqual([]);
      expect([...dlq.keys()].sort((a, b) => a - b)).toEqual([...poisonSeqs].sort((a, b) => a - b));
      dCompleted = true;
    },
    DLQ_BUDGET_MS + 60_000,
  );

  scenarioTest('g (peek)', 'faas dlq peek worker shows the dead jobs without consuming them', async () => {
    // GIVEN d left its poison jobs in the DLQ
    const before = await visibleDepth(dlqUrl);
    expect(before).toBeGreaterThanOrEqual(dCompleted ? poisonSeqs.size : 1);

    // WHEN
    const peek = await runFaas(deployment, ['dlq', 'peek', 'worker', '--max', '10', '--json']);

    // THEN
    expect({ code: peek.code, stderr: peek.stderr }).toEqual({ code: 0, stderr: '' });
    const messages = peek.json.messages as Array<{ body: string; receiveCount?: number }>;
    expect(peek.json).toMatchObject({ function: 'worker', queueUrl: dlqUrl, depth: before });
    expect(messages.length).toBe(Math.min(10, before));
    expect(messages.some((m) => m.body.includes(`"run":"${run}"`))).toBe(true);
    expect(await visibleDepth(dlqUrl)).toBe(before);
    console.log(`g: faas dlq peek worker: depth ${before}, showed ${messages.length}, none consumed (${(peek.ms / 1000).toFixed(1)} s)`);
  });

  scenarioTestUnless(
    caps['sqs-message-move-task'].supported ? undefined : caps['sqs-message-move-task'].reason,
    'g (redrive)',
    'faas dlq redrive worker moves the DLQ back and the worker receives the jobs again',
    async () => {
      // GIVEN the poison jobs of d in the DLQ
      const before = await visibleDepth(dlqUrl);
      expect(before).toBeGreaterThanOrEqual(poisonSeqs.size);
      const since = Date.now() - 1_000;
      const failedBefore = (await workerEffects(since)).failed;

      // WHEN
      const redrive = await runFaas(deployment, ['dlq', 'redrive', 'worker', '--poll', '1s', '--json']);

      // THEN the move task completes
      expect({ code: redrive.code, stderr: redrive.stderr }).toEqual({ code: 0, stderr: '' });
      expect(redrive.json).toMatchObject({ function: 'worker', result: 'completed' });
      expect(Number(redrive.json.moved)).toBeGreaterThanOrEqual(before);
      // AND the worker receives every poison job again (each fails again: a `job failed` line each)
      // AND, still poison, they end up back in the DLQ
      const deadline = Date.now() + DLQ_BUDGET_MS;
      let failedAgain = 0;
      let back = new Map<number, number>();
      for (;;) {
        failedAgain = (await workerEffects(since)).failed - failedBefore;
        if (failedAgain >= poisonSeqs.size && (await visibleDepth(dlqUrl)) >= poisonSeqs.size) {
          back = await dlqOfRun();
          if (back.size >= poisonSeqs.size) break;
        }
        if (Date.now() > deadline) break;
        await sleep(2_000);
      }
      console.log(
        `g: redrive moved ${redrive.json.moved} in ${(redrive.ms / 1000).toFixed(1)} s; ${failedAgain} failed receives after it; ` +
          `${back.size} poison jobs back in the DLQ`,
      );
      expect(failedAgain).toBeGreaterThanOrEqual(poisonSeqs.size);
      expect([...back.keys()].sort((a, b) => a - b)).toEqual([...poisonSeqs].sort((a, b) => a - b));
    },
    DLQ_BUDGET_MS + 60_000,
  );
});
