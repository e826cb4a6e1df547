"""
The generated GraphQL object types and filter inputs live in this module's namespace (filled by
netbox.graphql.schema), so that types referring to each other lazily (`strawberry.lazy`) find one another by name.
"""
