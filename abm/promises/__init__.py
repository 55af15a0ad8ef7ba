"""Promises judged over the harvest cycle."""
