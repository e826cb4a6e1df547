"""NetBox's import path of the ipam GraphQL types, for plugins' lazy references (strawberry.lazy)."""
