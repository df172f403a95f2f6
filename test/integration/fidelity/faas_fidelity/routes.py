"""GET /_faas/fidelity: which behaviours this layer added (the capability probes read it)."""
from __future__ import annotations

import json

from . import PINNED_MINISTACK, behaviours


def apply() -> None:
    from ministack import app

    original = app._handle_health_request

    def handle(path: str, request_id: str):
        if path == "/_faas/fidelity":
            body = {"layer": "faas-fidelity", "ministack": PINNED_MINISTACK, "added": behaviours()}
            return 200, {"Content-Type": "application/json", "x-amzn-requestid": request_id}, json.dumps(body).encode()
        return original(path, request_id)

    app._handle_health_request = handle
