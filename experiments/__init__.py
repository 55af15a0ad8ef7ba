"""Scenarios, the batch runner, experiment suites, sensitivity analysis and the command-line tool."""
