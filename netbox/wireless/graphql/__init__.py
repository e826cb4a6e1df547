"""NetBox's import path of the wireless GraphQL types, for plugins' lazy references (strawberry.lazy)."""
