"""A function error names the error the handler threw, as Lambda's Node.js runtime reports it.

AWS: a Node.js function error's payload is {"errorType": <error.name>, "errorMessage", "trace"}
(Lambda developer guide, "AWS Lambda function errors in Node.js"); the async invocation record's
responsePayload carries the same object. MiniStack 1.5.33's warm Node workers report
"Runtime.HandlerError" for every handler error, though the worker's log carries the stack, whose
first line is "<name>: <message>". This wraps lambda_svc._execute_function_warm and takes the
name from that line; anything else (timeouts, worker crashes, Python) is left as MiniStack says.
"""
from __future__ import annotations

import re

from . import added

_NAME = re.compile(r"^([A-Za-z_$][\w$.]*): ")


def thrown_type(message: str, log: str) -> str | None:
    """The error name on the stack line "<name>: <message>" of the log, if there is one."""
    for line in log.splitlines():
        match = _NAME.match(line.strip())
        if match and line.strip()[match.end():].startswith(message[:200]):
            return match.group(1)
    return None


def apply() -> None:
    from ministack.services import lambda_svc

    original = lambda_svc._execute_function_warm

    def execute(func: dict, event: dict, request_id: str) -> dict:
        result = original(func, event, request_id)
        body = result.get("body") if isinstance(result, dict) else None
        if result.get("error") and isinstance(body, dict) and body.get("errorType") == "Runtime.HandlerError":
            runtime = ((func.get("config") or func).get("Runtime") or "")
            name = thrown_type(str(body.get("errorMessage", "")), result.get("log", "")) if runtime.startswith("nodejs") else None
            if name:
                result = {**result, "body": {**body, "errorType": name}}
        return result

    lambda_svc._execute_function_warm = execute
    added(
        "function-error-type",
        "a Node.js function error's errorType is the thrown error's name (sync answers and async invocation records)",
        "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html",
    )
