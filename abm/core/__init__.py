"""Declarations and books every layer shares: parameters, stages, crops, calendar, grid, ledgers, compiled helpers, code digest; imports nothing else of the project."""
