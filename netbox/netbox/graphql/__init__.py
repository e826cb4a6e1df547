"""
The GraphQL API (`/graphql/`), derived from the model declarations: every declared model gets an object type
(`<Model>Type`), a filter input (`<Model>Filter`) and two query fields (`<model>` by ID, `<model>_list`). Every list
and relation, at any depth, resolves through the requesting user's restricted queryset.
"""
