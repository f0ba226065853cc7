"""What the operating system said, in the user's language.

Python's ``strerror`` is the C library's English ("No such file or directory"). The errors a
person can meet when kopa reads or writes a record are said here in words staff understand;
any other keeps the system's own words.
"""

from __future__ import annotations

import errno

from kopa_cli.core.diagnostics import Msg
from kopa_cli.core.i18n import N_

_REASONS = {
    errno.ENOENT: N_("the file or folder does not exist"),
    errno.EACCES: N_("you do not have permission to it"),
    errno.EPERM: N_("the system does not permit it"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of its path is not a folder"),
    errno.ELOOP: N_("it is a link that points to itself"),
    errno.ENAMETOOLONG: N_("its name is too long for the file system"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EEXIST: N_("it already exists"),
    errno.EIO: N_("the disk could not be read or written (an input/output error)"),
}


def reason(error: OSError) -> Msg | str:
    """Why ``error`` happened: a message id (translated where shown) for the common cases,
    else the system's own text."""
    known = _REASONS.get(error.errno) if error.errno is not None else None
    return Msg(known) if known else (error.strerror or str(error))
