"""
The vpn GraphQL object types under NetBox's module path ('vpn.graphql.types'), for plugins' lazy
references: every type is the one derived from the declarations (netbox.graphql.types, filled as the schema is built).
"""


def __getattr__(name):
    from netbox.graphql import types

    return getattr(types, name)
