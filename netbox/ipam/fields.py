"""
PostgreSQL network columns: `cidr` for prefixes, `inet` for addresses, with containment lookups run in SQL.

Values are netaddr objects in Python (IPNetwork for both; an address keeps its mask length, as NetBox's do).
The lookups map onto PostgreSQL's operators, which a GiST index with `inet_ops` serves:

    Prefix.objects.filter(prefix__net_contained='10.0.0.0/8')           # prefix << '10.0.0.0/8'
    Prefix.objects.filter(prefix__net_contains_or_equals='10.1.2.3')    # prefix >>= '10.1.2.3'
    IPAddress.objects.filter(address__net_host='10.1.2.3')              # host(address) = '10.1.2.3'
"""
import socket

import netaddr
from django.core.exceptions import ValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def to_network(value):
    """netaddr.IPNetwork from a string, an IPNetwork or an IPAddress; ValidationError when it is none of them."""
    if value is None or isinstance(value, netaddr.IPNetwork):
        return value
    if isinstance(value, netaddr.IPAddress):
        return netaddr.IPNetwork(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, TypeError, ValueError):
        raise ValidationError(f'"{text}" is not a valid IPv4 or IPv6 address or prefix.')


def network_from_db(text):
    """netaddr.IPNetwork from PostgreSQL's text of an `inet` or `cidr` value ("10.1.2.3/24"; a host address may come
    without its length): read straight into netaddr's integer form, which its general parser takes four times as
    long to reach. Anything unexpected goes through to_network()."""
    address, _, length = text.partition('/')
    try:
        if ':' in address:
            return netaddr.IPNetwork((int.from_bytes(socket.inet_pton(socket.AF_INET6, address)),
                                      int(length) if length else 128), version=6)
        if address.count('.') == 3:
            return netaddr.IPNetwork((int.from_bytes(socket.inet_pton(socket.AF_INET, address)),
                                      int(length) if length else 32), version=4)
    except (OSError, ValueError, netaddr.AddrFormatError):
        pass
    return to_network(text)


class _NetworkDescriptor:
    """Turns text assigned to the attribute into netaddr at once (obj.prefix = '10.0.0.0/8'), so code reading it
    never meets a string; text that doesn't parse is kept as given for validation to report."""

    # Values loaded from the database are netaddr already (from_db_value): they may be stored directly.
    direct_load = True

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        if isinstance(value, str):
            try:
                value = to_network(value)
            except ValidationError:
                pass
        instance.__dict__[self.field.attname] = value


class _NetworkField(models.Field):
    """Base of the two network columns: netaddr in Python, text on the wire to PostgreSQL."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, self.attname, _NetworkDescriptor(self))

    # Text on the REST wire, in forms and in imports/exports ("10.0.0.0/8"): see netbox.api.fields.TextValueField.
    wire_text = True

    def from_db_value(self, value, expression, connection):
        return network_from_db(value) if value is not None else None

    def to_python(self, value):
        if value is None or value == '':
            return None
        return to_network(value)

    def get_prep_value(self, value):
        if value is None or value == '':
            return None
        return str(to_network(value))

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return str(value) if value is not None else ''

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if prepared else self.get_prep_value(value)


class IPNetworkField(_NetworkField):
    """A network (`cidr`): host bits must be zero."""

    description = 'IPv4 or IPv6 network'

    def db_type(self, connection):
        return 'cidr'

    def to_python(self, value):
        network = super().to_python(value)
        if network is not None and network.ip != network.network:
            raise ValidationError(f'{network} has host bits set; did you mean {network.cidr}?')
        return network


class IPAddressField(_NetworkField):
    """An address with its mask length (`inet`), e.g. 192.0.2.1/24."""

    description = 'IPv4 or IPv6 address with mask'

    def db_type(self, connection):
        return 'inet'


class _NetLookup(models.Lookup):
    operator = None
    # The index serving it (netbox.search derives the search indexes from the lookups a search emits).
    search_index = ('gist', 'inet_ops')

    def get_prep_lookup(self):
        return str(to_network(self.rhs)) if not hasattr(self.rhs, 'resolve_expression') else self.rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f'{lhs} {self.operator} {rhs}::inet', (*lhs_params, *rhs_params)


class NetContained(_NetLookup):
    lookup_name = 'net_contained'
    operator = '<<'


class NetContainedOrEqual(_NetLookup):
    lookup_name = 'net_contained_or_equal'
    operator = '<<='


class NetContains(_NetLookup):
    lookup_name = 'net_contains'
    operator = '>>'


class NetContainsOrEquals(_NetLookup):
    lookup_name = 'net_contains_or_equals'
    operator = '>>='


class NetOverlaps(_NetLookup):
    lookup_name = 'net_overlaps'
    operator = '&&'


class NetHost(models.Lookup):
    """The address part only, whatever the mask: host(address) = '10.1.2.3'."""

    lookup_name = 'net_host'

    def get_prep_lookup(self):
        return str(to_network(self.rhs).ip)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f'host({lhs}) = {rhs}', (*lhs_params, *rhs_params)


class NetHostContained(_NetLookup):
    """The address (ignoring its mask) lies inside the network: used for `parent` on addresses."""

    lookup_name = 'net_host_contained'

    def indexed_operand(self, compiler, connection):
        """The address as a host (/32 or /128): the left operand, and what a GiST index on it covers."""
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f'set_masklen({lhs}::inet, CASE WHEN family({lhs}) = 4 THEN 32 ELSE 128 END)', (
            *lhs_params, *lhs_params)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.indexed_operand(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f'{lhs} <<= {rhs}::inet', (*lhs_params, *rhs_params)


class NetFamily(models.Transform):
    lookup_name = 'family'
    function = 'FAMILY'
    output_field = models.IntegerField()


class NetMaskLength(models.Transform):
    lookup_name = 'net_mask_length'
    function = 'MASKLEN'
    output_field = models.IntegerField()


class Host(models.Transform):
    lookup_name = 'host'
    function = 'HOST'
    output_field = models.CharField()


for _field in (IPNetworkField, IPAddressField):
    for _lookup in (NetContained, NetContainedOrEqual, NetContains, NetContainsOrEquals, NetOverlaps, NetHost,
                    NetHostContained, NetFamily, NetMaskLength, Host):
        _field.register_lookup(_lookup)


@extend_schema_field({'type': 'object', 'properties': {
    'value': {'type': 'integer', 'enum': [4, 6]}, 'label': {'type': 'string', 'enum': ['IPv4', 'IPv6']}},
    'required': ['value', 'label']})
class FamilyField(serializers.Field):
    """`family` on the REST wire: {"value": 4, "label": "IPv4"}, read-only, from the object's `family`."""

    LABELS = {4: 'IPv4', 6: 'IPv6'}

    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, 'family', None)

    def to_representation(self, value):
        if value is None:
            return None
        return {'value': value, 'label': self.LABELS.get(value, str(value))}

    def plan_reader(self):
        # The read plan's form (netbox.api.readplan): the same value without DRF's field walk.
        represent = self.to_representation
        return lambda obj, context: represent(getattr(obj, 'family', None))
