"""Calibration against the stylised facts: history matching runs, the calibration record, validation."""
