"""Real full and read-only disks for tests: a small tmpfs in a private mount namespace.

`unshare --mount --map-root-user` gives the command its own mount table (as root, or as any
user where unprivileged user namespaces are enabled); the tmpfs vanishes with the command, so
no mount is left behind even if a test dies. Fails, never skips, where that is not possible.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest


def _command(
    mount_point: Path, size_kb: int, setup: list[str], argv: list[str], read_only: bool
) -> list[str]:
    """unshare running: mount a tmpfs, the setup commands, remount read-only if asked, argv."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.fail("these tests need util-linux's unshare (apt-get install util-linux)")
    mount_point.mkdir(parents=True, exist_ok=True)
    where = shlex.quote(str(mount_point))
    steps = [f"mount -t tmpfs -o size={size_kb}k tmpfs {where}", *setup]
    if read_only:
        steps.append(f"mount -o remount,ro {where}")
    steps.append("exec " + shlex.join(argv))
    return [unshare, "--mount", "--map-root-user", "sh", "-ec", " && ".join(steps)]


def _check_namespace(stderr: str) -> None:
    """Fail with the reason when no private mount namespace could be made."""
    if stderr.startswith("unshare:"):
        pytest.fail(f"cannot make a private mount namespace here: {stderr.strip()}")


def run_on_tmpfs(
    mount_point: Path,
    size_kb: int,
    setup: list[str],
    argv: list[str],
    env: dict[str, str],
    read_only: bool = False,
) -> subprocess.CompletedProcess:
    """Mount a tmpfs of size_kb at mount_point, run the shell `setup` commands, remount it
    read-only if asked, then run argv to its end; all inside a private mount namespace."""
    done = subprocess.run(
        _command(mount_point, size_kb, setup, argv, read_only),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    _check_namespace(done.stderr)
    return done


def spawn_on_tmpfs(
    mount_point: Path,
    size_kb: int,
    setup: list[str],
    argv: list[str],
    env: dict[str, str],
    read_only: bool = False,
) -> subprocess.Popen:
    """Like run_on_tmpfs, but started in the background (a server); stderr is piped."""
    return subprocess.Popen(
        _command(mount_point, size_kb, setup, argv, read_only),
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
