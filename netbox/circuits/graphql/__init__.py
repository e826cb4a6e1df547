"""NetBox's import path of the circuits GraphQL types, for plugins' lazy references (strawberry.lazy)."""
