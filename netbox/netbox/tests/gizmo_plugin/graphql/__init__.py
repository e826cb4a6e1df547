"""The gizmo GraphQL schema."""
