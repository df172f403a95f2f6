"""faas-platform's fidelity layer for MiniStack: AWS behaviours the pinned release lacks.

Each module patches one area and registers what it adds with `added(...)`; `GET /_faas/fidelity`
lists them, so capability probes report a behaviour as `added` (ours), not `native`.
Pinned to one MiniStack release: on any other version nothing is patched and start fails loudly.
"""
from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass

PINNED_MINISTACK = "1.5.33"

# Applied in this order; each module has apply() -> None.
MODULES = ("routes", "routing", "metrics", "provisioned", "async_invoke", "message_move", "error_type", "app_autoscaling")


@dataclass(frozen=True)
class Behaviour:
    name: str
    """Capability name, as the probes call it (e.g. "weighted-alias-routing")."""
    emulates: str
    """The AWS behaviour, in one line."""
    aws_doc: str
    """Where AWS documents it."""


_ADDED: dict[str, Behaviour] = {}


def added(name: str, emulates: str, aws_doc: str) -> None:
    _ADDED[name] = Behaviour(name, emulates, aws_doc)


def behaviours() -> list[dict]:
    return [asdict(b) for b in _ADDED.values()]


def ministack_version() -> str:
    from importlib.metadata import version

    return version("ministack")


def apply_all() -> None:
    found = ministack_version()
    if found != PINNED_MINISTACK:
        raise SystemExit(
            f"faas fidelity layer is pinned to MiniStack {PINNED_MINISTACK}, found {found}: "
            "reinstall the pinned version, or start with FAAS_EMULATOR_FIDELITY=off"
        )
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").apply()
