"""NetBox's import path of the vpn GraphQL types, for plugins' lazy references (strawberry.lazy)."""
