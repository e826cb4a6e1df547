"""NetBox's import path of the users GraphQL types, for plugins' lazy references (strawberry.lazy)."""
