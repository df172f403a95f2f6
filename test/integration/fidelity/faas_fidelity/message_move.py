"""SQS dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask.

AWS behaviour: SQS API Reference, API_StartMessageMoveTask / API_ListMessageMoveTasks / API_CancelMessageMoveTask,
and the SQS Developer Guide "Configure a dead-letter queue redrive" (sqs-configure-dead-letter-queue-redrive):
- the source must be a queue some queue's RedrivePolicy names as its dead-letter queue, else InvalidParameterValue
  "Source queue must be configured as a Dead Letter Queue."; one RUNNING task per source queue;
- without DestinationArn each message goes back to the queue it was dead-lettered from. MiniStack records that
  queue on the message (DeadLetterQueueSourceArn); a message that has none (sent to the DLQ directly) goes to the
  first queue whose RedrivePolicy targets the DLQ, where AWS documents no rule;
- the messages counted at the start (ApproximateNumberOfMessagesToMove) move oldest first, at most
  MaxNumberOfMessagesPerSecond (1-500) a second, unthrottled when absent; each becomes a new message (new
  MessageId and enqueue time) with its body and message attributes; FIFO ones keep their group and use the
  original MessageId as deduplication id;
- status RUNNING, then COMPLETED, CANCELLED (CancelMessageMoveTask; moved messages stay moved) or FAILED
  (FailureReason AWS.SimpleQueueService.NonExistentQueue when a queue disappears); ListMessageMoveTasks returns
  the most recent tasks first (MaxResults 1-10, default 1), TaskHandle only while RUNNING. The error codes and
  messages are the ones AWS answers; cancelling a task that is no longer RUNNING answers InvalidParameterValue
  (AWS's exact wording for that case is not documented).

MiniStack functions patched (ministack.services.sqs):
- _HANDLERS: the three actions added to the table `_dispatch` reads, so the JSON protocol (X-Amz-Target
  AmazonSQS.*, AWS SDK v3) and the query protocol both reach them.
- _normalise, _to_xml: wrapped, for these actions' query-protocol parameters and XML responses only.
- reset: wrapped, so /_ministack/reset also forgets tasks (and stops running ones).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from xml.sax.saxutils import escape

from . import added

MAX_TASKS_LISTED = 10
_tasks: dict[str, list[dict]] = {}  # source queue ARN -> its tasks, most recent first


def apply() -> None:
    from ministack.services import sqs

    sqs._HANDLERS.update({
        "StartMessageMoveTask": _start,
        "ListMessageMoveTasks": _list,
        "CancelMessageMoveTask": _cancel,
    })
    original_normalise, original_to_xml, original_reset = sqs._normalise, sqs._to_xml, sqs.reset

    def normalise(action, params):
        data = original_normalise(action, params)
        if action in ("StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask"):
            for key in ("SourceArn", "DestinationArn", "MaxNumberOfMessagesPerSecond", "MaxResults", "TaskHandle"):
                if sqs._p(params, key):
                    data[key] = sqs._p(params, key)
        return data

    def to_xml(action, result):
        if action == "StartMessageMoveTask":
            inner = f"<TaskHandle>{escape(result['TaskHandle'])}</TaskHandle>"
        elif action == "CancelMessageMoveTask":
            inner = f"<ApproximateNumberOfMessagesMoved>{result['ApproximateNumberOfMessagesMoved']}</ApproximateNumberOfMessagesMoved>"
        elif action == "ListMessageMoveTasks":
            inner = "".join(
                "<ListMessageMoveTasksResultEntry>"
                + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in entry.items())
                + "</ListMessageMoveTasksResultEntry>"
                for entry in result["Results"])
        else:
            return original_to_xml(action, result)
        return sqs._xml_resp(200, f"{action}Response", f"<{action}Result>{inner}</{action}Result>")

    def reset():
        for tasks in _tasks.values():
            for task in tasks:
                task["cancel"] = True
        _tasks.clear()
        original_reset()

    sqs._normalise, sqs._to_xml, sqs.reset = normalise, to_xml, reset
    added("sqs-message-move-task", "StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask redrive a "
          "dead-letter queue (to its source queues or a DestinationArn)",
          "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html")


def _err(code: str, message: str, status: int = 400):
    from ministack.services import sqs

    return sqs._Err(code, message, status)


def _queue(arn: str, parameter: str) -> dict:
    from ministack.services import sqs

    queue = sqs._queue_by_arn(arn) if arn else None
    if queue is None:
        raise _err("ResourceNotFoundException", f"The resource that you specified for the {parameter} parameter doesn't exist.", 404)
    return queue


def _redrive_sources(dlq_arn: str) -> list[dict]:
    """Queues (same account and Region) whose RedrivePolicy names this queue as their dead-letter queue."""
    from ministack.services import sqs

    sources = []
    for queue in list(sqs._queues.values()):
        try:
            policy = json.loads(queue["attributes"].get("RedrivePolicy") or "{}")
        except (TypeError, ValueError):
            continue
        if isinstance(policy, dict) and policy.get("deadLetterTargetArn") == dlq_arn:
            sources.append(queue)
    return sources


def _bounded_int(data: dict, key: str, low: int, high: int) -> int | None:
    if data.get(key) in (None, ""):
        return None
    try:
        value = int(data[key])
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise _err("InvalidParameterValue",
                   f"Value for parameter {key} is invalid. Reason: You must enter a number that's between {low} and {high}.")
    return value


def _source(data: dict):
    """SourceArn of the request and its queue: required, and the queue must exist."""
    source_arn = data.get("SourceArn") or ""
    if not source_arn:
        raise _err("MissingParameter", "The request must contain the parameter SourceArn.")
    return source_arn, _queue(source_arn, "SourceArn")


def _start(data: dict, _url: str) -> dict:
    from ministack.core.responses import new_uuid

    source_arn, source = _source(data)
    sources = _redrive_sources(source_arn)
    if not sources:
        raise _err("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
    destination_arn = data.get("DestinationArn") or None
    if destination_arn:
        _queue(destination_arn, "DestinationArn")
    rate = _bounded_int(data, "MaxNumberOfMessagesPerSecond", 1, 500)
    tasks = _tasks.setdefault(source_arn, [])
    if any(t["Status"] == "RUNNING" for t in tasks):
        raise _err("InvalidParameterValue",
                   "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")

    now = time.time()
    to_move = [m for m in source["messages"] if m["visible_at"] <= now]  # in flight: not movable now
    task_id = new_uuid()
    task = {
        "id": task_id,
        "TaskHandle": base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source_arn}).encode()).decode(),
        "Status": "RUNNING", "SourceArn": source_arn, "DestinationArn": destination_arn,
        "MaxNumberOfMessagesPerSecond": rate, "ApproximateNumberOfMessagesMoved": 0,
        "ApproximateNumberOfMessagesToMove": len(to_move), "StartedTimestamp": int(now * 1000), "cancel": False,
    }
    tasks.insert(0, task)
    del tasks[MAX_TASKS_LISTED:]
    # On the server's event loop, like every SQS action, so the mover never races a request on the same list.
    task["runner"] = asyncio.get_running_loop().create_task(_move(task, to_move, sources[0]["attributes"]["QueueArn"]))
    return {"TaskHandle": task["TaskHandle"]}


async def _move(task: dict, messages: list[dict], fallback_arn: str) -> None:
    from ministack.services import sqs

    interval = 1.0 / task["MaxNumberOfMessagesPerSecond"] if task["MaxNumberOfMessagesPerSecond"] else 0.0
    for message in messages:
        if task["cancel"]:
            task["Status"] = "CANCELLED"
            return
        source = sqs._queue_by_arn(task["SourceArn"])
        target_arn = task["DestinationArn"] or message.get("sys", {}).get("DeadLetterQueueSourceArn") or fallback_arn
        target = sqs._queue_by_arn(target_arn)
        if source is None or target is None:
            task.update(Status="FAILED", FailureReason="AWS.SimpleQueueService.NonExistentQueue")
            return
        with sqs._queues_lock:  # the ESM poller thread takes it to receive
            # Skipped if a consumer received or deleted it since the task started.
            still_there = any(m is message for m in source["messages"]) and message["visible_at"] <= time.time()
            if still_there:
                sqs._act_send_message(_resend_request(message, target), target["url"])
                source["messages"] = [m for m in source["messages"] if m is not message]
        if still_there:
            task["ApproximateNumberOfMessagesMoved"] += 1
        await asyncio.sleep(interval)
    task["Status"] = "COMPLETED"


def _resend_request(message: dict, target: dict) -> dict:
    """SendMessage's own request: a new message with the body and message attributes."""
    request = {"QueueUrl": target["url"], "MessageBody": message["body"], "DelaySeconds": 0}
    if message.get("message_attributes"):
        request["MessageAttributes"] = message["message_attributes"]
    if target.get("is_fifo"):
        request.pop("DelaySeconds")
        request["MessageGroupId"] = message.get("group_id") or "redrive"
        request["MessageDeduplicationId"] = message["id"]
    return request


def _entry(task: dict) -> dict:
    entry = {"SourceArn": task["SourceArn"], "Status": task["Status"], "StartedTimestamp": task["StartedTimestamp"],
             "ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"],
             "ApproximateNumberOfMessagesToMove": task["ApproximateNumberOfMessagesToMove"]}
    if task["Status"] == "RUNNING":
        entry["TaskHandle"] = task["TaskHandle"]
    for optional in ("DestinationArn", "MaxNumberOfMessagesPerSecond", "FailureReason"):
        if task.get(optional) is not None:
            entry[optional] = task[optional]
    return entry


def _list(data: dict, _url: str) -> dict:
    source_arn, _ = _source(data)
    limit = _bounded_int(data, "MaxResults", 1, MAX_TASKS_LISTED) or 1
    return {"Results": [_entry(t) for t in _tasks.get(source_arn, [])[:limit]]}


def _cancel(data: dict, _url: str) -> dict:
    try:
        handle = json.loads(base64.b64decode(data.get("TaskHandle") or "", validate=True))
        task_id, source_arn = handle["taskId"], handle["sourceArn"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise _err("InvalidParameterValue", "Value for parameter TaskHandle is invalid.") from None
    _queue(source_arn, "SourceArn")
    task = next((t for t in _tasks.get(source_arn, []) if t["id"] == task_id), None)
    if task is None:
        raise _err("ResourceNotFoundException", "Task does not exist.", 404)
    if task["Status"] != "RUNNING":
        raise _err("InvalidParameterValue", f"Only a RUNNING task can be cancelled; this one is {task['Status']}.")
    # Moves stop before the next message; what has moved stays moved.
    task["cancel"] = True
    task["Status"] = "CANCELLED"
    return {"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]}
