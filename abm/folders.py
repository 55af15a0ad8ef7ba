"""Output folders: checked writable before any work, written whole or not at all, locked while in use.

A run folder is written into a hidden temporary folder beside it and renamed into place, so a
folder either holds a finished run or does not exist; a finished run is replaced only when asked
(``overwrite``). An experiment folder is locked (``OUT/.lock``, released when the process ends, even
by ``kill -9``) so that a second process on it stops with a message instead of redoing the work.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from abm.inputs import ScenarioError

#: what one run-month writes at most, roughly (a 30,000-household month writes about 40 kB)
BYTES_PER_RUN_MONTH = 200_000
#: the free space kept in hand besides the estimate
SPARE_BYTES = 50_000_000
RUN_MARKER = "manifest.json"
FOLDER_MODE = 0o755  # a run folder, like its subfolders: readable by all (mkdtemp alone gives 0700)


def _existing_ancestor(folder: Path) -> Path:
    """The folder itself or its nearest existing parent."""
    folder = folder.absolute()
    while not folder.exists():
        folder = folder.parent
    return folder


def check_writable(folder: Path, need_bytes: int, option: str = "--out") -> None:
    """Refuse a folder that cannot be created or written, or whose disk has too little free space.

    Raises:
        ScenarioError: Naming the folder, what is wrong and what is allowed.
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
    if free < need_bytes + SPARE_BYTES:
        raise ScenarioError(f"{option} = {folder}: {free / 1e6:,.0f} MB free; allowed: a disk with at least "
                            f"{(need_bytes + SPARE_BYTES) / 1e6:,.0f} MB free for this work")


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
    os.chmod(tmp, FOLDER_MODE)
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


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` while the block runs; refuse at once if another process holds it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ScenarioError(f"--out = {folder}: another ruralsim process is working in this folder; allowed: "
                            "wait for it to finish (then the same command reuses its runs), or another --out") from None
    try:
        yield
    finally:
        lock.release()
