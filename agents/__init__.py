"""The actors: one module per role. A role owns its state and decisions, never the model."""
