/**
 * `faas dlq peek` and `faas dlq redrive` against the dlq queue URL of the function's FaasIndex output.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { runCli } from '../../../cli/commands/program';
import { FN, fakeAws, fakeTerminal, indexOutput, sqsMock } from './fake-aws';

const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/faas-dev-hello-dlq';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:123456789012:faas-dev-hello-dlq';

function withDlq(visible: number): void {
  fakeAws({ primary: '3', outputs: indexOutput({ name: 'hello', functionName: FN, dlq: DLQ_URL }) });
  sqsMock.on(GetQueueAttributesCommand).resolves({
    Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: '0' },
  });
}

describe('faas dlq', () => {
  it('peek shows messages without consuming them (visibility timeout 0, no delete)', async () => {
    // GIVEN
    withDlq(2);
    sqsMock.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm-1', Body: '{"job":1}', Attributes: { SentTimestamp: '1795000000000', ApproximateReceiveCount: '3' } }],
    });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['dlq', 'peek', 'hello', '--max', '5'], term.runtime);

    // THEN
    expect(code).toBe(0);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: DLQ_URL, MaxNumberOfMessages: 5, VisibilityTimeout: 0 });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(term.stdout()).toMatch(/hello DLQ: 2 messages \(0 in flight\); showing 1, none consumed\n {2}m-1 .* received 3×: \{"job":1\}/);
  });

  it('redrive starts a move task and polls until it completes', async () => {
    // GIVEN 40 messages; the task reports RUNNING twice, then COMPLETED
    withDlq(40);
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 10, ApproximateNumberOfMessagesToMove: 40 }],
      })
      .resolvesOnce({
        Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 30, ApproximateNumberOfMessagesToMove: 40 }],
      })
      .resolves({
        Results: [
          { TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 40, ApproximateNumberOfMessagesToMove: 40 },
        ],
      });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['dlq', 'redrive', 'hello', '--rate', '50', '--json'], term.runtime);

    // THEN
    expect(code).toBe(0);
    expect(sqsMock).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, { SourceArn: DLQ_ARN, MaxNumberOfMessagesPerSecond: 50 });
    expect(sqsMock).toHaveReceivedCommandTimes(ListMessageMoveTasksCommand, 3);
    expect(term.sleeps).toEqual([5000, 5000, 5000]);
    expect(JSON.parse(term.stdout())).toEqual({ function: 'hello', queueUrl: DLQ_URL, result: 'completed', moved: 40, handle: 'task-1' });
  });

  it('redrive reports a failed task as an AWS error (exit 4)', async () => {
    withDlq(5);
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [{ TaskHandle: 'task-2', Status: 'FAILED', FailureReason: 'AccessDenied', ApproximateNumberOfMessagesMoved: 1 }],
    });
    const term = fakeTerminal();
    expect(await runCli(['dlq', 'redrive', 'hello'], term.runtime)).toBe(4);
    expect(term.stderr()).toMatch(/error: redrive of hello DLQ FAILED: AccessDenied after 1 messages\n {2}fix: /);
  });

  it('redrive --dry-run and an empty DLQ start nothing', async () => {
    withDlq(7);
    const dry = fakeTerminal();
    expect(await runCli(['dlq', 'redrive', 'hello', '--dry-run'], dry.runtime)).toBe(0);
    expect(dry.stdout()).toMatch(/dry run: would move ~7 messages/);
    withDlq(0);
    const empty = fakeTerminal();
    expect(await runCli(['dlq', 'redrive', 'hello'], empty.runtime)).toBe(0);
    expect(empty.stdout()).toMatch(/DLQ is empty/);
    expect(sqsMock).toHaveReceivedCommandTimes(StartMessageMoveTaskCommand, 0);
  });

  it('peek on a function without a DLQ says how to get one', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['dlq', 'peek', 'hello'], term.runtime)).toBe(2);
    expect(term.stderr()).toBe(
      'error: function hello has no DLQ; declare async/queue settings\n' +
        '  fix: declare them for "hello" in faas.config.ts and deploy (its FaasIndex output then names the queue)\n',
    );
  });
});
