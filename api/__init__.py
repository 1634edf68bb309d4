"""Experience Plane edge: the WebSocket conversation and the REST API."""
