"""History matching with Gaussian-process emulators, then a sequential Monte Carlo posterior (model-free).

The method of ``ruralsim calibrate`` on arrays, so that it can be checked on toy simulators:

1. **Waves.** Wave 1 runs a Latin hypercube over the plausible box; each later wave runs the first
   Sobol points (:class:`scipy.stats.qmc.Sobol`) that every earlier wave left non-implausible. Every
   point runs at the same seeds (common random numbers).
2. **Emulators.** Per fact, a :class:`sklearn.gaussian_process.GaussianProcessRegressor` (Matern 5/2
   with one length scale per parameter, plus a white-noise nugget) of the seed-mean, trained on every
   point run so far inside the current region, validated by 10-fold cross-validation at the fitted
   kernel (Q², and the share of held-out points within three predictive standard deviations).
3. **Implausibility.** ``I_f(x) = d_f(mu_f(x)) / sqrt(s_em^2(x) + s_seed^2 + s_obs^2)``: ``d_f`` is the
   distance from the figure (outside the bound, for a bound fact), ``s_seed^2`` the replicate variance of
   one run estimated from the seeds (the province is one realisation), ``s_obs = tolerance /``
   :data:`TOLERANCE_SIGMAS` (observation error and model discrepancy). A point whose largest ``I_f``
   exceeds :data:`CUTOFF` is ruled out; the non-implausible share of the box is measured per wave.
4. **Posterior.** The prior is uniform on the plausible box; the likelihood is Gaussian in every fact
   with the same variances (flat inside a bound) and zero outside the region. The region's draws come
   from a mixture that covers a thin region unevenly, so weighting them at once leaves a handful of
   effective draws; a tempered sequential Monte Carlo sampler (Del Moral, Doucet and Jasra 2006) moves
   them from the draws' density to the posterior in steps, each followed by differential-evolution
   Metropolis moves (ter Braak 2006) that follow the particles' shape.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import gaussian_kde, qmc
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.model_selection import KFold

#: implausibility above which a point is ruled out (Pukelsheim's three-sigma rule)
CUTOFF = 3.0
#: a fact's tolerance counts as this many standard deviations of observation error plus model discrepancy
TOLERANCE_SIGMAS = 2.0
#: Sobol points drawn at a time when sampling the non-implausible region, and at most in all
DRAW_CHUNK = 2 ** 13
MAX_DRAWS = 2 ** 17
#: the posterior's tempered SMC: SMC_ESS_SHARE of the particles stay effective at each tempering step;
#: after each step, differential-evolution Metropolis moves until each particle has moved SMC_ACCEPTED
#: times on average (at least SMC_MOVES moves, at most SMC_MAX_MOVES); every SMC_JUMP_EVERY-th move
#: jumps with scale 1 (between modes) instead of 2.38 / sqrt(2 k)
SMC_ESS_SHARE = 0.5
SMC_ACCEPTED = 3.0
SMC_MOVES = 10
SMC_MAX_MOVES = 100
SMC_JUMP_EVERY = 5


class EmptyRegion(ValueError):
    """The waves ruled out every point of the box: no parameter set is consistent with every target."""


@dataclass(frozen=True)
class Target:
    """What one fact asks of the model: a figure or a bound, and the observation standard deviation."""

    id: str
    target: float
    low: float | None
    high: float | None
    sigma: float

    def distance(self, value: np.ndarray) -> np.ndarray:
        """Distance of values from the figure, or outside ``[low, high]`` for a bound (NaN: infinite)."""
        value = np.asarray(value, dtype=float)
        if self.low is None and self.high is None:
            d = np.abs(value - self.target)
        else:
            lo = -np.inf if self.low is None else self.low
            hi = np.inf if self.high is None else self.high
            d = np.maximum(0.0, np.maximum(lo - value, value - hi))
        return np.where(np.isfinite(value), d, np.inf)


@dataclass
class FactEmulator:
    """A Gaussian-process emulator of one fact's seed-mean over the unit cube, with its validation."""

    fact: str
    gp: GaussianProcessRegressor
    n: int
    q2: float = math.nan
    coverage: float = math.nan

    @classmethod
    def fit(cls, fact: str, x: np.ndarray, y: np.ndarray, noise_var: float, seed: int = 0) -> FactEmulator:
        """Fit to the finite values ``y`` at points ``x``; ``noise_var`` is the variance of a seed-mean."""
        ok = np.isfinite(y)
        x, y = x[ok], y[ok]
        k = x.shape[1]
        spread = float(np.var(y)) if y.size > 1 else 0.0
        scale = spread if spread > 0 else 1.0  # a fact flat (or measured once) in this wave: unit scale
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(np.full(k, 0.5), (1e-2, 1e3), nu=2.5)
                  + WhiteKernel(1e-3, (1e-8, 1.0)))
        gp = GaussianProcessRegressor(kernel, alpha=max(noise_var / scale, 1e-8), normalize_y=True,
                                      n_restarts_optimizer=2, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(x, y)
        em = cls(fact, gp, len(y))
        em.q2, em.coverage = cross_validate(gp, x, y, noise_var)
        return em

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Emulated mean and standard deviation at points ``x``."""
        mean, sd = self.gp.predict(np.atleast_2d(x), return_std=True)
        return mean, sd

    def length_scales(self) -> np.ndarray:
        """The fitted Matern length scale of each parameter (in units of the plausible range)."""
        return np.atleast_1d(self.gp.kernel_.k1.k2.length_scale)


def cross_validate(gp: GaussianProcessRegressor, x: np.ndarray, y: np.ndarray, noise_var: float,
                   folds: int = 10) -> tuple[float, float]:
    """Q² and the share of held-out points within 3 sd, by k-fold cross-validation at the fitted kernel.

    A held-out value is a seed-mean, so its sd adds ``noise_var`` (a seed-mean's variance) to the emulator's.
    """
    if len(y) < 4:
        return math.nan, math.nan
    pred, sd = np.empty_like(y), np.empty_like(y)
    for train, test in KFold(min(folds, len(y)), shuffle=True, random_state=0).split(x):
        fold = clone(gp).set_params(kernel=gp.kernel_, optimizer=None).fit(x[train], y[train])
        pred[test], sd[test] = fold.predict(x[test], return_std=True)
    spread = float(np.sum((y - y.mean()) ** 2))
    q2 = 1.0 - float(np.sum((y - pred) ** 2)) / spread if spread > 0 else math.nan
    return q2, float(np.mean(np.abs(y - pred) <= CUTOFF * np.sqrt(sd ** 2 + noise_var)))


@dataclass
class Wave:
    """One wave: its design, what the runs gave, the emulators fitted after it and the region it leaves."""

    index: int
    x: np.ndarray
    y: np.ndarray
    seed_var: np.ndarray
    emulators: list[FactEmulator]
    targets: list[Target]
    nroy_fraction: float = math.nan
    filled: int = 0
    seconds: float = 0.0

    def standardised(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per fact (columns): implausibility and the total standard deviation at points ``x``."""
        rows, sds = [], []
        for em, t, v in zip(self.emulators, self.targets, self.seed_var, strict=True):
            mean, sd = em.predict(x)
            total = np.sqrt(sd ** 2 + v + t.sigma ** 2)
            rows.append(t.distance(mean) / total)
            sds.append(total)
        return np.column_stack(rows), np.column_stack(sds)

    def implausibility(self, x: np.ndarray) -> np.ndarray:
        """The largest implausibility over the facts at each point."""
        return self.standardised(x)[0].max(axis=1)


def nonimplausible(waves: Sequence[Wave], x: np.ndarray) -> np.ndarray:
    """Which points every wave leaves non-implausible (later waves only judge what earlier ones kept)."""
    keep = np.ones(len(x), dtype=bool)
    for wave in waves:
        if keep.any():
            keep[keep] = wave.implausibility(x[keep]) <= CUTOFF
    return keep


@dataclass
class Draws:
    """Draws of the non-implausible region from a defensive mixture proposal, with its density at each."""

    x: np.ndarray
    density: np.ndarray
    volume: float
    drawn: int
    filled: int = 0


def region_centres(waves: Sequence[Wave], k: int) -> np.ndarray:
    """The design points every wave leaves non-implausible (at least ``2k``: the least implausible ones)."""
    x = np.vstack([w.x for w in waves])
    worst = np.max([w.implausibility(x) for w in waves], axis=0)
    inside = worst <= CUTOFF
    if inside.sum() >= 2 * k:
        return x[inside]
    return x[np.argsort(worst, kind="stable")[:2 * k]]


def _proposal(waves: Sequence[Wave], k: int) -> gaussian_kde | None:
    """A Gaussian kernel density (Scott's bandwidth) over the region's known points, or None where singular."""
    centres = region_centres(waves, k)
    try:
        return gaussian_kde(centres.T)
    except (np.linalg.LinAlgError, ValueError):
        return None


def draw_region(waves: Sequence[Wave], k: int, wanted: int, seed: int, max_draws: int = MAX_DRAWS) -> Draws:
    """Draw ``wanted`` points of the region every wave leaves, and measure its volume.

    The proposal is half a scrambled Sobol sequence over the box and half a kernel density over the
    region's known points (which finds a region too small for uniform draws); its density ``q`` at every
    draw makes ``mean(1{x in region} / q(x))`` an unbiased estimate of the region's share of the box, and
    is the density the posterior's particles start from (:func:`tempered_smc`). Where the region gives
    too few points after ``max_draws`` draws, the least implausible draws in the box fill the rest
    (counted in ``filled``).
    """
    rng = np.random.default_rng(seed)
    sobol = qmc.Sobol(k, rng=rng)
    kde = _proposal(waves, k) if waves else None
    kept, dens, near, drawn, volume = [], [], [], 0, 0.0
    while drawn < max_draws and sum(len(p) for p in kept) < wanted:
        x = sobol.random(DRAW_CHUNK // 2 if kde is not None else DRAW_CHUNK)
        if kde is not None:
            x = np.vstack([x, kde.resample(DRAW_CHUNK // 2, seed=rng).T])
        q = 0.5 + 0.5 * kde.pdf(x.T) if kde is not None else np.ones(len(x))
        drawn += len(x)
        inbox = np.all((x >= 0.0) & (x <= 1.0), axis=1)
        x, q = x[inbox], q[inbox]
        mask = nonimplausible(waves, x)
        kept.append(x[mask])
        dens.append(q[mask])
        volume += float(np.sum(1.0 / q[mask]))
        if waves and not mask.all():
            near.append((np.max([w.implausibility(x[~mask]) for w in waves], axis=0), x[~mask], q[~mask]))
    x, q = np.vstack(kept), np.concatenate(dens)
    filled = max(0, wanted - len(x))
    if filled:
        worst = np.concatenate([n[0] for n in near])
        order = np.argsort(worst, kind="stable")[:filled]
        x = np.vstack([x, np.vstack([n[1] for n in near])[order]])
        q = np.concatenate([q, np.concatenate([n[2] for n in near])[order]])
    return Draws(x[:wanted], q[:wanted], volume / drawn, drawn, filled)


def fit_wave(index: int, x: np.ndarray, y: np.ndarray, targets: Sequence[Target], earlier: Sequence[Wave],
             seed: int = 0) -> Wave:
    """Fit a wave's emulators on every point run so far that the earlier waves leave in the region.

    Args:
        index: Wave number (1-based).
        x: This wave's design (unit cube, one row a point).
        y: Its results, shape ``(points, seeds, facts)``.
        targets: The facts, in the order of ``y``'s last axis.
        earlier: The waves before (their points join the training set where still non-implausible).
        seed: Seed of the optimiser's restarts.
    """
    xs = np.vstack([w.x for w in earlier] + [x])
    ys = np.concatenate([w.y for w in earlier] + [y])
    inside = nonimplausible(earlier, xs)
    xs, ys = xs[inside], ys[inside]
    seeds = ys.shape[1]
    if seeds < 2:
        raise ValueError("history matching needs at least two seeds per point to estimate replicate noise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        seed_var = np.nanmean(np.nanvar(ys, axis=1, ddof=1), axis=0)
        means = np.nanmean(ys, axis=1)
    seed_var = np.nan_to_num(seed_var)
    emulators = [FactEmulator.fit(t.id, xs, means[:, j], seed_var[j] / seeds, seed)
                 for j, t in enumerate(targets)]
    return Wave(index, x, y, seed_var, emulators, list(targets))


@dataclass
class Posterior:
    """A posterior sample: distinct points (unit cube), normalised weights and their emulated facts.

    ``proposals`` is how many particles the sampler carried, ``ess_by_step`` the effective size of the
    particles' weights at each tempering step (before resampling), ``acceptance`` the share of moves
    accepted at each step.
    """

    x: np.ndarray
    weights: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    proposals: int
    ess_by_step: tuple[float, ...] = ()
    acceptance: tuple[float, ...] = ()

    @property
    def ess(self) -> float:
        """Kish's effective sample size of the weights."""
        return kish_ess(self.weights)


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of (unnormalised) weights."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w ** 2)) if w.size and w.sum() > 0 else 0.0


LogDensity = Callable[[np.ndarray], np.ndarray]


def next_temperature(log_ratio: np.ndarray, beta: float, share: float) -> float:
    """The largest exponent in ``(beta, 1]`` whose incremental weights keep ``share`` of the particles effective."""
    wanted = share * len(log_ratio)

    def ess_at(b: float) -> float:
        step = (b - beta) * log_ratio
        return kish_ess(np.exp(step - step.max()))

    if ess_at(1.0) >= wanted:
        return 1.0
    lo, hi = beta, 1.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ess_at(mid) >= wanted else (lo, mid)
    return max(lo, beta + 1e-9)


def de_move(x: np.ndarray, parts: np.ndarray, parts_of: Callable[[np.ndarray], np.ndarray], beta: float,
            rng: np.random.Generator, scale: float) -> tuple[np.ndarray, np.ndarray, float]:
    """One differential-evolution Metropolis move of every particle (ter Braak 2006).

    Particle ``i`` proposes ``x_i + scale (x_a - x_b) + e`` with ``a``, ``b`` two other particles and
    ``e`` a tiny jitter, so the moves follow the cloud's own shape (a thin or curved region included);
    the proposal is symmetric, so it is accepted with probability ``min(1, target ratio)``. ``parts``
    holds each particle's log likelihood and log density of ``q`` (``parts_of`` computes them), the
    target being ``beta L + (1 - beta) q`` in logs; the moved particles' parts are returned with them.
    """
    n, k = x.shape
    a = (np.arange(n) + rng.integers(1, n, n)) % n
    b = (np.arange(n) + rng.integers(1, n, n)) % n
    while (clash := (b == a)).any():
        b[clash] = (np.flatnonzero(clash) + rng.integers(1, n, int(clash.sum()))) % n
    proposal = x + scale * (x[a] - x[b]) + rng.normal(0.0, 1e-6, (n, k))
    proposed = parts_of(proposal)

    def tempered(pq: np.ndarray) -> np.ndarray:
        return beta * pq[:, 0] + (1.0 - beta) * pq[:, 1]

    accept = np.log(rng.random(n)) < tempered(proposed) - tempered(parts)
    return np.where(accept[:, None], proposal, x), np.where(accept[:, None], proposed, parts), float(accept.mean())


def tempered_smc(log_lik: LogDensity, log_q: LogDensity, x: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, list[float], list[float]]:
    """Tempered sequential Monte Carlo from draws of ``q`` to the posterior (Del Moral, Doucet and Jasra 2006).

    The particles start as draws from the density ``q`` (inside the support) and move through
    ``q^(1 - beta) L^beta`` as ``beta`` rises from 0 to 1, each step as large as keeps
    :data:`SMC_ESS_SHARE` of them effective: reweight, resample (systematically), then
    differential-evolution Metropolis moves until each particle has moved :data:`SMC_ACCEPTED` times on
    average. Returns the final particles (equally weighted), and each step's effective size before
    resampling and acceptance of the moves.
    """
    k = x.shape[1]

    def parts_of(p: np.ndarray) -> np.ndarray:
        """Log likelihood and log density of ``q`` (columns); outside the box the likelihood is zero."""
        inbox = np.all((p >= 0.0) & (p <= 1.0), axis=1)
        out = np.column_stack([np.full(len(p), -np.inf), np.zeros(len(p))])
        if inbox.any():
            out[inbox] = np.column_stack([log_lik(p[inbox]), log_q(p[inbox])])
        return out

    parts = parts_of(x)
    beta, ess, accepted = 0.0, [], []
    while beta < 1.0:
        log_ratio = parts[:, 0] - parts[:, 1]
        nxt = next_temperature(log_ratio, beta, SMC_ESS_SHARE)
        step = (nxt - beta) * log_ratio
        weights = np.exp(step - step.max())
        ess.append(kish_ess(weights))
        rows = systematic_resample(weights, len(x))
        x, parts, beta, rates = x[rows], parts[rows], nxt, []
        while len(rates) < SMC_MAX_MOVES and (len(rates) < SMC_MOVES or sum(rates) < SMC_ACCEPTED):
            scale = 1.0 if (len(rates) + 1) % SMC_JUMP_EVERY == 0 else 2.38 / math.sqrt(2 * k)
            x, parts, rate = de_move(x, parts, parts_of, beta, rng, scale)
            rates.append(rate)
        accepted.append(float(np.mean(rates)))
    return x, ess, accepted


def sample_posterior(waves: Sequence[Wave], draws: Draws, keep: int = 2000, seed: int = 0) -> Posterior:
    """Sample the posterior on the last wave's emulators from the draws of the final region.

    The prior is uniform on the plausible box and the likelihood Gaussian in every fact, zero outside
    the region the waves leave. The region's draws came from :func:`draw_region`'s mixture, so they are
    reweighted towards the posterior by :func:`tempered_smc` (weighting them at once leaves a handful
    of effective draws where the region is thin and the mixture uneven); the final particles are kept
    as at most ``keep`` distinct rows (a row's weight: how many particles sit on it).
    """
    inside = nonimplausible(waves, draws.x)
    if not inside.any():
        raise EmptyRegion("the waves left no non-implausible point: widen the plausible ranges or check the facts")
    last, k = waves[-1], draws.x.shape[1]
    kde = _proposal(waves, k)

    def log_likelihood(points: np.ndarray) -> np.ndarray:
        out = np.full(len(points), -np.inf)
        ok = nonimplausible(waves, points)
        if ok.any():
            z, total = last.standardised(points[ok])
            out[ok] = -0.5 * np.sum(z ** 2, axis=1) - np.sum(np.log(total), axis=1)
        return out

    def log_proposal(points: np.ndarray) -> np.ndarray:
        return np.log(0.5 + 0.5 * kde.pdf(points.T)) if kde is not None else np.zeros(len(points))

    x, ess, accepted = tempered_smc(log_likelihood, log_proposal, draws.x[inside], np.random.default_rng(seed))
    rows, counts = np.unique(x, axis=0, return_counts=True)
    if len(rows) > keep:
        pick, per = np.unique(systematic_resample(counts.astype(float), keep), return_counts=True)
        rows, counts = rows[pick], per
    predicted = [em.predict(rows) for em in last.emulators]
    return Posterior(rows, counts / counts.sum(), np.column_stack([p[0] for p in predicted]),
                     np.column_stack([p[1] for p in predicted]), len(x), tuple(ess), tuple(accepted))


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of weighted values (columns), by the weighted empirical distribution's midpoints."""
    values = np.atleast_2d(values.T).T
    out = np.empty((len(qs), values.shape[1]))
    for j in range(values.shape[1]):
        order = np.argsort(values[:, j], kind="stable")
        cum = np.cumsum(weights[order]) - 0.5 * weights[order]
        out[:, j] = np.interp(qs, cum / weights.sum(), values[order, j])
    return out


def systematic_resample(weights: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` draws by systematic resampling at fixed offsets ``(i + 0.5) / n`` (no random numbers)."""
    cum = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cum, (np.arange(n) + 0.5) / n), len(weights) - 1)


Simulator = Callable[[np.ndarray, int], np.ndarray]


@dataclass
class HistoryMatch:
    """What :func:`history_match` found: the waves and the posterior."""

    waves: list[Wave]
    posterior: Posterior


def history_match(simulate: Simulator, k: int, targets: Sequence[Target], waves: int, points: int,
                  seed: int = 0, proposals: int = 2 ** 13,
                  report: Callable[[Wave], None] | None = None) -> HistoryMatch:
    """Run waves of designs through ``simulate``, ruling out space, then weight the region left.

    Args:
        simulate: Maps unit-cube points ``(n, k)`` and the wave number to results ``(n, seeds, facts)``.
        k: Number of parameters.
        targets: The facts, in the order of the results' last axis.
        waves: Number of waves.
        points: Design points per wave.
        seed: Seed of the designs (wave ``w`` draws with ``seed + w``) and of the emulators' optimiser.
        proposals: Draws from the final region that start the posterior's particles.
        report: Called with each wave once its emulators are fitted and its region measured.
    """
    done: list[Wave] = []
    x, filled = qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(points), 0
    for index in range(1, waves + 1):
        start = time.perf_counter()
        wave = fit_wave(index, x, simulate(x, index), targets, done, seed)
        done.append(wave)
        draws = draw_region(done, k, proposals if index == waves else points, seed + index)
        wave.nroy_fraction, wave.filled, wave.seconds = draws.volume, filled, time.perf_counter() - start
        x, filled = draws.x, draws.filled
        if report is not None:
            report(wave)
    return HistoryMatch(done, sample_posterior(done, draws, seed=seed + waves + 1))
