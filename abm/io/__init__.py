"""Inputs and outputs above the model: scenario files, input checks, run folders, output files, reports."""
