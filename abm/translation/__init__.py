"""Translation: the stage transitions that enrol villages and households in online selling (kernel and numpy reference)."""
