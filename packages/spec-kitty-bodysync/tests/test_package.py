from __future__ import annotations

import subprocess
import sys

import pytest

import spec_kitty_bodysync


def test_public_api_is_sorted_and_resolvable() -> None:
    names = spec_kitty_bodysync.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(spec_kitty_bodysync, name) is not None
    assert spec_kitty_bodysync.__version__ == "4.0.0"
    with pytest.raises(AttributeError):
        spec_kitty_bodysync.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = (
        "import sys, spec_kitty_bodysync; "
        "print(sorted(m for m in ('httpx', 'sqlite_utils', 'spec_kitty_gate') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
