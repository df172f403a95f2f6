"""Asynchronous invocation as AWS runs it: the invoked qualifier's EventInvokeConfig, retries, event age,
destinations with AWS's invocation record, and the dead-letter queue.

AWS behaviour (Lambda Developer Guide): "How Lambda handles errors and retries with asynchronous invocation"
(invocation-async-error-handling), "Configuring error handling settings for Lambda asynchronous invocations"
(invocation-async-configuring), "Capturing records of Lambda asynchronous invocations"
(invocation-async-retain-records); API reference PutFunctionEventInvokeConfig.

- The config is the one on the invoked qualifier (alias or version; unqualified and $LATEST share one), else
  the defaults: 2 retries, 6 h maximum event age. MiniStack used $LATEST's config for every qualifier.
- A function error is retried MaximumRetryAttempts times. AWS waits 1 min, then 2 min; here the waits are
  FAAS_FIDELITY_ASYNC_RETRY_DELAY_S seconds, then twice that (default 2 s then 4 s; set 60 for AWS's
  timing). A throttled attempt is queued again with backoff and does not count as an attempt.
- An event older than MaximumEventAgeInSeconds is not run again: it goes to OnFailure as EventAgeExceeded.
- OnSuccess / OnFailure receive the invocation record (SQS, SNS, Lambda, EventBridge) with the condition and
  the number of attempts made; the DeadLetterConfig target (SQS, SNS) receives the event itself with the
  RequestID / ErrorCode / ErrorMessage attributes, in addition to or instead of OnFailure.
- Each attempt is one invocation. The first runs what the caller resolved; a retry resolves the qualifier again
  with routing.pick (one weighted draw per attempt: AWS does not document whether a retry redraws, so we treat
  it as a new invocation). Every attempt publishes Lambda metrics: through MiniStack's `_emit_lambda_metrics`,
  or, for a record routing picked, through the metrics module's metering of `_execute_function`.
- The record's requestId is one per event, made here: MiniStack's 202 carries a different request id.

MiniStack functions patched (ministack.services):
- lambda_svc.invoke_async_with_retry: replaced (its loop read $LATEST's config and sent no OnSuccess).
- lambda_svc._invoke: wrapped, to remember the qualifier the caller invoked before any resolution.
- lambda_svc._emit_lambda_metrics: wrapped, to drop the zero-duration sample `_invoke` writes when it only
  queues an Event (AWS counts the attempts, which now publish their own).
- s3._deliver_event_to_lambda: wrapped, to remember the notification's function ARN (alias included).
- eventbridge._dispatch_to_lambda: replaced; EventBridge invokes Lambda asynchronously on AWS, MiniStack ran
  the function once on a thread.
"""
from __future__ import annotations

import contextvars
import datetime
import json
import logging
import os
import threading
import time

from . import added
from .routing import INVOCATION_KEY, pick

logger = logging.getLogger("faas-fidelity.async")

RETRY_DELAY_S = float(os.environ.get("FAAS_FIDELITY_ASYNC_RETRY_DELAY_S", "2"))
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE_S = 21600
THROTTLE_BACKOFF_MAX_S = 300

# The function ARN the caller invoked (with its qualifier), set by the wrappers around the entry points.
_invoked_arn: contextvars.ContextVar[str | None] = contextvars.ContextVar("faas_invoked_arn", default=None)
# Set while `_invoke` handles an Event invoke: its own zero-duration metrics sample is dropped.
_queuing_event: contextvars.ContextVar[str | None] = contextvars.ContextVar("faas_queuing_event", default=None)


def apply() -> None:
    from ministack.services import eventbridge, lambda_svc, s3

    original_invoke = lambda_svc._invoke
    original_emit = lambda_svc._emit_lambda_metrics
    original_s3_deliver = s3._deliver_event_to_lambda

    async def invoke(name, event, headers, path_qualifier=None, query_params=None):
        qp_first = lambda_svc._qp_first
        qualifier = path_qualifier or qp_first(query_params or {}, "Qualifier") or qp_first(headers, "x-amz-qualifier")
        queued = (headers.get("x-amz-invocation-type") or headers.get("X-Amz-Invocation-Type")) == "Event"
        arn = lambda_svc._func_arn(name) + (f":{qualifier}" if qualifier else "")
        # Before routing may hand `_invoke` a drawn version: the config and the record follow the alias.
        arn_token = _invoked_arn.set(arn if queued else None)
        queuing_token = _queuing_event.set(name if queued else None)
        try:
            return await original_invoke(name, event, headers, path_qualifier, query_params)
        finally:
            _queuing_event.reset(queuing_token)
            _invoked_arn.reset(arn_token)

    def emit_lambda_metrics(function_name, duration_ms, error, throttle):
        if _queuing_event.get() == function_name and duration_ms == 0 and not error and not throttle:
            return
        original_emit(function_name, duration_ms, error, throttle)

    def deliver_event_to_lambda(arn, event_payload, bucket_region):
        token = _invoked_arn.set(arn)
        try:
            return original_s3_deliver(arn, event_payload, bucket_region)
        finally:
            _invoked_arn.reset(token)

    def dispatch_to_lambda(arn, payload):
        try:
            event = json.loads(payload)
        except (json.JSONDecodeError, TypeError):
            event = {"body": payload}
        func, config, func_name = lambda_svc._get_func_record_for_ref(arn)
        if not func or not config:
            logger.warning("EventBridge → Lambda: function %s not found", func_name)
            return
        token = _invoked_arn.set(arn)
        try:
            lambda_svc.invoke_async_with_retry(lambda_svc._execution_record_for_config(func, config), event)
        finally:
            _invoked_arn.reset(token)

    lambda_svc._invoke = invoke
    lambda_svc._emit_lambda_metrics = emit_lambda_metrics
    lambda_svc.invoke_async_with_retry = invoke_async_with_retry
    s3._deliver_event_to_lambda = deliver_event_to_lambda
    eventbridge._dispatch_to_lambda = dispatch_to_lambda

    doc = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"
    added("async-config-on-alias", "Async invokes use the invoked alias's/version's EventInvokeConfig "
          "(MaximumRetryAttempts, MaximumEventAgeInSeconds; defaults 2 and 6 h)", doc)
    added("async-on-success-destination", "OnSuccess receives the invocation record (SQS, SNS, Lambda, EventBridge)",
          "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html")
    added("async-failure-record", "OnFailure record says RetriesExhausted or EventAgeExceeded with the attempts made; "
          "the DLQ gets the event", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html")


def invoke_async_with_retry(func: dict, event: dict) -> None:
    """Queue one event, as Lambda's async queue does; `func` is the record the caller resolved for attempt 1."""
    config = func.get("config") or func
    invoked = _invoked_arn.get() or config.get("FunctionArn", "")
    run = contextvars.copy_context().run
    threading.Thread(target=run, args=(_process_event, func, event, invoked), daemon=True,
                     name="faas-async-invoke").start()


def _process_event(func: dict, event, invoked: str) -> None:
    from ministack.core.responses import new_uuid
    from ministack.services import lambda_svc

    _queuing_event.set(None)  # this thread's samples are real attempts
    account_id, region = lambda_svc._account_region_from_function_config({"FunctionArn": invoked})
    lambda_svc._request_account_id.set(account_id)
    lambda_svc._request_region.set(region)
    name, qualifier = lambda_svc._lambda_function_name_and_qualifier_from_arn(invoked)
    base = lambda_svc._functions.get(name)
    if base is None:
        logger.warning("async invoke: function %s vanished before it ran", invoked)
        return
    eic = _event_invoke_config(base, qualifier)
    max_retries = _int(eic.get("MaximumRetryAttempts"), DEFAULT_RETRIES)
    max_age = _int(eic.get("MaximumEventAgeInSeconds"), DEFAULT_MAX_AGE_S)
    ctx = {"requestId": new_uuid(), "invoked": invoked,
           "recordArn": lambda_svc._func_arn(name) + ":" + (qualifier or "$LATEST")}

    queued_at = time.time()
    record, attempts, throttles, last, condition = func, 0, 0, None, None
    while condition is None:
        exec_record = _with_invoked_arn(record, invoked)
        started = time.time()
        result = lambda_svc._execute_function(exec_record, event)
        duration_ms = (time.time() - started) * 1000.0
        # A record routing picked carries its invocation, and the metrics module meters its execution.
        metered = INVOCATION_KEY in exec_record
        if result.get("throttle"):
            # Throttles go back to the queue (1 s doubling to 5 min) and are not attempts; MiniStack's
            # _execute_function already published the Throttles sample.
            wait = min(2.0 ** throttles, THROTTLE_BACKOFF_MAX_S)
            throttles += 1
        else:
            attempts, last = attempts + 1, (exec_record, result)
            _log_attempt(exec_record, result, attempts)
            if not metered:
                lambda_svc._emit_lambda_metrics(name, duration_ms=duration_ms, error=bool(result.get("error")),
                                                throttle=False)
            if not result.get("error"):
                condition = "Success"
                break
            if attempts > max_retries:
                condition = "RetriesExhausted"
                break
            wait = RETRY_DELAY_S * attempts  # AWS: 1 min before the 2nd attempt, 2 min before the 3rd
        # The event waits in the queue; past its maximum age it is discarded rather than run.
        expires_at = queued_at + max_age
        time.sleep(max(0.0, min(time.time() + wait, expires_at + 0.01) - time.time()))
        if time.time() - queued_at > max_age:
            condition = "EventAgeExceeded"
            break
        # A retry is a new invocation of the qualifier: drawn again over an alias's weights.
        record = pick(base, qualifier)[0] or func  # the alias/version deleted meanwhile: rerun what started

    ctx.update(condition=condition, attempts=attempts)
    _finish(base, eic, event, ctx, last)


def _event_invoke_config(base: dict, qualifier: str | None) -> dict:
    """The config on the invoked qualifier; unqualified and $LATEST are one qualifier on AWS."""
    configs = base.get("event_invoke_configs") or {}
    keys = ("", "$LATEST") if qualifier in (None, "$LATEST") else (qualifier,)
    for key in keys:
        if configs.get(key):
            return configs[key]
    if qualifier in (None, "$LATEST") and base.get("event_invoke_config"):
        return base["event_invoke_config"]
    return {}


def _with_invoked_arn(record: dict, invoked: str) -> dict:
    # The runtime's invokedFunctionArn is the ARN the caller invoked (as `_invoke` sets it for direct calls).
    exec_record = dict(record)
    exec_record["config"] = dict(record.get("config") or record)
    exec_record["config"]["FunctionArn"] = invoked
    return exec_record


def _executed_version(exec_record: dict) -> str:
    return (exec_record.get("config") or {}).get("Version") or "$LATEST"


def _log_attempt(exec_record: dict, result: dict, attempt: int) -> None:
    if result.get("log"):
        fn = (exec_record.get("config") or {}).get("FunctionName", "?")
        logger.info("Lambda %s async output (attempt %d):\n%s", fn, attempt, result["log"])


def _int(value, default: int) -> int:
    return default if value is None else int(value)


def _invocation_record(event, ctx: dict, last) -> dict:
    now = datetime.datetime.now(datetime.timezone.utc)
    record = {
        "version": "1.0",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "requestContext": {"requestId": ctx["requestId"], "functionArn": ctx["recordArn"],
                           "condition": ctx["condition"], "approximateInvokeCount": ctx["attempts"]},
        "requestPayload": event,
    }
    if last is not None:
        exec_record, result = last
        response = {"statusCode": 200, "executedVersion": _executed_version(exec_record)}
        if result.get("error"):
            response["functionError"] = result.get("function_error") or "Unhandled"
        record["responseContext"] = response
        record["responsePayload"] = result.get("body")
    return record


def _finish(base: dict, eic: dict, event, ctx: dict, last) -> None:
    destinations = eic.get("DestinationConfig") or {}
    success = ctx["condition"] == "Success"
    target = ((destinations.get("OnSuccess" if success else "OnFailure") or {}).get("Destination")) or ""
    if target:
        _deliver_record(target, _invocation_record(event, ctx, last), success)
    if not success:
        dlq = ((base.get("config") or {}).get("DeadLetterConfig") or {}).get("TargetArn") or ""
        if dlq:
            _deliver_dead_letter(dlq, event, ctx, last)


def _deliver_record(target: str, record: dict, success: bool) -> None:
    from ministack.services import lambda_svc

    service = target.split(":")[2] if target.count(":") >= 5 else ""
    body = json.dumps(record)
    try:
        if service == "sqs":
            _send_to_queue(target, body, {})
        elif service == "sns":
            _publish_to_topic(target, body, {})
        elif service == "lambda":
            # A Lambda destination is itself invoked asynchronously (with its own config).
            func, config, _name = lambda_svc._get_func_record_for_ref(target)
            if not func:
                raise LookupError(f"destination function not found: {target}")
            token = _invoked_arn.set(target)
            try:
                invoke_async_with_retry(lambda_svc._execution_record_for_config(func, config), record)
            finally:
                _invoked_arn.reset(token)
        elif service == "events":
            from ministack.services import eventbridge

            outcome = "Success" if success else "Failure"
            eventbridge._put_events({"Entries": [{
                "Source": "lambda", "DetailType": f"Lambda Function Invocation Result - {outcome}",
                "Detail": body, "EventBusName": target, "Resources": [record["requestContext"]["functionArn"]],
            }]})
        else:
            raise LookupError(f"unsupported destination: {target}")
    except Exception as exc:  # AWS counts DestinationDeliveryFailures; the event is not retried
        logger.error("async invoke: record for %s not delivered to %s: %s",
                     record["requestContext"]["functionArn"], target, exc)


def _deliver_dead_letter(target: str, event, ctx: dict, last) -> None:
    # "For dead-letter queues, Lambda only sends the content of the event, without details about the response."
    result = last[1] if last else {}
    body = result.get("body")
    message = body.get("errorMessage", "") if isinstance(body, dict) else str(body or "")
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": ctx["requestId"]},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": (message or ctx["condition"])[:1024]},
    }
    try:
        if target.split(":")[2] == "sqs":
            _send_to_queue(target, json.dumps(event), attributes)
        else:
            _publish_to_topic(target, json.dumps(event), attributes)
    except Exception as exc:  # AWS counts DeadLetterErrors
        logger.error("async invoke: event for %s not delivered to DLQ %s: %s", ctx["recordArn"], target, exc)


def _send_to_queue(queue_arn: str, body: str, attributes: dict) -> None:
    from ministack.services import sqs

    queue = sqs._queue_by_arn(queue_arn)
    if queue is None:
        raise LookupError(f"queue not found: {queue_arn}")
    # SendMessage's own code: digests, size limit, delay and the consumers' wake-up.
    sqs._act_send_message({"QueueUrl": queue["url"], "MessageBody": body, "MessageAttributes": attributes},
                          queue["url"])


def _publish_to_topic(topic_arn: str, body: str, attributes: dict) -> None:
    from ministack.core.responses import new_uuid
    from ministack.services import sns

    if topic_arn not in sns._topics:
        raise LookupError(f"topic not found: {topic_arn}")
    sns._fanout(topic_arn, new_uuid(), body, "", "", attributes)
