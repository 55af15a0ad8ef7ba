"""Policy design: the optimisation problem, its conditions, the optimiser, discovery and their reports."""
