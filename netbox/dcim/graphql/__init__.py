"""NetBox's import path of the dcim GraphQL types, for plugins' lazy references (strawberry.lazy)."""
