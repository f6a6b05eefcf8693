"""A file-system failure that reached the error boundary, as a structured error naming the file.

A path that is too long, a loop of symlinks or a file where a folder belongs is input the
operator can fix (exit 2); permissions, a read-only or full disk are infrastructure (exit 1).
"""

from __future__ import annotations

import errno

from .errors import CliError

_INPUT_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR, errno.EISDIR})


def file_error(exc: OSError) -> CliError:
    code = errno.errorcode.get(exc.errno or 0, "EIO")
    name = exc.filename if exc.filename is not None else None
    where = f" {name}" if name else ""
    fixable = exc.errno in _INPUT_ERRNOS
    return CliError(
        "PATH_INVALID" if fixable else "FILE_ACCESS_FAILED",
        f"cannot use{where}: {exc.strerror or exc}",
        details={"file": None if name is None else str(name), "errno": code},
        operator_fixable=fixable,
    )
