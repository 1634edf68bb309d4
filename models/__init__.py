"""Pydantic payloads shared by the API, the workflows and the activities.

Every workflow, activity, update and signal takes one input model and returns one
output model, so fields can be added without breaking running workflows.
"""
