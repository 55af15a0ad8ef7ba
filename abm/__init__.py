"""The world and the model: declarations, mechanisms, measures, observers, the Mesa model and its inputs and outputs.

Where things live is in the README ("Where things live"); the layers are the import-linter contracts
in ``pyproject.toml``.
"""

__version__ = "0.1.0"
