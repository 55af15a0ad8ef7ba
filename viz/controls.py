"""The app's parameter controls, derived from the declarations; presets; the model the app builds.

Nothing here repeats a parameter's unit, range, default or choices: they come from
:func:`abm.core.params.declarations`. What the app adds is which parameters to show, in groups
(:data:`SHOWN`), narrower slider ranges where the declared one is impractical in a browser
(:data:`UI_RANGES`, always inside the declared range), the app's default scenario
(:data:`UI_DEFAULTS`: a small province, so that the page is responsive on two cores) and presets
(:data:`PRESETS`: plain dicts of parameter overrides).

Mesa's Reset builds a new :class:`UIModel` from SolaraViz's ``model_params``; the app passes a
:class:`Settings` handle among them, so the model reads the panel's current values when it is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from abm.core.params import Parameters, declarations, in_region
from abm.io.scenario import ScenarioError, validate_parameters
from abm.model import RuralEconomy
from experiments.parsers import PARSE_SEED, read_option

#: parameters the app shows, by group (each a declared parameter)
SHOWN: dict[str, tuple[str, ...]] = {
    "scale": ("farmers", "households_per_village"),
    "development model and trust": ("development_model", "trust_mechanism", "fraud_penalty", "dispute_speed",
                                    "trace_cost", "price_discrimination", "discrimination_regulation"),
    "market and diffusion": ("commission", "coop_fee", "trust_weight", "initial_trust", "imitation_rate"),
    "western infrastructure": in_region("west", "cold_chain", "g5", "broadband"),
    "government instruments": ("budget_cold_chain", "cold_chain_subsidy_rate", "budget_logistics",
                               "budget_broadband", "budget_training", "budget_talent", "budget_returnee",
                               "budget_brand", "unspent_rule"),
    "east-west cooperation": ("fund_rate", "pairing"),
    "shock": ("shock", "shock_start", "shock_months"),
}

_BUDGET_NAMES = ("budget_cold_chain", "budget_logistics", "budget_broadband", "budget_training", "budget_talent",
                 "budget_returnee", "budget_brand")

#: slider ranges of the app where the declared one is impractical (kept inside the declared range)
UI_RANGES: dict[str, tuple[float, float]] = {
    "farmers": (600, 60_000),
    "households_per_village": (5, 100),
    "shock_start": (0, 120),
    "shock_months": (0, 120),
    **{name: (0.0, 50_000_000.0) for name in _BUDGET_NAMES},
}

#: the app's default scenario: a small province (5,880 households in 294 villages) for speed
UI_DEFAULTS: dict[str, Any] = {"farmers": 6000, "households_per_village": 20}

#: the seed a new page starts with
DEFAULT_SEED = 42

_BUDGETS = {"budget_cold_chain": 6_000_000.0, "budget_logistics": 1_000_000.0, "budget_broadband": 3_000_000.0,
            "budget_training": 1_500_000.0, "budget_talent": 500_000.0, "budget_returnee": 500_000.0,
            "budget_brand": 1_000_000.0}

DEFAULT_PRESET = "default (small province)"

#: named sets of parameter overrides on top of the app's defaults
PRESETS: dict[str, dict[str, Any]] = {
    DEFAULT_PRESET: {},
    # development models (004)
    "development: platform-driven": {"development_model": "platform"},
    "development: government brand": {"development_model": "government_brand"},
    "development: livestream new farmers": {"development_model": "livestream"},
    # trust mechanisms (experiment 1)
    "trust: acquaintance": {"trust_mechanism": "acquaintance"},
    "trust: platform reputation": {"trust_mechanism": "reputation"},
    "trust: dual (credit rating, penalties)": {"trust_mechanism": "dual", "fraud_penalty": 1.0, "dispute_speed": 0.6},
    "trust: blockchain traceability": {"trust_mechanism": "blockchain"},
    # government instruments (experiment 2), sized for the small province
    "subsidies: package of 13.5M yuan/year": dict(_BUDGETS),
    "subsidies: package, unspent carried": dict(_BUDGETS, unspent_rule="carry"),
    # east-west cooperation (experiment 3)
    "east-west fund 1%": {"fund_rate": 0.01},
    "east-west fund 5%": {"fund_rate": 0.05},
    "east-west fund 1% and pairing": {"fund_rate": 0.01, "pairing": True},
    # shocks
    "shock: commission hike (months 24-36)": {"shock": "commission_hike", "shock_start": 24, "shock_months": 12},
    "shock: logistics exit (months 24-36)": {"shock": "logistics_exit", "shock_start": 24, "shock_months": 12},
}


@dataclass(frozen=True)
class Control:
    """One control of the parameter panel, derived from a parameter's declaration."""

    name: str
    kind: str  # "int", "float", "choice" or "bool"
    label: str
    unit: str
    description: str
    source: str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()

    def text(self, value: Any) -> str:
        """The value with its unit, as the panel shows it."""
        if self.kind in ("choice", "bool"):
            return str(value).replace("_", " ") if self.kind == "choice" else ("on" if value else "off")
        return f"{number(value)} {self.unit}".strip()

    def snap(self, value: float) -> float:
        """The slider position nearest to ``value`` (the slider moves in steps from its minimum)."""
        return self.min + round((value - self.min) / self.step) * self.step

    def is_echo(self, current: Any, new: Any) -> bool:
        """Whether a slider's ``new`` value is only its rounding of ``current`` to a step, not a user's move.

        A slider given a value between its steps (a calibrated default such as 0.0912) reports the
        nearest step back as soon as it is drawn; taking that as a change would alter the parameter.
        """
        if self.kind not in ("int", "float") or current is None:
            return False
        tol = 1e-6 * self.step
        off_grid = not math.isclose(current, self.snap(current), abs_tol=tol)
        return off_grid and math.isclose(new, self.snap(current), abs_tol=tol)

    def clip(self, value: Any) -> Any:
        """A value on this control's scale (sliders: inside the range, of the right type)."""
        if self.kind == "int":
            return int(min(max(value, self.min), self.max))
        if self.kind == "float":
            return float(min(max(value, self.min), self.max))
        return value


def declared() -> dict[str, dict[str, Any]]:
    """The declarations of every parameter, by name."""
    return {d["name"]: d for d in declarations()}


def number(value: float) -> str:
    """A compact number for labels: 0.06, 60, 6,000, 1.5M."""
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.4g}M"
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:.4g}"


def slider_step(kind: str, lo: float, hi: float) -> float:
    """About a hundredth of the range, rounded to one significant digit (a whole number for integers)."""
    raw = (hi - lo) / 100
    if raw <= 0:
        return 1 if kind == "int" else 0.01
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = round(raw / magnitude) * magnitude
    return max(1, int(step)) if kind == "int" else float(step)


def control(d: dict[str, Any]) -> Control:
    """The control of one declared parameter: a slider (numbers), a select (choices) or a checkbox."""
    words = d["name"].replace("_", " ")
    common = {"name": d["name"], "description": d["description"], "source": d["source"]}
    if d["type"] == "choice":
        return Control(kind="choice", label=words, unit="", choices=tuple(d["choices"]), **common)
    if d["type"] == "bool":
        return Control(kind="bool", label=words, unit="", **common)
    lo, hi = UI_RANGES.get(d["name"], (d["min"], d["max"]))
    lo, hi = max(lo, d["min"]), min(hi, d["max"])
    unit = "" if d["unit"] == "0-1" else d["unit"]  # an index whose range already says 0-1
    return Control(kind=d["type"], label=f"{words} ({number(lo)}-{number(hi)} {unit})".replace(" )", ")"),
                   unit=unit, min=lo, max=hi, step=slider_step(d["type"], lo, hi), **common)


def controls() -> dict[str, list[Control]]:
    """The panel's controls by group, in :data:`SHOWN` order."""
    decl = declared()
    return {group: [control(decl[name]) for name in names] for group, names in SHOWN.items()}


def shown_names() -> list[str]:
    """Names of the parameters that have a control."""
    return [name for names in SHOWN.values() for name in names]


def preset_values(preset: str) -> dict[str, Any]:
    """What the panel holds under a preset: every shown parameter, plus any others the preset sets.

    Values are the declared defaults, then the app's defaults, then the preset's overrides.
    """
    decl = declared()
    values = {name: decl[name]["default"] for name in shown_names()}
    return values | UI_DEFAULTS | PRESETS[preset]


def changed_parameters(parameters: Parameters, preset: str | None) -> dict[str, tuple[Any, Any]]:
    """Every parameter whose value differs from the preset's (with the app's defaults): ``{name: (preset's, now)}``.

    All declared parameters are compared, not only those with a control. An unknown preset
    compares with the app's defaults.
    """
    base = Parameters(**preset_values(preset if preset in PRESETS else DEFAULT_PRESET)).model_dump()
    now = parameters.model_dump()
    return {name: (base[name], value) for name, value in now.items() if value != base[name]}


def validate_presets() -> None:
    """Check that every preset names declared parameters with allowed values (raises otherwise)."""
    for name in PRESETS:
        Parameters(**preset_values(name))


class Settings:
    """A handle on the panel's state that Mesa passes to the model on Reset (a fixed ``model_params`` entry).

    Args:
        state: Anything with a ``value`` attribute holding ``{"preset": str, "values": dict}``
            (in the app, a Solara reactive variable of the browser session).
    """

    def __init__(self, state: Any) -> None:
        """Wrap the panel's state."""
        self.state = state

    @property
    def preset(self) -> str:
        """The preset the panel's values started from."""
        return self.state.value["preset"]

    @property
    def values(self) -> dict[str, Any]:
        """The panel's current parameter values."""
        return dict(self.state.value["values"])


def parse_seed(seed: int | str) -> int:
    """The seed typed in a seed box, read as ``ruralsim run --seed`` reads it.

    Raises:
        ScenarioError: If it is not allowed, with the command line's message.
    """
    return read_option("--seed", PARSE_SEED, seed)


class UIModel(RuralEconomy):
    """The model as the app builds it: the app's defaults, a preset, the panel's values and a seed.

    It keeps the household panel of ``ruralsim run --panel yearly`` (:attr:`household_panel`) for download.

    A page must not die on a typo: when the seed or the values are not allowed, the model is built
    from the default seed or the app's defaults instead, and :attr:`problem` says why (the panel
    shows it).
    """

    def __init__(self, settings: Settings | None = None, seed: int | str = DEFAULT_SEED,
                 preset: str = DEFAULT_PRESET, scenario: Any = None, **overrides: Any) -> None:
        """Build :class:`abm.model.RuralEconomy` for the app.

        Args:
            settings: The panel's state; its preset and values replace ``preset`` (given by Mesa's Reset).
            seed: Random seed (text from the seed box is accepted).
            preset: Name of a preset (a key of :data:`PRESETS`), used without ``settings``.
            scenario: Ignored: Mesa's Reset passes its own (empty) scenario; seed and parameters come from here.
            overrides: Further parameter values; they win over the preset's and the panel's.
        """
        del scenario
        values = preset_values(preset)
        if settings is not None:
            preset, values = settings.preset, settings.values
        problems = []
        try:
            self.seed = parse_seed(seed)
        except ScenarioError as err:
            self.seed = DEFAULT_SEED
            problems.append(f"{err}; used {DEFAULT_SEED}")
        try:
            parameters = validate_parameters(UI_DEFAULTS | values | overrides, origin="the page's controls")
        except ScenarioError as err:
            problems.append(f"{err}\nused the app's defaults instead")
            parameters = validate_parameters(UI_DEFAULTS, origin="the app's defaults")
        self.preset = preset
        self.problem = "\n".join(problems) or None
        super().__init__(parameters, seed=self.seed, panel="yearly")



def model_params(settings: Settings, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """SolaraViz's ``model_params``: the seed box (Mesa's own control) and the panel's settings handle."""
    return {"seed": {"type": "InputText", "value": str(seed), "label": "random seed (whole number)"},
            "settings": settings}
