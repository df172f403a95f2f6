"""Start the pinned MiniStack with the faas-platform fidelity layer applied.

    python start.py            # MiniStack + the behaviours faas_fidelity adds
    FAAS_EMULATOR_FIDELITY=off python start.py   # plain MiniStack, nothing patched

The layer patches module attributes of the emulator's own process before its server starts;
Python resolves module globals at call time, so every caller inside the module sees the patch.
What it adds, and which AWS behaviour each addition follows: docs/emulators.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    if os.environ.get("FAAS_EMULATOR_FIDELITY", "on").lower() not in ("off", "0", "false"):
        import faas_fidelity

        faas_fidelity.apply_all()
    from ministack import app

    app.main()


if __name__ == "__main__":
    main()
