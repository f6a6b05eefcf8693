"""tox inline plugin: every tox env installs exactly what uv.lock pins.

When tox starts, the lock is exported (`uv export --locked`) as a constraints file in the tox
work dir; tox.ini points UV_CONSTRAINT at it for every env but `newest`, which installs what a
user gets. `--locked` makes tox fail at once when uv.lock is out of date with the pyprojects.
scripts/check_locked_env.py then proves, inside each env, that nothing differs from the lock.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tox.plugin import impl

CONSTRAINTS_NAME = "locked-constraints.txt"


@impl
def tox_add_core_config(core_conf: Any) -> None:
    from uv import find_uv_bin

    root = Path(core_conf["tox_root"])
    work_dir = Path(core_conf["work_dir"])
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=work_dir, prefix=".constraints-", suffix=".txt")
    os.close(fd)
    try:
        subprocess.run(
            [
                find_uv_bin(),
                "export",
                "--locked",
                "--all-packages",
                "--all-groups",
                "--all-extras",
                "--no-emit-workspace",
                "--no-hashes",
                "--no-header",
                "--no-annotate",
                "--quiet",
                "--output-file",
                tmp,
            ],
            cwd=root,
            check=True,
        )
        os.replace(tmp, work_dir / CONSTRAINTS_NAME)  # atomic: parallel tox runs read whole files
    finally:
        Path(tmp).unlink(missing_ok=True)
