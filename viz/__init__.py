"""Visualisation: the Solara app and the plotting helpers notebooks share."""
