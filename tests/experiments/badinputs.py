"""The corpus of malformed inputs: files and command lines that must be refused before any work.

Each case is ``(kind, files, argv, expected)``: ``files`` maps a name to its text (or bytes) written
into a fresh folder, ``argv`` is the command line (``{d}`` stands for that folder) and ``expected``
lists what the message must name (the field or option, the value, what is allowed).
"""

from __future__ import annotations

SMALL_ARMS = "name = 'x'\nreplicates = 2\nmonths = 2\nparameters = { farmers = 150 }\n[arms.a]\ncommission = 0.1\n"
SOBOL = ("name = 's'\nreplicates = 1\nmonths = 2\nparameters = { farmers = 150 }\n"
         "[design]\nkind = 'sobol'\nparameters = ['commission', 'trust_weight']\nsamples = 4\n")
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"


def scenario(text: str, suffix: str = "toml") -> tuple[dict, list[str]]:
    """A scenario file given to ``run``."""
    return {f"s.{suffix}": text}, ["run", f"{{d}}/s.{suffix}"]


def experiment(text: str, suffix: str = "toml", *extra: str) -> tuple[dict, list[str]]:
    """An experiment file given to ``experiment``."""
    return {f"e.{suffix}": text}, ["experiment", f"{{d}}/e.{suffix}", "--out", "{d}/out", *extra]


def option(*argv: str) -> tuple[dict, list[str]]:
    """A command line alone."""
    return {}, list(argv)


CASES: list[tuple[str, tuple[dict, list[str]], list[str]]] = [
    # --- files: what could hang, crash or be misread ----------------------------------------------
    ("file", scenario(BOMB, "yaml"), ["anchors and aliases"]),
    ("file", scenario("a: &x 1\nname: n\n", "yaml"), ["anchors and aliases"]),
    ("file", scenario("base: &b {months: 2}\nother:\n  <<: *b\n", "yaml"), ["anchors and aliases"]),
    ("file", scenario("name: a\nname: b\n", "yaml"), ["duplicate key 'name'"]),
    ("file", scenario("parameters:\n  commission: 0.1\n  commission: 0.2\n", "yaml"), ["duplicate key 'commission'"]),
    ("file", experiment("arms:\n  a: {commission: 0.1}\n  a: {commission: 0.2}\n", "yaml"), ["duplicate key 'a'"]),
    ("file", scenario("name: " + "[" * 40 + "]" * 40 + "\n", "yaml"), ["nested more than 16 levels"]),
    ("file", scenario("name: !!python/object/apply:os.system ['true']\n", "yaml"), ["not valid YAML"]),
    ("file", scenario("- a\n- b\n", "yaml"), ["top level must be a table", "list"]),
    ("file", scenario("just text\n", "yaml"), ["top level must be a table", "str"]),
    ("file", scenario("name: [unclosed\n", "yaml"), ["not valid YAML"]),
    ("file", scenario("name = \n"), ["not valid TOML"]),
    ("file", scenario("name = 'a'\nname = 'b'\n"), ["not valid TOML"]),
    ("file", scenario(""), ["empty file"]),
    ("file", scenario("   \n\n", "yaml"), ["empty file"]),
    ("file", scenario("# only a comment\n"), ["no keys"]),
    ("file", ({"s.toml": b"name = 'a'\0\x01\x02"}, ["run", "{d}/s.toml"]), ["binary content"]),
    ("file", ({"s.toml": "name = 'caf\u00e9'".encode("latin-1")}, ["run", "{d}/s.toml"]), ["not UTF-8 text"]),
    ("file", scenario("# " + "x" * 1_000_100 + "\nname = 'a'\n"), ["bytes; allowed: at most 1,000,000 bytes"]),
    ("file", ({"s.json": "{}"}, ["run", "{d}/s.json"]), ["unknown file type '.json'", ".toml, .yaml, .yml"]),
    ("file", ({"dir.toml/x": "a"}, ["run", "{d}/dir.toml"]), ["is a folder"]),
    ("file", option("run", "/dev/null.toml"), ["no such file"]),
    ("file", option("run", "/dev/null"), ["not a regular file"]),
    ("file", option("run", "{d}/missing.yaml"), ["missing.yaml: no such file"]),
    ("file", option("run", "nosuchscenario"), ["no such file or packaged scenario", "packaged: "]),
    ("file", option("experiment", "nosuchsuite"), ["no such file or packaged suite"]),
    # --- scenario values: strict types, finite numbers, ranges -----------------------------------
    ("value", scenario("[parameters]\ncommission = '0.1'\n"), ["parameters.commission = '0.1' (str)", "0.0 to 0.5"]),
    ("value", scenario("months = '12'\n"), ["months = '12' (str)", "1 to 1200"]),
    ("value", scenario("[parameters]\ncommission = true\n"), ["parameters.commission = True (bool)"]),
    ("value", scenario("[parameters]\ncommission = nan\n"), ["parameters.commission = nan: not a finite number",
                                                          "0.0 to 0.5"]),
    ("value", scenario("[parameters]\ncommission = inf\n"), ["parameters.commission = inf: not a finite number"]),
    ("value", scenario("parameters:\n  commission: .nan\n", "yaml"), ["parameters.commission = nan"]),
    ("value", scenario("parameters:\n  trust_weight: -.inf\n", "yaml"), ["parameters.trust_weight = -inf"]),
    ("value", scenario("[parameters]\nfarmers = 1000.5\n"), ["parameters.farmers = 1000.5: not a whole number",
                                                          "int from 100"]),
    ("value", scenario("months = 12.5\n"), ["months = 12.5: not a whole number", "1 to 1200"]),
    ("value", scenario("[parameters]\nfarmers = 1_000_000_000\n"), ["parameters.farmers = 1000000000", "5000000"]),
    ("value", scenario("seed = -1\n"), ["seed = -1", "a whole number from 0"]),
    ("value", scenario("seed = 'x'\n"), ["seed = 'x' (str)", "a whole number from 0"]),
    ("value", scenario("months = 0\n"), ["months = 0", "1 to 1200"]),
    ("value", scenario("months = 99999\n"), ["months = 99999", "1 to 1200"]),
    ("value", scenario("[parameters]\ntrust_mechanism = 'magic'\n"), ["trust_mechanism = 'magic'", "one of acquaint"]),
    ("value", scenario("[parameters]\npairing = 1\n"), ["parameters.pairing = 1 (int)"]),
    ("value", scenario("[parameters]\npairing = 'yes'\n"), ["parameters.pairing = 'yes' (str)"]),
    ("value", scenario("nmae = 'x'\n"), ["nmae: unknown name", "allowed: name, description"]),
    ("value", scenario("[parameters]\ncomission = 0.1\n"), ["parameters.comission: unknown name"]),
    ("value", scenario("parameters = 5\n"), ["parameters = 5"]),
    ("value", scenario("name = 5\n"), ["name = 5 (int)", "text of 1 to 200"]),
    ("value", scenario("seed: 2020-01-01\n", "yaml"), ["seed = datetime.date(2020, 1, 1) (date)"]),
    ("value", scenario("[parameters]\ncommission = -0.1\n"), ["parameters.commission = -0.1", "0.0 to 0.5"]),
    # --- experiment files ----------------------------------------------------------------------
    ("experiment", experiment("[design]\nkind = 'lhs'\nparameters = ['trust_mechanism']\nsamples = 4\n"),
     ["design.parameters", "trust_mechanism is a choice parameter, not a numeric range"]),
    ("experiment", experiment("[design]\nkind = 'sobol'\nparameters = ['commission']\nsamples = 5\n"),
     ["design.samples = 5", "power of two"]),
    ("experiment", experiment(SMALL_ARMS.replace("replicates = 2", "replicates = 0")), ["replicates = 0"]),
    ("experiment", experiment(SMALL_ARMS.replace("replicates = 2", "replicates = '3'")), ["replicates = '3'"]),
    ("experiment", experiment("[design]\nkind = 'lhs'\nparameters = ['commission']\nsamples = 4\n"
                              "ranges = { commission = [0.1, nan] }\n"), ["design.ranges.commission[1] = nan"]),
    ("experiment", experiment("outcomes = ['adoptoin']\n" + SMALL_ARMS),
     ["outcomes.0 = 'adoptoin': unknown outcome 'adoptoin'; did you mean adoption"]),
    ("experiment", experiment("outcomes = ['adoption', 'bulk_raw_share']\n" + SMALL_ARMS),
     ["outcomes.1 = 'bulk_raw_share': in the regional table only", "allowed: a series outcome"]),
    ("experiment", experiment("[design]\nparameters = ['commission']\nsamples = 4\n"), ["design.kind: missing; required"]),
    ("experiment", ({"p.toml": "[[objectives]]\noutcome = 'income_mean'\n[searchh]\n"}, ["optimise", "{d}/p.toml"]),
     ["invalid problem", "searchh: unknown key", "allowed: name, description"]),
    ("experiment", experiment(SMALL_ARMS + "[design]\nkind = 'lhs'\nparameters = ['commission']\nsamples = 2\n"),
     ["either arms or a design"]),
    ("experiment", experiment("reference = 'zz'\n" + SMALL_ARMS), ["reference = 'zz'", "not an arm; allowed: a"]),
    ("experiment", experiment("[design]\nkind = 'lhs'\nparameters = ['commission']\nsamples = 4\n"
                              "ranges = { commission = [0.1, 0.2, 0.3] }\n"), ["design.ranges.commission"]),
    ("experiment", experiment(SMALL_ARMS.replace("commission = 0.1", "commission = 'high'")),
     ["arms.a.commission = 'high' (str)"]),
    ("experiment", experiment("[arms.a]\ncommission = 0.1\n[arms.b]\nfarmers = 500\n", "toml", "--farmers", "1000"),
     ["--farmers = 1000", "varies farmers (arms.b)"]),
    # --- command-line options --------------------------------------------------------------------
    ("option", option("nosuch"), ["No such command 'nosuch'", "allowed: run, params"]),
    ("option", option("run", "--bogus"), ["No such option: --bogus"]),
    ("option", option("run", "--seed", "-1"), ["--seed = -1", "a whole number from 0"]),
    ("option", option("run", "--seed", "abc"), ["--seed = 'abc': not a whole number"]),
    ("option", option("run", "--months", "0"), ["--months = 0", "from 1 to 1,200"]),
    ("option", option("run", "--months", "1.5"), ["--months = '1.5': not a whole number"]),
    ("option", option("run", "--months", "1e3"), ["--months = '1e3': not a whole number"]),
    ("option", option("run", "--farmers", "50"), ["--farmers = 50", "from 100 to 5,000,000"]),
    ("option", option("run", "--set", "commission=false"), ["parameters.commission = False (bool)"]),
    ("option", option("run", "--set", "commission=nan"), ["parameters.commission = nan: not a finite number"]),
    ("option", option("run", "--set", "nosuch=1"), ["--set nosuch: unknown parameter"]),
    ("option", option("run", "--set", "commission"), ["--set 'commission': expected NAME=VALUE"]),
    ("option", option("run", "--set", "farmers=1000.5"), ["parameters.farmers = 1000.5: not a whole number"]),
    ("option", option("run", "--set", "commission=0.1", "--set", "commission=0.2"), ["--set commission: given twice"]),
    ("option", option("experiment", "example", "--months", "0"), ["--months = 0"]),
    ("option", option("experiment", "example", "--workers", "0"), ["--workers = 0", "from 1"]),
    ("option", option("experiment", "example", "--engine", "ray"), ["--engine = 'ray'", "one of local, dask"]),
    ("option", option("experiment", "example", "--scheduler", "tcp://h:8786"), ["--scheduler 'tcp://h:8786'",
                                                                               "only with --engine dask"]),
    ("option", option("experiment", "example", "--replicates", "0"), ["--replicates = 0"]),
    ("option", option("experiment", "example", "--root-seed", "-5"), ["--root-seed = -5"]),
    ("option", option("suite", "trust", "--replicates", "0"), ["--replicates = 0"]),
    ("option", option("suite", "trust", "--farmers", "50"), ["--farmers = 50"]),
    ("option", option("suite", "nosuch"), ["suite 'nosuch': unknown", "trust, subsidies, eastwest, programmes"]),
    ("option", option("suite", "trust", "--engine", "x"), ["--engine = 'x'"]),
    ("option", option("suite", "trust", "--months", "6"), ["--months = 6", "allowed: 13 to 1200"]),
    ("option", option("sensitivity", "example", "--outcome", "x", "--workers", "-1"), ["--workers = -1"]),
    ("option", option("drivers", "trust", "--trajectories", "0"), ["--trajectories = 0", "from 1"]),
    ("option", option("drivers", "trust", "--months", "13"),
     ["--months = 13: conclusion reputation_newcomers reads month 24", "allowed: at least 24 months"]),
    ("option", ({"s.toml": SOBOL}, ["drivers", "{d}/s.toml", "--out", "{d}/o"]),
     ["the experiment has a design, not arms", "allowed: an experiment with arms"]),
    ("option", ({"e.toml": SMALL_ARMS}, ["drivers", "{d}/e.toml", "--out", "{d}/o"]),
     ["the experiment has one arm (a)", "allowed: an experiment with two or more arms"]),
    ("experiment", experiment(SMALL_ARMS + "[conclusions.c]\narm = 'b'\noutcome = 'adoption'\n"),
     ["conclusions.c.arm = 'b': not an arm", "allowed: a"]),
    ("option", ({"s.toml": SOBOL}, ["sensitivity", "{d}/s.toml", "--outcome", "adoptoin", "--out", "{d}/o"]),
     ["--outcome = 'adoptoin': unknown outcome 'adoptoin'; did you mean adoption"]),
    ("option", ({"s.toml": SOBOL}, ["sensitivity", "{d}/s.toml", "--outcome", "bulk_raw_share", "--out", "{d}/o"]),
     ["--outcome = 'bulk_raw_share': in the regional table only"]),
    ("option", option("sensitivity", "example", "--outcome", "adoption"), ["design.kind = 'arms'", "sobol, morris"]),
    ("option", option("experiment", "example", "--model", "nosuch:run"),
     ["--model = 'nosuch:run': cannot import nosuch (No module named 'nosuch')", "allowed: module:function"]),
    ("option", option("experiment", "example", "--model", "abm.io.simulate"), ["--model = 'abm.io.simulate': not of the form"]),
    ("option", option("experiment", "example", "--model", "abm.io.simulate:nothere"),
     ["--model = 'abm.io.simulate:nothere': module abm.io.simulate has no 'nothere'"]),
    ("option", option("experiment", "example", "--model", "abm.model:RuralEconomy"),
     ["--model = 'abm.model:RuralEconomy': is a mesa.Model class, not a model function", "wrap the class"]),
    ("option", option("experiment", "example", "--model", "abm.core.params:REGIONS"), ["is a tuple, not a function"]),
    ("option", option("sensitivity", "example", "--outcome", "adoption", "--model", "json:dumps"),
     ["--model = 'json:dumps': does not take (scenario, seed=, months=, progress=): no parameter named seed"]),
    ("option", option("optimise", "{d}/p.toml", "--model", "os:getcwd"), ["--model = 'os:getcwd': does not take"]),
    ("option", option("validate", "--months", "1"), ["--months = 1", "allowed: 72 to 1200"]),
    ("option", option("validate", "--replicates", "0"), ["--replicates = 0"]),
    ("option", option("calibrate", "--workers", "0"), ["--workers = 0"]),
    ("option", option("optimise", "{d}/p.toml", "--workers", "0"), ["--workers = 0"]),
    ("option", option("optimise", "{d}/p.toml", "--posterior", "0"), ["--posterior = 0", "from 1 to 1,000"]),
    ("option", option("discover", "{d}", "--where", "x < 1", "--mass-min", "nan"),
     ["--mass-min = nan: not a finite number", "a number from 0 to 1"]),
    ("option", option("discover", "{d}", "--where", "x < 1", "--depth", "0"), ["--depth = 0", "from 1 to 10"]),
    # --- output folders --------------------------------------------------------------------------
    ("output", ({"f": "a file"}, ["run", "--out", "{d}/f"]), ["--out = ", "is a file"]),
    ("output", ({"f": "a file"}, ["run", "--out", "{d}/f/sub"]), ["--out = ", "is a file"]),
    ("output", ({"old/manifest.json": "{}"}, ["run", "--out", "{d}/old"]), ["holds a finished run", "--overwrite"]),
    ("output", ({"mine/notes.txt": "keep"}, ["run", "--out", "{d}/mine"]), ["holds other files, not a run"]),
    ("output", ({"e.toml": SMALL_ARMS, "out/manifest.json": '{"experiment": {"name": "other"}}'},
                ["experiment", "{d}/e.toml", "--out", "{d}/out"]), ["holds the results of experiment 'other'"]),
]
