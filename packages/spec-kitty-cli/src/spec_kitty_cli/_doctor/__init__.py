"""`spec-kitty doctor`: read-only checks of a project's local state, each finding with a fix.

    run_doctor(checkout, main_root) -> Report

Nothing here writes, creates, locks (beyond a non-blocking probe) or mints anything: queues are
opened read-only, identity files are read but never minted, a missing file is a finding. The
library never prints; `commands/doctor.py` renders the report.
"""

from __future__ import annotations

from ._model import Finding, Report
from ._run import run_doctor

__all__ = ["Finding", "Report", "run_doctor"]
