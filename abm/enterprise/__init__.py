"""Livelihood paths beyond the farm: online shops and the members who come back to run them, and online shopping."""
