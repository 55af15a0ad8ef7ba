"""Observers that record the model without changing it: household and village panels, the actor-network."""
