"""Activities: agent analysis (Experience Plane) and realm execution (Runtime)."""
