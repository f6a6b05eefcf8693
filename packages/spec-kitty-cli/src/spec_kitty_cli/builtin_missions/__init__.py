"""Built-in mission definitions and step contracts, shipped as package data.

Layout::

    builtin_missions/<key>/mission.yaml                  one definition per reserved key
    builtin_missions/step_contracts/<id>.step-contract.yaml

The four keys (software-dev, research, documentation, plan) are the reserved built-in keys: a
definition for one of them in any other discovery tier is refused (MISSION_KEY_RESERVED).

Built-in definitions are exempt from the custom-mission rule that the last step must be
``retrospective``: their last step is ``accept`` or ``review``, and the retrospective rule applies
only to project-authored definitions. Every other rule (required fields, exactly one binding per
step) applies to them too, and the tests check that every shipped file passes it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUILTIN_MISSIONS_ROOT", "BUILTIN_STEP_CONTRACTS_ROOT"]

BUILTIN_MISSIONS_ROOT = Path(__file__).resolve().parent
BUILTIN_STEP_CONTRACTS_ROOT = BUILTIN_MISSIONS_ROOT / "step_contracts"
