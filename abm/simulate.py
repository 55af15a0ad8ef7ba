"""Public entry kept where users import it: ``abm.simulate.run`` runs a scenario (lives in :mod:`abm.io.simulate`)."""

from abm.io.simulate import RunResult, run

__all__ = ["RunResult", "run"]
