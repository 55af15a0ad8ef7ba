"""Stylized facts from the source papers, as data with sources and tolerances."""
