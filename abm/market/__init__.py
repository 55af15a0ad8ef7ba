"""Market clearing by village group: the buyers' audience, the compiled clearing kernel and its numpy reference."""
