"""Agents of the Experience Plane: they analyze and recommend; they never execute."""
