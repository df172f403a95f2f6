"""Provisioned concurrency refuses a weighted alias: PutProvisionedConcurrencyConfig on an alias whose
RoutingConfig has AdditionalVersionWeights fails with InvalidParameterValueException (HTTP 400)
"Alias with weights can not be used with Provisioned Concurrency", as AWS answers mid-canary.

MiniStack's `lambda_svc._put_provisioned_concurrency` accepts it (READY at once); patched to refuse first.
"""
from __future__ import annotations

from . import added

MESSAGE = "Alias with weights can not be used with Provisioned Concurrency"


def apply() -> None:
    from ministack.services import lambda_svc

    original = lambda_svc._put_provisioned_concurrency

    def put_provisioned_concurrency(func_name, qualifier, data):
        alias = (lambda_svc._functions.get(func_name) or {}).get("aliases", {}).get(qualifier) if qualifier else None
        if alias and (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
            return lambda_svc.error_response_json("InvalidParameterValueException", MESSAGE, 400)
        return original(func_name, qualifier, data)

    lambda_svc._put_provisioned_concurrency = put_provisioned_concurrency

    added(
        "pc-weighted-alias-refusal",
        f"PutProvisionedConcurrencyConfig on an alias with AdditionalVersionWeights fails: "
        f"InvalidParameterValueException (400) \"{MESSAGE}\"",
        "https://docs.aws.amazon.com/lambda/latest/api/API_PutProvisionedConcurrencyConfig.html",
    )
