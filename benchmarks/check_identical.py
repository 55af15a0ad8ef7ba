"""Check that a speed change left the model's results bit-for-bit identical for the same seed.

Usage::

    python benchmarks/check_identical.py --save /tmp/before.pkl      # on the code before the change
    python benchmarks/check_identical.py --compare /tmp/before.pkl   # on the code after it

Runs the full model (every mechanism on, ``benchmarks/full_model.py``) at 2,000 households for 24
months with a fixed seed (``--farmers``, ``--months``, ``--seed`` and ``--default-parameters`` vary
it) and compares Mesa's model-level DataCollector frame, the regional table, both ledgers and a
digest of every farmer column exactly (NaN equals NaN, nothing else tolerated).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from full_model import full_parameters  # noqa: E402

from abm.core import crops  # noqa: E402
from abm.core.params import Parameters  # noqa: E402
from abm.model import RuralEconomy  # noqa: E402


def outputs(farmers: int = 2000, months: int = 24, seed: int = 11, full: bool = True) -> dict[str, object]:
    """Run the model (every mechanism on, or the default parameters) and return what the comparison looks at."""
    model = RuralEconomy(parameters=full_parameters(farmers) if full else Parameters(farmers=farmers), seed=seed)
    for _ in range(months):
        model.step()
    dc = model.datacollector
    f = model.farmers
    columns = {k: (str(v.dtype), hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest())
               for k, v in sorted(vars(f).items()) if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == f.n}
    return {"model_vars": dc.get_model_vars_dataframe(), "regions": dc.get_table_dataframe("regions"),
            "ledger": model.money.frame(), "goods": model.goods.frame(crops.CROPS), "farmer_columns": columns}


def compare(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Names of the outputs that differ (empty when identical); a column only the new run has is not a difference.

    A new output column (a measure added beside the old ones) leaves every result as it was, so the old
    columns are compared in their order and the added ones are printed.
    """
    bad = []
    for key, old in before.items():
        new = after[key]
        if isinstance(old, pd.DataFrame):
            kept = [c for c in new.columns if c in old.columns]
            same = len(old) == len(new) and kept == list(old.columns) and old.equals(new[kept])
            if added := [c for c in new.columns if c not in old.columns]:
                print(f"{key}: columns added (not compared): {', '.join(map(str, added))}")
        else:
            same = old == new
        if not same:
            bad.append(key)
    return bad


def main() -> None:
    """Save or compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write this run's outputs here")
    group.add_argument("--compare", type=Path, help="compare this run's outputs with a saved run")
    parser.add_argument("--farmers", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--default-parameters", action="store_true",
                        help="run the default parameters instead of every mechanism on")
    args = parser.parse_args()
    out = outputs(args.farmers, args.months, args.seed, not args.default_parameters)
    if args.save:
        args.save.write_bytes(pickle.dumps(out))
        print(f"saved {len(out['model_vars'])} months x {out['model_vars'].shape[1]} metrics to {args.save}")
        return
    bad = compare(pickle.loads(args.compare.read_bytes()), out)
    if bad:
        sys.exit(f"DIFFERENT: {', '.join(bad)}")
    print(f"identical: model_vars {out['model_vars'].shape}, regions {out['regions'].shape}, "
          f"ledger {out['ledger'].shape}, goods {out['goods'].shape}, {len(out['farmer_columns'])} farmer columns")


if __name__ == "__main__":
    main()
