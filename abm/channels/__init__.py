"""Sales channels: which are open, which a household picks, and each channel's expected net price (kernels and numpy references)."""
