"""Filters of the circuits models that the derivation cannot guess (places through the cached termination)."""
from dcim import models as dcim
from dcim.filters import relation_filters
from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter

from .models import ProviderNetwork


def place_filters(prefix='', location='location_id'):
    """region / site_group / site (tree-aware, by slug or ID) and location through a termination's cached place."""
    out = {}
    out.update(relation_filters('region', dcim.Site, 'region', f'{prefix}_region'))
    out.update(relation_filters('site_group', dcim.Site, 'group', f'{prefix}_site_group'))
    out.update(relation_filters('site', dcim.Device, 'site', f'{prefix}_site'))
    loc = relation_filters('location', dcim.Device, 'location', f'{prefix}_location')
    if location == 'location_id':
        loc = {k: v for k, v in loc.items() if k.startswith('location_id')}
    out.update(loc)
    return out


def id_filters(name, path, distinct=False):
    return {name: MultiValueNumberFilter(field_name=path, lookup_expr='exact', distinct=distinct),
            f'{name}__n': MultiValueNumberFilter(field_name=path, lookup_expr='exact', exclude=True)}


def provider_network_filters(path):
    return id_filters('provider_network_id', path, distinct=True)


def provider_filters(path):
    return {**id_filters('provider_id', f'{path}_id'),
            **relation_filters('provider', ProviderNetwork, 'provider', path)}


def _distinct(filters):
    """Filters across a one-to-many relation (a circuit's two terminations): each object listed once."""
    for flt in filters.values():
        flt.distinct = True
    return filters


def circuit_filters():
    out = _distinct(place_filters('terminations__'))
    out.update(provider_network_filters('terminations___provider_network'))
    out.update(id_filters('termination_a_id', 'termination_a_id'))
    out.update(id_filters('termination_z_id', 'termination_z_id'))
    return out


def circuit_termination_filters():
    out = place_filters('', location='location')
    out.update(provider_network_filters('_provider_network'))
    out.update(provider_filters('circuit__provider'))
    return out


def provider_place_filters():
    out = _distinct(place_filters('circuits__terminations__', location=None))
    return {k: v for k, v in out.items() if not k.startswith('location')}



def value_filters(name, path, kind=MultiValueCharFilter, distinct=False):
    """`name` and `name__n` matching `path` (a related object's identifying value: an account, a cid, an ASN)."""
    return {name: kind(field_name=path, lookup_expr='exact', distinct=distinct),
            f'{name}__n': kind(field_name=path, lookup_expr='exact', exclude=True)}
