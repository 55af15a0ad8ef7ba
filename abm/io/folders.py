"""Output folders: checked writable before any work, written whole or not at all, locked while in use.

A run folder is written into a hidden temporary folder beside it and renamed into place, so a
folder either holds a finished run or does not exist; a finished run is replaced only when asked
(``overwrite``). An experiment folder is locked while a process works in it: ``OUT/.lock`` (an OS
lock, released when the process ends, even by ``kill -9``) and ``OUT/.lock.json`` saying who holds
it. A second process on the folder says who holds it and stops, or waits for it (``--wait``); a
record left by a process that died is taken over with a note.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from abm.io import interrupts
from abm.io.inputs import ScenarioError
from abm.io.output_size import Estimate

#: the free space kept in hand besides the estimate of the outputs
SPARE_BYTES = 50_000_000
RUN_MARKER = "manifest.json"
LOCK_FILE, HOLDER_FILE = ".lock", ".lock.json"


def _existing_ancestor(folder: Path) -> Path:
    """The folder itself or its nearest existing parent."""
    folder = folder.absolute()
    while not folder.exists():
        folder = folder.parent
    return folder


def check_writable(folder: Path, need: Estimate, option: str = "--out") -> None:
    """Refuse a folder that cannot be created or written, or whose disk has less free space than ``need``.

    Raises:
        ScenarioError: Naming the folder, what is wrong (the space needed and free) and what is allowed.
    """
    folder = Path(folder)
    base = _existing_ancestor(folder)
    if not base.is_dir():
        raise ScenarioError(f"{option} = {folder}: {base} is a file; allowed: a folder that can be created")
    try:
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as err:
        raise ScenarioError(f"{option} = {folder}: cannot write in {base} ({err.strerror}); "
                            "allowed: a folder you can write to") from None
    free = shutil.disk_usage(base).free
    if free < need.bytes + SPARE_BYTES:
        raise ScenarioError(
            f"{option} = {folder}: the outputs need about {need.bytes / 1e6:,.1f} MB (largest: {need.largest}) "
            f"and {SPARE_BYTES / 1e6:,.0f} MB are kept spare, but {base} has {free / 1e6:,.1f} MB free; allowed: "
            f"a folder on a disk with at least {(need.bytes + SPARE_BYTES) / 1e6:,.1f} MB free, or less work")


def new_run_folder(root: Path, name: str) -> Path:
    """A folder for one run that does not exist yet: ``root/<name>-<date>-<time>`` (``-2``... if taken)."""
    stem = f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    folder, k = root / stem, 1
    while folder.exists():
        k += 1
        folder = root / f"{stem}-{k}"
    return folder


def check_run_target(out: Path, overwrite: bool) -> None:
    """Refuse a target holding a finished run (without ``overwrite``) or anything that is not a run."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ScenarioError(f"--out = {out}: is a file; allowed: a new or empty folder")
    if not any(out.iterdir()):
        return
    if not (out / RUN_MARKER).exists():
        raise ScenarioError(f"--out = {out}: holds other files, not a run; allowed: a new or empty folder")
    if not overwrite:
        raise ScenarioError(f"--out = {out}: holds a finished run; allowed: a new or empty folder, or "
                            "--overwrite to replace it (without --out each run gets a new folder)")


def write_folder(out: Path, write: Callable[[Path], object]) -> None:
    """Write a whole folder through ``write(tmp)`` in a hidden temporary folder, then rename it to ``out``.

    An existing ``out`` (checked by :func:`check_run_target`) is replaced only after the new one is complete.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # a folder as mkdir makes it (mkdtemp's is private)
    old = out.parent / f".{out.name}.{os.getpid()}.old"
    try:
        write(tmp)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)  # the new folder never arrived: keep the old run
        shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class Holder:
    """Who holds a folder's lock: process id, host, command line and since when."""

    pid: int
    host: str
    command: str
    since: str

    @classmethod
    def this_process(cls) -> Holder:
        """This process, now."""
        command = shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300]
        return cls(os.getpid(), socket.gethostname(), command, datetime.now().isoformat(" ", "seconds"))

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}) since {self.since}"

    def running(self) -> bool:
        """Whether the process still runs (a process on another host is taken to)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True


def holder(folder: Path) -> Holder | None:
    """The process recorded as holding ``folder``'s lock, if a readable record is there."""
    try:
        return Holder(**json.loads((Path(folder) / HOLDER_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _wait_for(lock: FileLock, folder: Path, say: Callable[[str], None], option: str = "--out") -> None:
    """Wait (Ctrl-C stops it) until ``lock`` is free, saying once who holds it."""
    say(f"waiting: {option} = {folder} is in use by {holder(folder) or 'another process'}; "
        "this command starts when it finishes (Ctrl-C to stop waiting)")
    with interrupts.stop_at_once():
        lock.acquire(timeout=-1)


def _take(folder: Path, say: Callable[[str], None], option: str = "--out") -> None:
    """Record this process as the holder, noting a record left by a process that no longer holds the lock."""
    left = holder(folder)
    if left is not None and left.pid != os.getpid():
        state = "is no longer running" if not left.running() else "no longer holds the lock"
        say(f"note: {option} = {folder}: taking over the lock left by {left}, which {state}")
    record = folder / HOLDER_FILE
    tmp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(Holder.this_process())), encoding="utf-8")
    os.replace(tmp, record)


def _stderr(line: str) -> None:
    """Print a note on stderr."""
    print(line, file=sys.stderr, flush=True)


@contextmanager
def locked(folder: Path, wait: bool = False, say: Callable[[str], None] = _stderr,
           option: str = "--out") -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs; if another process holds it, wait (``wait``) or refuse.

    ``option`` is the command-line option that named the folder, for the messages.

    Raises:
        ScenarioError: Another live process holds the folder and ``wait`` is off; the message says who.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ScenarioError(f"{option} = {folder}: cannot be made a folder ({err.strerror}); allowed: a folder "
                            "that exists or can be created") from None
    lock = FileLock(folder / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        if not wait:
            raise ScenarioError(
                f"{option} = {folder}: in use by {holder(folder) or 'another process (no record of which)'}; "
                "allowed: --wait to start when it finishes (its finished runs are then reused), or another "
                f"{option}") from None
        _wait_for(lock, folder, say, option)
    try:
        _take(folder, say, option)
        yield
    finally:
        (folder / HOLDER_FILE).unlink(missing_ok=True)
        lock.release()
