"""The world and the model: grid, parameters, market, logistics, ledger, translation, metrics."""

__version__ = "0.1.0"
