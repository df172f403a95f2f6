"""Weighted alias routing: each invocation of an alias with RoutingConfig runs the additional version
with probability = its weight (AdditionalVersionWeights), else the alias's FunctionVersion.

MiniStack stores the weights but always runs the primary. It resolves an alias in two places, both
patched here: `lambda_svc._effective_func_record_for_qualifier` (API Gateway, function URLs, event
source mappings, S3 / EventBridge / SNS targets, destinations; reached through
`_get_func_record_for_ref[_in_scope]` and `_get_func_record_for_qualifier`) and inline in
`lambda_svc._invoke` (Invoke, InvokeWithResponseStream). `_get_function` / `_get_function_config`
keep answering with the primary: GetFunction on an alias describes it, it does not invoke it.

For other fidelity modules:

    pick(func, qualifier) -> (record, executed_version)

draws once, like an invocation, for a function record (`lambda_svc._functions[name]`) and a qualifier
(alias, version, "$LATEST" or None); record is None when the qualifier does not exist. A record
picked for a qualified invocation carries its `Invocation` under `INVOCATION_KEY`; `current()` is
the invocation being served on this thread (set while `_invoke` or `_execute_function` runs).
"""
from __future__ import annotations

import contextvars
import random
from dataclasses import dataclass, replace

from . import added

INVOCATION_KEY = "_faas_invocation"


@dataclass
class Invocation:
    """What the caller invoked and what ran: the metrics' Resource and ExecutedVersion."""

    function_name: str
    qualifier: str
    executed_version: str | None
    """Set for alias invocations only: Lambda publishes ExecutedVersion for aliases, not versions."""
    alias_arn: str | None = None
    """Set when `_invoke` was redirected to a drawn version: the ARN the handler must still see."""
    metered: bool = False

    @property
    def resource(self) -> str:
        return f"{self.function_name}:{self.qualifier}"

    def fresh(self) -> "Invocation":
        """The same call, not yet metered: each execution of a picked record is one invocation (async retries too)."""
        return replace(self, metered=False)


_current: contextvars.ContextVar[Invocation | None] = contextvars.ContextVar("faas_invocation", default=None)
# Set while a read API (GetFunction) resolves a qualifier: describing an alias is not invoking it.
_describing: contextvars.ContextVar[bool] = contextvars.ContextVar("faas_describing", default=False)


def current() -> Invocation | None:
    return _current.get()


def draw(alias: dict) -> str:
    """One draw over the alias's versions: each additional version by its weight, else the primary."""
    primary = alias.get("FunctionVersion", "$LATEST")
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    roll, upto = random.random(), 0.0
    for version, weight in weights.items():
        upto += float(weight)
        if roll < upto:
            return version
    return primary


def _invocation_for(func: dict, qualifier: str | None) -> tuple[Invocation | None, str | None]:
    """(invocation, version to run) for a qualified call; (None, None) for unqualified / $LATEST."""
    if not qualifier or qualifier == "$LATEST":
        return None, None
    name = func["config"].get("FunctionName", "")
    alias = func.get("aliases", {}).get(qualifier)
    if alias is not None:
        version = draw(alias)
        if version != "$LATEST" and version not in func.get("versions", {}):
            version = alias.get("FunctionVersion", "$LATEST")  # a weight naming a deleted version
        return Invocation(name, qualifier, version), version
    if qualifier in func.get("versions", {}):
        return Invocation(name, qualifier, None), qualifier
    return None, None


def pick(func: dict | None, qualifier: str | None) -> tuple[dict | None, str | None]:
    from ministack.services import lambda_svc

    record, _config = lambda_svc._effective_func_record_for_qualifier(func, qualifier)
    if record is None:
        return None, None
    invocation = record.get(INVOCATION_KEY)
    if invocation is None:
        return record, "$LATEST"
    return record, invocation.executed_version or invocation.qualifier


def apply() -> None:
    from ministack.services import lambda_svc

    original_resolve = lambda_svc._effective_func_record_for_qualifier

    def resolve(func, qualifier):
        if func is None or _describing.get():
            return original_resolve(func, qualifier)
        invocation, version = _invocation_for(func, qualifier)
        if invocation is None:
            return original_resolve(func, qualifier)
        record, config = original_resolve(func, version)
        if record is None:
            return record, config
        # A copy, so the stored record is untouched; it carries the invocation to `_execute_function`,
        # which may run on another thread (EventBridge, event source mappings) where contextvars are lost.
        return {**record, INVOCATION_KEY: invocation}, config

    lambda_svc._effective_func_record_for_qualifier = resolve

    for read in ("_get_function", "_get_function_config"):
        setattr(lambda_svc, read, _describing_while(getattr(lambda_svc, read)))

    original_invoke = lambda_svc._invoke

    async def invoke(name, event, headers, path_qualifier=None, query_params=None):
        # The qualifier exactly as `_invoke` reads it.
        qualifier = (path_qualifier or lambda_svc._qp_first(query_params or {}, "Qualifier")
                     or lambda_svc._qp_first(headers, "x-amz-qualifier") or None)
        func = lambda_svc._functions.get(name)
        invocation, version = _invocation_for(func, qualifier) if func else (None, None)
        if invocation is None:
            return await original_invoke(name, event, headers, path_qualifier, query_params)
        primary = func.get("aliases", {}).get(qualifier, {}).get("FunctionVersion", version)
        if version != primary:
            # `_invoke` resolves the alias inline to its primary: hand it the drawn version instead. It
            # then reports that version in X-Amz-Executed-Version; the handler still gets the alias ARN.
            invocation.alias_arn = f"{lambda_svc._func_arn(name)}:{qualifier}"
            path_qualifier = version
        token = _current.set(invocation)
        try:
            return await original_invoke(name, event, headers, path_qualifier, query_params)
        finally:
            _current.reset(token)

    lambda_svc._invoke = invoke

    original_execute = lambda_svc._execute_function

    def execute(func, event):
        invocation = func.get(INVOCATION_KEY) if isinstance(func, dict) else None
        token = None
        if invocation is not None:
            token = _current.set(invocation)
            # Unmarked below: `_execute_function` may re-enter itself (scope switch); that is not a second invocation.
            func = {k: v for k, v in func.items() if k != INVOCATION_KEY}
        else:
            invocation = _current.get()
            config = func.get("config") or {}
            redirected = invocation and invocation.alias_arn and config.get("FunctionName") == invocation.function_name
            if redirected and config.get("FunctionArn") != invocation.alias_arn:
                func = {**func, "config": {**config, "FunctionArn": invocation.alias_arn}}
        try:
            return original_execute(func, event)
        finally:
            if token is not None:
                _current.reset(token)

    lambda_svc._execute_function = execute

    added(
        "weighted-alias-routing",
        "An alias with RoutingConfig.AdditionalVersionWeights runs each additional version with "
        "probability = its weight, one draw per invocation on every invoke path; X-Amz-Executed-Version "
        "and context.functionVersion name the version that ran",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html",
    )


def _describing_while(read):
    def wrapped(*args, **kwargs):
        token = _describing.set(True)
        try:
            return read(*args, **kwargs)
        finally:
            _describing.reset(token)

    return wrapped
