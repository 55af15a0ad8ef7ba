"""The parameter panel of the sidebar: presets, and one control per shown parameter, in groups.

Every control is made from a :class:`viz.controls.Control` (itself derived from the parameter's
declaration); each shows the current value with its unit, the range in its label, and the
parameter's description and source on hover. Changes apply when Mesa's Reset builds a new model.
"""

from __future__ import annotations

from typing import Any

import solara

from viz.controls import DEFAULT_PRESET, PRESETS, Control, controls, preset_values

#: groups open when the page loads
OPEN_GROUPS = ("scale", "development model and trust")


def initial_state(preset: str = DEFAULT_PRESET) -> dict[str, Any]:
    """The panel's state under a preset: ``{"preset": name, "values": {parameter: value}}``."""
    return {"preset": preset, "values": preset_values(preset)}


def pending_changes(values: dict[str, Any], model) -> list[str]:
    """Names of the panel's parameters whose value differs from the running model's."""
    return [name for name, value in values.items() if getattr(model.p, name) != value]


@solara.component
def ControlInput(c: Control, value: Any, on_value) -> None:
    """One parameter's control: label and value with unit, then the slider, select or checkbox."""
    tip = f"{c.description} Source: {c.source}."
    with solara.v.Html(tag="div", attributes={"title": tip}, class_=f"ruralsim-param ruralsim-param-{c.name}",
                       style_="margin-bottom: 6px"):
        if c.kind == "bool":
            solara.Checkbox(label=c.label, value=bool(value), on_value=on_value)
            return
        if c.kind == "choice":
            solara.Select(c.label, values=list(c.choices), value=value, on_value=on_value, dense=True)
            return
        solara.HTML(tag="div", unsafe_innerHTML=f"{c.label}: <b>{c.text(value)}</b>",
                    style={"font-size": "13px", "color": "#444", "line-height": "1.2"})
        def moved(new: Any) -> None:
            if not c.is_echo(value, new):
                on_value(new)

        slider = solara.SliderInt if c.kind == "int" else solara.SliderFloat
        slider("", value=c.clip(value), min=c.min, max=c.max, step=c.step, on_value=moved, thumb_label=False)


@solara.component
def ParameterPanel(state: solara.Reactive, model) -> None:
    """Presets and the parameter controls; says how many changes wait for Reset."""
    groups = solara.use_memo(controls, [])
    current = state.value
    values = current["values"]

    def set_value(name: str, value: Any) -> None:
        state.set({**state.value, "values": {**state.value["values"], name: value}})

    def set_preset(name: str) -> None:
        state.set(initial_state(name))

    with solara.Card("Parameters", classes=["ruralsim-parameters"]):
        solara.Select("preset", values=list(PRESETS), value=current["preset"], on_value=set_preset,
                      classes=["ruralsim-preset"])
        if getattr(model, "problem", None):
            solara.Error(model.problem, classes=["ruralsim-problem"])
        waiting = pending_changes(values, model)
        if waiting:
            solara.Warning(f"{len(waiting)} change(s) not applied yet: press Reset.", dense=True,
                           classes=["ruralsim-pending"])
        else:
            solara.Text("Controls match the running model. A preset sets the controls; Reset applies them.",
                        style={"font-size": "12px", "color": "#666"})
        for group, items in groups.items():
            with solara.Details(group, expand=group in OPEN_GROUPS):
                for c in items:
                    ControlInput(c, values[c.name], lambda v, name=c.name: set_value(name, v))
