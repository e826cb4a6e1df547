"""NetBox's import path of the tenancy GraphQL types, for plugins' lazy references (strawberry.lazy)."""
