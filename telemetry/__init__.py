"""Logs, metrics and traces shared by the API and the worker (issue 20)."""
