"""Allocation endpoints (available-prefixes, available-ips, available-vlans, available-asns): built by issue 10."""


def available_routes(kind):
    """The extra REST routes of a declaration that hands out free space; `kind` names the model."""
    return ()
