"""The gizmo REST API."""
