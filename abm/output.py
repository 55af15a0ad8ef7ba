"""Public entry kept where users import it: ``abm.output.read_run`` and ``write_run`` (live in :mod:`abm.io.output`)."""

from abm.io.output import read_run, write_run

__all__ = ["read_run", "write_run"]
