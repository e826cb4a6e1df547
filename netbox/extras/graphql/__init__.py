"""NetBox's import path of the extras GraphQL types, for plugins' lazy references (strawberry.lazy)."""
