"""Application Auto Scaling scalable targets, the part the `faas` CLI holds during a rollout: register (with
SuspendedState), describe, deregister, and tags on a target's ARN. Added by us: MiniStack 1.5.33 has no Application
Auto Scaling at all ("Unsupported service").

AWS behaviour: Application Auto Scaling API Reference, API_RegisterScalableTarget / API_DescribeScalableTargets /
API_DeregisterScalableTarget / API_TagResource / API_UntagResource / API_ListTagsForResource, and the User Guide
"Suspend and resume scaling" (application-auto-scaling-suspend-resume-scaling):
- RegisterScalableTarget creates a target (MinCapacity and MaxCapacity required) or updates one: only the parameters
  given change, SuspendedState's three flags each keep their value when absent; answers the ScalableTargetARN;
- DescribeScalableTargets filters by ServiceNamespace (required), ResourceIds and ScalableDimension, and returns
  SuspendedState with all three flags;
- tags live on the target's ARN; an unknown ARN answers ResourceNotFoundException; DeregisterScalableTarget of an
  unknown target answers ObjectNotFoundException.
Not emulated: scaling itself — no target tracking, no scheduled actions (none can be created here), no scaling
activities, and registering never changes provisioned concurrency. A deploy cannot create targets either
(AWS::ApplicationAutoScaling::* stay unsupported in CloudFormation); scenarios register theirs through this API.

MiniStack code patched: ministack.core.router.SERVICE_PATTERNS (the X-Amz-Target prefix AnyScaleFrontendService.
routes to "application-autoscaling") and ministack.app.SERVICE_HANDLERS (the handler below); ministack.app's
_reset_all_state is wrapped so /_ministack/reset forgets the targets.
"""
from __future__ import annotations

import json
import time
import uuid

from . import added

SERVICE = "application-autoscaling"
TARGET_PREFIX = "AnyScaleFrontendService."
ACCOUNT = "000000000000"
REGION = "us-east-1"
FLAGS = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")

_targets: dict[tuple[str, str, str], dict] = {}  # (namespace, resource id, dimension) -> target
_tags: dict[str, dict[str, str]] = {}  # target ARN -> tags


def apply() -> None:
    from ministack import app
    from ministack.core import router

    router.SERVICE_PATTERNS[SERVICE] = {"target_prefixes": [TARGET_PREFIX]}
    app.SERVICE_HANDLERS[SERVICE] = handle
    original_reset = app._reset_all_state

    def reset_all_state():
        _targets.clear()
        _tags.clear()
        original_reset()

    app._reset_all_state = reset_all_state

    added(
        "app-autoscaling-suspend",
        "Application Auto Scaling scalable targets: RegisterScalableTarget with SuspendedState (flags kept when absent), "
        "DescribeScalableTargets, tags on the target ARN; no scaling actions",
        "https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-suspend-resume-scaling.html",
    )


async def handle(method, path, headers, body, query_params):
    action = headers.get("x-amz-target", "")[len(TARGET_PREFIX):]
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return _error("ValidationException", "request body is not JSON")
    operation = _OPERATIONS.get(action)
    if operation is None:
        return _error("UnknownOperationException", f"{action} is not emulated by the faas fidelity layer")
    return operation(data)


def _key(data: dict) -> tuple[str, str, str]:
    return data.get("ServiceNamespace", ""), data.get("ResourceId", ""), data.get("ScalableDimension", "")


def _register(data: dict):
    key = _key(data)
    if not all(key):
        return _error("ValidationException", "ServiceNamespace, ResourceId and ScalableDimension are required")
    target = _targets.get(key)
    if target is None:
        if "MinCapacity" not in data or "MaxCapacity" not in data:
            return _error("ValidationException", "MinCapacity and MaxCapacity are required to register a new scalable target")
        arn = f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/{uuid.uuid4().hex[:28]}"
        target = {
            "ServiceNamespace": key[0], "ResourceId": key[1], "ScalableDimension": key[2],
            "RoleARN": data.get("RoleARN", f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/lambda.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency"),
            "CreationTime": time.time(), "ScalableTargetARN": arn,
            "SuspendedState": {flag: False for flag in FLAGS},
        }
        _targets[key] = target
        _tags.setdefault(arn, {})
    for field in ("MinCapacity", "MaxCapacity", "RoleARN"):
        if field in data:
            target[field] = data[field]
    if target["MinCapacity"] > target["MaxCapacity"]:
        return _error("ValidationException", "MinCapacity must be less than or equal to MaxCapacity")
    for flag in FLAGS:
        if flag in (data.get("SuspendedState") or {}):
            target["SuspendedState"][flag] = bool(data["SuspendedState"][flag])
    _tags[target["ScalableTargetARN"]].update(data.get("Tags") or {})
    return _ok({"ScalableTargetARN": target["ScalableTargetARN"]})


def _describe(data: dict):
    if not data.get("ServiceNamespace"):
        return _error("ValidationException", "ServiceNamespace is required")
    ids = data.get("ResourceIds") or None
    found = [
        dict(t, SuspendedState=dict(t["SuspendedState"]))
        for (namespace, resource, dimension), t in _targets.items()
        if namespace == data["ServiceNamespace"]
        and (ids is None or resource in ids)
        and (not data.get("ScalableDimension") or dimension == data["ScalableDimension"])
    ]
    return _ok({"ScalableTargets": found})


def _deregister(data: dict):
    target = _targets.pop(_key(data), None)
    if target is None:
        return _error("ObjectNotFoundException", "No scalable target found for service namespace, resource id and dimension")
    _tags.pop(target["ScalableTargetARN"], None)
    return _ok({})


def _tag(data: dict):
    tags = _tags.get(data.get("ResourceARN", ""))
    if tags is None:
        return _error("ResourceNotFoundException", f"No scalable target found for {data.get('ResourceARN')}")
    tags.update(data.get("Tags") or {})
    return _ok({})


def _untag(data: dict):
    tags = _tags.get(data.get("ResourceARN", ""))
    if tags is None:
        return _error("ResourceNotFoundException", f"No scalable target found for {data.get('ResourceARN')}")
    for key in data.get("TagKeys") or []:
        tags.pop(key, None)
    return _ok({})


def _list_tags(data: dict):
    tags = _tags.get(data.get("ResourceARN", ""))
    if tags is None:
        return _error("ResourceNotFoundException", f"No scalable target found for {data.get('ResourceARN')}")
    return _ok({"Tags": dict(tags)})


_OPERATIONS = {
    "RegisterScalableTarget": _register,
    "DescribeScalableTargets": _describe,
    "DeregisterScalableTarget": _deregister,
    "TagResource": _tag,
    "UntagResource": _untag,
    "ListTagsForResource": _list_tags,
}


def _ok(payload: dict):
    return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()


def _error(code: str, message: str, status: int = 400):
    body = {"__type": code, "message": message}
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-errortype": code}, json.dumps(body).encode()
