"""The local engine's worker processes: forked from a fork server that imports the model once.

Small runs (3,000 households for five years take a quarter of a second) are as short as starting a
Python process with the model's libraries and loading its compiled kernels, so the runner must not
pay for that per worker, let alone per run. Here the workers fork from one fork server that has
imported the model and, for the default model, run one tiny world (:mod:`experiments.warm_kernels`)
so that numba's cached machine code is in memory before the first fork: each worker starts with
everything loaded. :func:`start_early` starts that server as soon as a command knows it will need
workers (the ``ruralsim`` entry point, :mod:`experiments.cli.launch`, calls it before the command
line's own imports), so that it imports and loads while the command itself still imports and plans.
The server imports with the garbage collector paused (:mod:`experiments.gc_pause`, Python's recipe
for forking servers) and every worker starts by freezing what it inherited and turning the collector
back on (:func:`start_worker`).

Jobs go out in chunks (guided scheduling: large chunks first, single jobs at the end, so no worker
waits on another's long chunk), and each result comes back as soon as its chunk is done.

This module imports only the standard library, so a command can start the server before its own
heavy imports.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from abm.io import interrupts

#: at most this many jobs in one chunk (a killed batch redoes at most a chunk per worker)
MAX_CHUNK = 8
#: the model function every run calls, looked up when the run starts
DEFAULT_MODEL = "abm.io.simulate:run"
#: what workers run (:mod:`experiments.worker`), named here so that a fork server can preload it early
WORKER_MODULE = "experiments.worker"
#: imported by a fork server after the default model: loads its compiled kernels once for every worker
WARM_MODULE = "experiments.warm_kernels"
#: imported by a fork server before anything else: the garbage collector rests while it imports
PAUSE_MODULE = "experiments.gc_pause"


def preload_modules(model: str) -> list[str]:
    """What a fork server imports before forking workers for ``model``: the worker module, the model's, the warm-up."""
    return [WORKER_MODULE, model.partition(":")[0], *[WARM_MODULE] * (model == DEFAULT_MODEL)]


def pool_context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """A process start method that imports ``preload`` (and a main script) once, not in every worker.

    Workers fork from a fork server that preloaded the modules; where there is none (Windows), they
    are spawned and import them each. A main module run with ``python -m`` is not preloaded (each
    worker runs it again as ``__mp_main__``, which is why the runner's imports are light). The
    preload list is fixed when the server starts; later calls in the same process reuse that server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    script = getattr(sys.modules["__main__"], "__spec__", None) is None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PAUSE_MODULE, *["__main__"] * script, *preload])
    return context


def start_early(engine: str, workers: int | None, preload: Sequence[str]) -> None:
    """Start the fork server now if the local engine will use workers, so that it imports ``preload`` meanwhile.

    A command calls this as soon as its options are known; the server's imports and kernel loading
    then overlap the command's own imports and planning. Where the server is not used in the end
    (every run already done), it exits with this process.
    """
    if engine != "local" or (workers or os.cpu_count() or 1) == 1:
        return
    if "forkserver" in multiprocessing.get_all_start_methods():
        pool_context(preload)
        multiprocessing.forkserver.ensure_running()
        atexit.register(stop_fork_server)


def stop_fork_server() -> None:
    """End this process's fork server now (registered to run at exit by :func:`start_early`).

    A server started early but never used (a bad input, every run already done) would otherwise go
    on importing after the command ended, holding its output streams open for whoever reads them.
    Its pid is only kept in a private attribute of ``multiprocessing.forkserver``.
    """
    pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def guided_chunks(items: list, workers: int) -> list[list]:
    """Split ``items`` into chunks that shrink as work runs out: a quarter of a worker's share, at most ``MAX_CHUNK``.

    Large chunks at the start cut the per-task cost of sending jobs and results; single jobs at the
    end keep every worker busy until the last run (OpenMP's ``guided`` schedule).
    """
    chunks, start = [], 0
    while start < len(items):
        size = min(MAX_CHUNK, max(1, (len(items) - start) // (4 * workers)))
        chunks.append(items[start:start + size])
        start += size
    return chunks


def run_chunk(fn: Callable, chunk: list) -> list:
    """Apply ``fn`` to every item of a chunk (in a worker)."""
    return [fn(item) for item in chunk]


def chunk_results(finished: Iterator) -> Iterator:
    """Yield the results of chunks as their futures finish (any engine's); a signal while waiting stops at once."""
    while True:
        with interrupts.stop_at_once():
            future = next(finished, None)
        if future is None:
            return
        yield from future.result()


def imap_local(fn: Callable, items: list, workers: int, preload: Sequence[str] = ()) -> Iterator:
    """Yield ``fn(item)`` for every item as its chunk finishes, on ``workers`` processes (1: in process).

    Args:
        fn: A module-level function.
        items: Its arguments.
        workers: Worker processes.
        preload: Modules the workers need, imported once by the fork server.
    """
    if workers == 1:
        yield from map(fn, items)
        return
    pool = ProcessPoolExecutor(workers, mp_context=pool_context([fn.__module__, *preload]), initializer=start_worker)
    try:
        yield from chunk_results(as_completed([pool.submit(run_chunk, fn, chunk)
                                               for chunk in guided_chunks(items, workers)]))
    except BaseException:
        stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def resume_collector() -> None:
    """Freeze every object that exists now (never collected or walked again) and enable the collector.

    Ends the pause :mod:`experiments.gc_pause` began in a fork server; elsewhere it only freezes.
    """
    gc.freeze()
    gc.enable()


def start_worker() -> None:
    """Prepare a worker process: what it inherited frozen, the collector on, interrupts left to its parent."""
    resume_collector()
    interrupts.ignore_in_worker()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now (on an interrupt or error: their runs are abandoned).

    Python 3.14 has ``terminate_workers``; before it, the pool's process table is the only handle.
    """
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
