"""Imported first by the local engine's fork server, and only there: the garbage collector rests while it imports.

Importing the model creates about a million long-lived objects (modules, classes, functions), and
every collection the imports trigger walks all of them again: about a tenth of the fork server's
start-up. Python's documentation (``gc.freeze``) gives the recipe for a process that forks workers
without exec: disable the collector early, freeze what exists before forking, enable it in the
children (:func:`experiments.pool.resume_collector`). Frozen objects are never walked again, so a
worker's collections during its runs see only the objects of its runs. Importing this module is
its whole effect, so nothing but a fork server's preload list names it.
"""

import gc

gc.disable()
