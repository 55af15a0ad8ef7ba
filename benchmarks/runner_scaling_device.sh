#!/bin/bash
# Device run: scaling of benchmarks/runner_benchmark.py (from the .snap snapshot of HEAD).
# Usage (repo root): OUT=dir bash .devrun/run.sh   [RUNS=64 LONGRUNS=256 MONTHS= BUDGET=380]
RUNS=${RUNS:-64}; LONGRUNS=${LONGRUNS:-256}; BUDGET=${BUDGET:-380}
MONTHS_ARG=${MONTHS:+--months $MONTHS}
SITE=${SITE:-/tmp/site}; PY=${PY:-python3}
export PYTHONUNBUFFERED=1
{
echo "== env $(date -u +%FT%TZ)"; nproc; lscpu | head -20; free -g; uptime
$PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target $SITE .whl/*.whl || exit 1
cd .snap && export PYTHONPATH=$SITE:.
$PY -c "import sys, numpy, pandas, pyarrow, scipy, mesa, pydantic, dask, distributed, cloudpickle, toolz, msgpack, tornado; print(sys.version); print('numpy', numpy.__version__, 'pandas', pandas.__version__, 'pyarrow', pyarrow.__version__, 'scipy', scipy.__version__, 'mesa', mesa.__version__, 'pydantic', pydantic.__version__, 'dask', dask.__version__, 'distributed', distributed.__version__, 'cloudpickle', cloudpickle.__version__, 'tornado', tornado.version); import abm.model, experiments.runner; print('imports ok'); numpy.show_config()" 2>&1 | head -60 || exit 1
} 2>&1 | tee $OUT/env.txt
cd .snap && export PYTHONPATH=$SITE:.
(command -v vmstat >/dev/null && vmstat -t 5 > $OUT/vmstat.txt 2>&1) & VM=$!
SECONDS=0
B=benchmarks/runner_benchmark.py
echo "== local 1 2 4 8 16, $RUNS runs"; $PY $B --runs $RUNS $MONTHS_ARG --workers 1 2 4 8 16 --report $OUT/local.md; echo "elapsed $SECONDS s"; uptime; free -m | head -2
echo "== dask 16, $RUNS runs"; timeout 150 $PY $B --runs $RUNS $MONTHS_ARG --workers 16 --engine dask --report $OUT/dask16.md; echo "elapsed $SECONDS s"
if [ $SECONDS -lt $BUDGET ]; then echo "== local 16, $LONGRUNS runs"; timeout 150 $PY $B --runs $LONGRUNS $MONTHS_ARG --workers 16 --report $OUT/local16_long.md; echo "elapsed $SECONDS s"; fi
if [ $SECONDS -lt $((BUDGET + 60)) ]; then echo "== dask 16, $LONGRUNS runs"; timeout 150 $PY $B --runs $LONGRUNS $MONTHS_ARG --workers 16 --engine dask --report $OUT/dask16_long.md; echo "elapsed $SECONDS s"; fi
uptime; free -m | head -2
kill $VM 2>/dev/null; pkill -P $VM 2>/dev/null; true
