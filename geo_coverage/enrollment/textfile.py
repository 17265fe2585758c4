"""Opening a file to import: only a regular file, read once, hashed, and refused if it changes
while it is being read."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from geo_coverage.errors import GeoCoverageError

READ_BYTES = 1 << 16
Progress = Callable[[int, int], None]
ByteSource = BinaryIO | io.RawIOBase


class UnreadableFile(GeoCoverageError):
    """The path is not a file that can be read: missing, a directory, a device, no access."""

    status = 400

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


class FileChanged(UnreadableFile):
    """The file changed while it was being read."""

    status = 409

    def __init__(self, name: str):
        super().__init__(name, "the file changed while it was being read; try again")


def display_name(path: Path) -> str:
    """A file's name for messages, with bytes that are not UTF-8 written as \\xNN."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def check_file(path: Path) -> os.stat_result:
    """The file's status if it is a regular file this process can read; UnreadableFile
    saying what it is otherwise."""
    name = display_name(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(name, "no such file") from None
    except PermissionError:
        raise UnreadableFile(name, "cannot be read: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = _kind(info.st_mode)
        what = "a file" if kind == "a directory" else "a regular file"
        raise UnreadableFile(name, f"is {kind}, not {what}")
    if not os.access(path, os.R_OK):
        raise UnreadableFile(name, "cannot be read: permission denied")
    return info


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two stats are of the same, unchanged file."""
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (
        b.st_dev,
        b.st_ino,
        b.st_size,
        b.st_mtime_ns,
    )


class _Guarded(io.RawIOBase):
    """A file read through once: counts bytes, reports progress, stops if the file grows."""

    def __init__(self, raw: io.FileIO, size: int, name: str, progress: Progress | None):
        self._raw, self.size, self._name, self._progress = raw, size, name, progress
        self.read_bytes = 0
        self._next_report = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self.read_bytes += n or 0
        if self.read_bytes > self.size:
            raise FileChanged(self._name)
        if self._progress and (self.read_bytes >= self._next_report or not n):
            self._progress(self.read_bytes, self.size)
            self._next_report = self.read_bytes + max(self.size // 20, READ_BYTES)
        return n


class Hashing(io.RawIOBase):
    """A byte stream that computes the sha256 of everything read through it."""

    def __init__(self, stream: ByteSource):
        self._stream = stream
        self._sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer)) or b""
        n = len(data)
        buffer[:n] = data
        self._sha.update(data)
        return n

    @property
    def sha256(self) -> str:
        """The hex digest of the bytes read so far."""
        return self._sha.hexdigest()


@dataclass
class OpenedFile:
    """A table file open for one read."""

    name: str
    stream: _Guarded
    _fd: int
    _path: Path
    _before: os.stat_result

    def check_unchanged(self) -> None:
        """FileChanged unless the whole file was read and it is still the file that was
        opened, with the same size and modification time."""
        if (
            self.stream.read_bytes != self._before.st_size
            or not _same(os.fstat(self._fd), self._before)
            or not _same(os.stat(self._path), self._before)
        ):
            raise FileChanged(self.name)


@contextmanager
def open_table_file(path: Path, progress: Progress | None = None) -> Iterator[OpenedFile]:
    """A regular file opened for reading once (UnreadableFile if it is not one)."""
    path = Path(path)
    before = check_file(path)
    name = display_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be read: {exc.strerror or exc}") from None
    raw = io.FileIO(fd, "rb", closefd=True)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or not _same(opened, before):
            raise FileChanged(name)
        yield OpenedFile(name, _Guarded(raw, before.st_size, name, progress), fd, path, before)
    finally:
        raw.close()
