/**
 * `faas dlq peek` and `faas dlq redrive`, against the queue URL the function's FaasIndex output names (dlq).
 */
import { AwsError } from '../adapters/failures';
import { InputError } from '../engine/input-error';
import { parseCount, parseDuration } from '../engine/plan';
import { commandContext, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import type { Runtime } from './runtime';

export interface PeekOptions extends CommonOptions {
  readonly max: string;
}

export interface RedriveOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly rate?: string;
  readonly poll: string;
}

async function dlqOf(ctx: CommandContext, name: string): Promise<{ fn: string; url: string }> {
  const deployed = await ctx.adapters.stack.resolve(name);
  if (!deployed.dlqUrl) {
    throw new InputError(
      `function ${name} has no DLQ; declare async/queue settings`,
      `declare them for "${name}" in faas.config.ts and deploy (its FaasIndex output then names the queue)`,
    );
  }
  return { fn: deployed.functionName, url: deployed.dlqUrl };
}

export async function peek(runtime: Runtime, name: string, options: PeekOptions): Promise<number> {
  const max = parseCount(options.max, 'max');
  if (max < 1 || max > 10)
    throw new InputError(`--max must be from 1 to 10, got: ${options.max}`, 'SQS returns at most 10 messages per read: pass --max 10');
  const ctx = commandContext(runtime, options);
  const { url } = await dlqOf(ctx, name);
  const depth = await ctx.adapters.queue.depth(url);
  const messages = await ctx.adapters.queue.peek(url, max);
  ctx.say(`${name} DLQ: ${depth.visible} messages (${depth.inFlight} in flight); showing ${messages.length}, none consumed`);
  for (const m of messages) {
    const body = m.body.length > 200 ? `${m.body.slice(0, 200)}…` : m.body;
    ctx.say(`  ${m.id} ${m.sentAt ?? ''} received ${m.receiveCount ?? '?'}×: ${body}`);
  }
  ctx.emit({ function: name, queueUrl: url, depth: depth.visible, inFlight: depth.inFlight, messages });
  return EXIT.ok;
}

export async function redrive(runtime: Runtime, name: string, options: RedriveOptions): Promise<number> {
  const rate = options.rate === undefined ? undefined : parseCount(options.rate, 'rate');
  if (rate !== undefined && (rate < 1 || rate > 500))
    throw new InputError(
      `--rate must be from 1 to 500 messages per second, got: ${options.rate}`,
      "pass e.g. --rate 50, or leave it out for SQS's default",
    );
  const pollMs = parseDuration(options.poll, 'poll');
  const ctx = commandContext(runtime, options);
  const { url } = await dlqOf(ctx, name);
  const { queue } = ctx.adapters;
  const depth = await queue.depth(url);
  if (depth.visible === 0) {
    ctx.say(`${name} DLQ is empty: nothing to redrive`);
    ctx.emit({ function: name, queueUrl: url, result: 'empty', moved: 0 });
    return EXIT.ok;
  }
  if (options.dryRun) {
    ctx.say(`dry run: would move ~${depth.visible} messages from ${url} back to their source queue; nothing was changed`);
    ctx.emit({ function: name, queueUrl: url, result: 'dry-run', toMove: depth.visible });
    return EXIT.ok;
  }
  const handle = await queue.startRedrive(depth.arn, rate);
  const progress = runtime.progress(ctx.json);
  progress.event(`redrive started (${handle}): ~${depth.visible} messages`);
  try {
    for (;;) {
      await runtime.sleep(pollMs, runtime.interrupt);
      const task = await queue.redriveStatus(depth.arn, handle);
      if (!task)
        throw new AwsError(
          `move task ${handle} is not listed for ${depth.arn}`,
          'check the queue in the SQS console, then rerun `faas dlq redrive`',
        );
      const total = task.toMove ?? depth.visible;
      progress.update({ label: 'redrive', value: task.moved, total, left: `${task.moved}/${total} moved`, detail: task.status });
      if (task.status === 'COMPLETED') {
        progress.stop();
        ctx.say(`redrive of ${name} DLQ completed: ${task.moved} messages moved`);
        ctx.emit({ function: name, queueUrl: url, result: 'completed', moved: task.moved, handle });
        return EXIT.ok;
      }
      if (task.status === 'FAILED' || task.status === 'CANCELLED') {
        throw new AwsError(
          `redrive of ${name} DLQ ${task.status}: ${task.failureReason ?? 'no reason given'} after ${task.moved} messages`,
          'fix the cause (source queue permissions, KMS), then rerun `faas dlq redrive`',
        );
      }
    }
  } catch (error) {
    progress.stop();
    if ((error as Error).name === 'Interrupted') {
      runtime.stderr.write(`interrupted: the move task ${handle} keeps running in SQS; \`faas dlq peek ${name}\` shows what is left\n`);
      return EXIT.interrupted;
    }
    throw error;
  }
}
