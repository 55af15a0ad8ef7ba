"""How the process's memory allocator treats the monthly step's large temporary arrays.

Each month allocates and frees the same arrays of a few MB (8 MB per float64 column at a million
households). glibc's malloc maps blocks that large fresh from the kernel and unmaps them when
freed, so every month page-faults them in again: at a million households that was about a sixth
of a step's CPU time, spent in the kernel. Keeping freed memory for reuse removes it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys

#: mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
#: blocks up to this size come from the heap, not fresh maps (glibc accepts at most 32 MiB on 64-bit)
MMAP_THRESHOLD = 32 * 2**20
#: free memory at the top of the heap is returned to the kernel only beyond this
TRIM_THRESHOLD = 2**30
#: extra the heap grows by each time, so growth is rare
TOP_PAD = 64 * 2**20
#: set to 0 to leave the allocator's defaults alone
OPT_OUT = "RURALSIM_KEEP_FREED_MEMORY"


@functools.cache
def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks of up to 32 MiB for reuse; True where it took the settings.

    Process-wide and once per process (a model built later reuses the setting). The cost is that
    the process keeps the memory of its largest month until it exits. Elsewhere than Linux with
    glibc, or with the environment variable ``RURALSIM_KEEP_FREED_MEMORY=0``, it does nothing and
    returns False.
    """
    if not sys.platform.startswith("linux") or os.environ.get(OPT_OUT, "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # another C library (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in
               ((M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD)))
