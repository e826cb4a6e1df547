"""NetBox's import path of the virtualization GraphQL types, for plugins' lazy references (strawberry.lazy)."""
