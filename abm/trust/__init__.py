"""Trust mechanisms: how far buyers believe a quality claim and how fraud is caught (kernel and numpy reference)."""
