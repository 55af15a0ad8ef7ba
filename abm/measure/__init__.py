"""Outcomes of a month: the outcome registry, the measures that compute them, inequality decompositions."""
