"""Exceptions: the library's error codes (include/halfhour.h, HH_E*) as one
hierarchy under HalfhourError.  The message is the library's one line (the
text `halfhour` prints after "halfhour: error: "); .code is the HH_E* code
(0 for errors found in Python before any library call)."""


class HalfhourError(Exception):
    """Any error of halfhour; .code is the library's HH_E* code or 0."""
    code = 0

    def __init__(self, message, code=None):
        super().__init__(message)
        if code is not None:
            self.code = code


class OutOfMemory(HalfhourError, MemoryError):
    """HH_ENOMEM: out of memory."""
    code = -1


class InputOutputError(HalfhourError, OSError):
    """HH_EIO: a file could not be read or written."""
    code = -2

    def __str__(self):
        return self.args[0] if self.args else ""


class MalformedInput(HalfhourError, ValueError):
    """HH_EFORMAT: malformed input (the message names file and line)."""
    code = -3


class UnsupportedVersion(MalformedInput):
    """HH_EVERSION: a network file of another format version."""
    code = -4


class ChecksumMismatch(MalformedInput):
    """HH_ECHECKSUM: a corrupted network file."""
    code = -5


class FileTruncated(MalformedInput):
    """HH_ETRUNCATED: a truncated file."""
    code = -6


class InvalidArgument(HalfhourError, ValueError):
    """HH_EINVAL: an invalid argument or option (also raised by the Python
    side for arguments it checks before calling the library)."""
    code = -7


class NotSnapped(HalfhourError, ValueError):
    """HH_ENOSNAP: points too far from the mode's network (the message says
    why, as the CLI does: outside the area, lon/lat swapped, how far the
    nearest street is)."""
    code = -8


class OutOfRange(HalfhourError, ValueError):
    """HH_ERANGE: a value out of range (a date outside the feeds' service,
    coordinates out of range, an unreachable cover share...)."""
    code = -9


class NothingUsable(HalfhourError, ValueError):
    """HH_EEMPTY: nothing usable in the input."""
    code = -10


class HalfhourWarning(UserWarning):
    """What the CLI prints as "halfhour: warning: ..." or "note: ...":
    points that did not snap, opportunities left out."""


_BY_CODE = {c.code: c for c in (OutOfMemory, InputOutputError, MalformedInput, UnsupportedVersion,
                                ChecksumMismatch, FileTruncated, InvalidArgument, NotSnapped, OutOfRange,
                                NothingUsable)}


def from_code(code, message):
    cls = _BY_CODE.get(code, HalfhourError)
    e = cls(message)
    e.code = code
    return e
