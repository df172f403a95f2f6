"""Lambda metrics per alias and version, and CloudWatch reading and alarming on them as AWS does.

per-version-lambda-metrics — Lambda publishes Invocations, Errors, Throttles and Duration under
{FunctionName}, {FunctionName, Resource} (Resource = "<fn>:<qualifier>" for a qualified invocation) and,
for an alias, {FunctionName, Resource, ExecutedVersion}. MiniStack's `lambda_svc._emit_lambda_metrics`
records {FunctionName} only, and only `_invoke` (and ALB) call it. Patched: `_emit_lambda_metrics` adds the
qualified sets for the invocation `routing` is serving; `_execute_function` meters qualified invocations
that arrive through the resolver (API Gateway, event source mappings, S3, EventBridge ...), which MiniStack
does not meter at all. Unqualified invocations are metered exactly as before.
GetMetricData (`cloudwatch._get_metric_data`, JSON and CBOR protocols): a query's dimension set must equal
the datum's (MiniStack sums every dimension set when a query has none), and periods start at StartTime
(rounded down to the minute) instead of the epoch, so Period = EndTime - StartTime is one datapoint.

alarm-dimensions — `cloudwatch._evaluate_alarm` matches namespace + metric name over one window. Patched:
only datapoints whose dimensions equal the alarm's, one value per Period (Statistic or ExtendedStatistic)
for the last EvaluationPeriods periods, ALARM when DatapointsToAlarm of them breach, TreatMissingData as
documented. MiniStack evaluates on PutMetricData only; Lambda's internal metrics never trigger it, so a
timer evaluates every alarm every FAAS_ALARM_EVAL_SECONDS (default 2; AWS: about once a minute).
A state set with SetAlarmState (`cloudwatch._set_alarm_state`) holds for one Period, as on AWS it holds
until the next evaluation.
"""
from __future__ import annotations

import contextvars
import os
import threading
import time

from . import added
from .routing import INVOCATION_KEY, Invocation, current

ALARM_EVAL_SECONDS = float(os.environ.get("FAAS_ALARM_EVAL_SECONDS", "2"))


def apply() -> None:
    _apply_lambda_metrics()
    _apply_get_metric_data()
    _apply_alarms()


# --- Lambda: the qualified dimension sets ------------------------------------------------------


def _record_qualified(invocation: Invocation | None, function_name: str, duration_ms: float,
                      error: bool, throttle: bool) -> None:
    """The {FunctionName, Resource} and {…, ExecutedVersion} datapoints of one invocation, once."""
    if invocation is None or invocation.function_name != function_name or invocation.metered:
        return
    invocation.metered = True
    from ministack.services import cloudwatch

    sets = [{"FunctionName": function_name, "Resource": invocation.resource}]
    if invocation.executed_version:
        sets.append({**sets[0], "ExecutedVersion": invocation.executed_version})
    for dims in sets:
        if throttle:
            # A throttled request is not an invocation (AWS: Invocations "does not include throttled attempts").
            cloudwatch.record_metric("AWS/Lambda", "Throttles", 1, "Count", dims)
            continue
        cloudwatch.record_metric("AWS/Lambda", "Invocations", 1, "Count", dims)
        cloudwatch.record_metric("AWS/Lambda", "Errors", 1 if error else 0, "Count", dims)
        cloudwatch.record_metric("AWS/Lambda", "Throttles", 0, "Count", dims)
        if duration_ms > 0:
            cloudwatch.record_metric("AWS/Lambda", "Duration", duration_ms, "Milliseconds", dims)


def _apply_lambda_metrics() -> None:
    from ministack.services import lambda_svc

    original_emit = lambda_svc._emit_lambda_metrics

    def emit(function_name, duration_ms, error, throttle):
        original_emit(function_name, duration_ms=duration_ms, error=error, throttle=throttle)
        _record_qualified(current(), function_name, duration_ms, error, throttle)

    lambda_svc._emit_lambda_metrics = emit

    inner_execute = lambda_svc._execute_function  # routing's: it serves the invocation the record carries

    def execute(func, event):
        picked = func.get(INVOCATION_KEY) if isinstance(func, dict) else None
        if picked is None:
            return inner_execute(func, event)  # `_invoke` / ALB meter these themselves
        invocation = picked.fresh()
        func = {**func, INVOCATION_KEY: invocation}
        started = time.time()
        result = inner_execute(func, event)
        if not invocation.metered:  # a throttle inside `_execute_function` was metered already
            config = func.get("config") or func
            name = config.get("FunctionName", "")
            args = ((time.time() - started) * 1000.0, bool(result.get("error")), bool(result.get("throttle")))
            # In the function's own account and region, as `_invoke` records it.
            lambda_svc._run_with_function_config_scope(config, original_emit, name, *args)
            lambda_svc._run_with_function_config_scope(config, _record_qualified, invocation, name, *args)
        return result

    lambda_svc._execute_function = execute

    added(
        "per-version-lambda-metrics",
        "AWS/Lambda Invocations, Errors, Throttles and Duration under {FunctionName}, {FunctionName, Resource} "
        "and, for alias invocations, {FunctionName, Resource, ExecutedVersion}; GetMetricData matches the "
        "dimension set exactly and buckets periods from StartTime",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
    )


# --- CloudWatch GetMetricData -------------------------------------------------------------------


def _points(namespace: str, metric_name: str, dimensions: list) -> list:
    """The datapoints of exactly this metric: the stored key is (namespace, name, dimension set)."""
    from ministack.services import cloudwatch

    key = cloudwatch._dims_key(cloudwatch._dims_from_list(dimensions or []))
    return list(cloudwatch._metrics.get((namespace, metric_name, key)) or [])


def _series(points: list, start: float, end: float, period: int, stat: str) -> list[tuple[float, float]]:
    """(period start, statistic) per period with data in [start, end), oldest first."""
    from ministack.services import cloudwatch

    buckets: dict[float, list] = {}
    for point in points:
        if start <= point["Timestamp"] < end:
            buckets.setdefault(start + (point["Timestamp"] - start) // period * period, []).append(point)
    series = []
    for at in sorted(buckets):
        value = cloudwatch._stat_value(cloudwatch._calc_stats(buckets[at]), stat, buckets[at])
        if value is not None:
            series.append((at, value))
    return series


def _apply_get_metric_data() -> None:
    from ministack.services import cloudwatch

    original = cloudwatch._get_metric_data

    def get_metric_data(params, cbor_data, is_cbor, is_json=False):
        queries = (cbor_data or {}).get("MetricDataQueries") or []
        if not (is_cbor or is_json) or any(q.get("Expression") for q in queries):
            return original(params, cbor_data, is_cbor, is_json)  # query protocol, metric math: as before
        start = cloudwatch._parse_ts(cbor_data.get("StartTime")) or 0.0
        end = cloudwatch._parse_ts(cbor_data.get("EndTime")) or time.time()
        start -= start % 60  # AWS rounds a recent StartTime down to the minute
        results = []
        for query in queries:
            if query.get("ReturnData", True) is False:
                continue
            stat = query.get("MetricStat") or {}
            metric = stat.get("Metric") or {}
            points = _points(metric.get("Namespace", ""), metric.get("MetricName", ""), metric.get("Dimensions"))
            series = _series(points, start, end, int(stat.get("Period", 60)), stat.get("Stat", "Average"))
            results.append({
                "Id": query.get("Id", ""),
                "Label": query.get("Label", query.get("Id", "")),
                "Timestamps": [cloudwatch._ts_iso(at) for at, _ in series],
                "Values": [value for _, value in series],
                "StatusCode": "Complete",
            })
        if is_cbor:
            return cloudwatch._cbor_ok({"MetricDataResults": [cloudwatch._cbor_metric_data_result(r) for r in results]})
        return cloudwatch._json_ok({"MetricDataResults": results})

    cloudwatch._get_metric_data = get_metric_data


# --- CloudWatch alarms --------------------------------------------------------------------------

_BREACHES = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}

# AlarmArn -> time until which a state set by hand stands.
_held_until: dict[str, float] = {}


def _alarm_state(alarm: dict, now: float) -> tuple[str, str] | None:
    """(state, reason) the alarm's own metric puts it in now, or None to keep the current state."""
    period = int(alarm.get("Period") or 60)
    periods = int(alarm.get("EvaluationPeriods") or 1)
    needed = int(alarm.get("DatapointsToAlarm") or periods)
    stat = alarm.get("ExtendedStatistic") or alarm.get("Statistic") or "Average"
    threshold = float(alarm.get("Threshold") or 0)
    breaches = _BREACHES[alarm["ComparisonOperator"]]
    # The last `periods` whole periods ending now: data stays in the evaluation range for a full period
    # after it arrives, as with AWS's once-a-minute evaluation of completed periods.
    start = now - period * periods
    values = dict(_series(_points(alarm["Namespace"], alarm["MetricName"], alarm.get("Dimensions")),
                          start, now, period, stat))
    treat = alarm.get("TreatMissingData") or "missing"
    if not values and treat in ("missing", "ignore"):
        return None if treat == "ignore" else ("INSUFFICIENT_DATA", "Insufficient Data: no datapoints in the evaluation range")
    breaching = sum(1 for value in values.values() if breaches(value, threshold))
    if treat == "breaching":
        breaching += periods - len(values)
    op = alarm["ComparisonOperator"]
    reason = (f"Threshold Crossed: {breaching} out of the last {periods} datapoints of {stat} were {op} "
              f"the threshold ({threshold}) (minimum {needed} for ALARM)")
    return ("ALARM" if breaching >= needed else "OK"), reason


def _apply_alarms() -> None:
    from ministack.services import cloudwatch

    original_evaluate = cloudwatch._evaluate_alarm

    def evaluate(alarm):
        simple = alarm.get("Namespace") and alarm.get("MetricName") and alarm.get("ComparisonOperator") in _BREACHES
        if not simple:
            return original_evaluate(alarm)  # metric math, anomaly bands: MiniStack's own behaviour
        now = time.time()
        if _held_until.get(alarm.get("AlarmArn", ""), 0) > now:
            return
        outcome = _alarm_state(alarm, now)
        if outcome is None or outcome[0] == alarm["StateValue"]:
            return
        old, (new, reason) = alarm["StateValue"], outcome
        alarm["StateValue"], alarm["StateReason"] = new, reason
        alarm["StateUpdatedTimestamp"] = int(now)
        # The transition bookkeeping MiniStack's own evaluation does.
        cloudwatch._record_history(alarm["AlarmName"], old, new, reason)
        cloudwatch._dispatch_alarm_actions(alarm, old, new, reason)
        cloudwatch._evaluate_parent_alarms(alarm)

    cloudwatch._evaluate_alarm = evaluate

    original_set_state = cloudwatch._set_alarm_state

    def set_alarm_state(params, cbor_data, is_cbor, is_json=False):
        response = original_set_state(params, cbor_data, is_cbor, is_json)
        name = cbor_data.get("AlarmName", "") if (is_cbor or is_json) else cloudwatch._p(params, "AlarmName")
        alarm = cloudwatch._alarms.get(name)
        if alarm:
            _held_until[alarm["AlarmArn"]] = time.time() + int(alarm.get("Period") or 60)
        return response

    cloudwatch._set_alarm_state = set_alarm_state

    original_reset = cloudwatch.reset

    def reset():
        _held_until.clear()
        original_reset()

    cloudwatch.reset = reset

    threading.Thread(target=_evaluate_forever, name="faas-alarm-evaluation", daemon=True).start()

    added(
        "alarm-dimensions",
        "Metric alarms evaluate only datapoints with exactly their Dimensions, per Period over EvaluationPeriods "
        "with DatapointsToAlarm (M of N), Statistic or ExtendedStatistic and TreatMissingData, about every "
        f"{ALARM_EVAL_SECONDS:g} s including Lambda's own metrics; SetAlarmState holds for one Period",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
    )


def _evaluate_forever() -> None:
    from ministack.core.responses import _request_account_id, _request_region
    from ministack.services import cloudwatch

    def in_scope(account, region, alarm):
        _request_account_id.set(account)
        _request_region.set(region)
        cloudwatch._evaluate_alarm(alarm)

    while True:
        time.sleep(ALARM_EVAL_SECONDS)
        # Alarms live per account and region; evaluate each in its own scope, as a request would.
        for (account, region, _name), alarm in list(cloudwatch._alarms._data.items()):
            try:
                contextvars.copy_context().run(in_scope, account, region, alarm)
            except Exception:  # one broken alarm must not stop the others being evaluated
                cloudwatch.logger.debug("alarm evaluation failed", exc_info=True)
