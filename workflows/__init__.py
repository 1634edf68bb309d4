"""Temporal workflows: the session conversation and the intent execution."""
