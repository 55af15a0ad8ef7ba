"""The month's household flows: harvest, income by component, learning and village counts (kernels and numpy reference)."""
