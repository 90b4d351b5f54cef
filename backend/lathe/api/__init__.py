"""HTTP API: one router per resource. Routers validate and delegate to services."""
