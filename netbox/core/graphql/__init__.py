"""NetBox's import path of the core GraphQL types, for plugins' lazy references (strawberry.lazy)."""
