"""What we write to read back later (staged parses, consolidation caches, reused outputs)
is written durably and read back verified.

A file is written whole and flushed to disk (fsync) before the rename that makes it visible,
so a crash never leaves a zero-length or half-written file under a name we trust; the folder
is synced after the rename. Each such file's SHA-256 is recorded beside it, and a read gives
the bytes only when they are a regular file (never a link), within a size bound, and hash to
what was recorded: anything else is None, and the caller computes the content again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

MAX_READ_BACK = 4 << 30  # bytes: nothing we stage or cache is near this


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_durable(path: Path, data: bytes) -> str:
    """Write `data` to a new file at `path` (never through a link), fsync it; its SHA-256."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    return sha256_hex(data)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where it is refused."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_at_most(fd: int, limit: int) -> bytes:
    """At most `limit` bytes from the descriptor `fd` (fewer at its end): a file that grows
    while it is read is never read past the limit."""
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_regular(path: Path, max_bytes: int = MAX_READ_BACK) -> bytes | None:
    """The bytes of `path` when it is a regular file (not a link, FIFO or device) of at most
    `max_bytes`, else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        data = read_at_most(fd, max_bytes + 1)
        return None if len(data) > max_bytes else data
    except OSError:
        return None
    finally:
        os.close(fd)


def read_verified(path: Path, sha256: object, max_bytes: int = MAX_READ_BACK) -> bytes | None:
    """The bytes of `path` when they hash to `sha256` (see `read_regular`), else None."""
    if not isinstance(sha256, str):
        return None
    data = read_regular(path, max_bytes)
    if data is None or sha256_hex(data) != sha256:
        return None
    return data


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (not followed through a link), or None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)
