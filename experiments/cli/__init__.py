"""The ruralsim command line (typer): one module per command group, and their shared options."""
