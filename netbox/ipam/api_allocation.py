"""
Allocation endpoints: GET lists what is free inside a parent, POST takes the next free value(s) and creates the
objects, race-free.

    /api/ipam/prefixes/<id>/available-prefixes/    free blocks; POST {"prefix_length": 28, ...prefix fields}
    /api/ipam/prefixes/<id>/available-ips/         free addresses; POST {...ip address fields} (or {})
    /api/ipam/ip-ranges/<id>/available-ips/        the same inside an IP range
    /api/ipam/vlan-groups/<id>/available-vlans/    free VIDs; POST {"name": ..., ...vlan fields}
    /api/ipam/asn-ranges/<id>/available-asns/      free AS numbers; POST {...asn fields} (or {})

A list body allocates one object per element, all or none. The parent must be visible (404 otherwise), the created
model addable (403), and what is created must lie inside the user's add constraints. Objects are written through
the created model's own serializer, so every rule of a plain POST applies. The free space is computed and taken
inside one transaction holding an advisory lock on the space (see ipam.allocation).
"""
from django.db import transaction
from django.http import Http404
from drf_spectacular.plumbing import build_array_type
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.fields import nested_representation
from netbox.api.pagination import OptionalLimitOffsetPagination
from netbox.api.schema import ANY_OBJECT, ERROR_RESPONSE, NetBoxAutoSchema, brief_component
from netbox.api.viewsets import bulk_error, optimized_queryset
from netbox.permissions import object_permitted
from netbox.registry import registry

from . import allocation

MAX_ID = 2 ** 63 - 1


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = 'Insufficient space is available.'
    default_code = 'conflict'


class AllocationSchema(NetBoxAutoSchema):
    """GET: a list of free items; POST: one object or a list in, the created object(s) out (201)."""

    def get_operation_id(self):
        tokens = [part.replace('-', '_') for part in self.path.strip('/').split('/')[1:]
                  if part and not part.startswith('{')]
        return '_'.join(tokens + ['list' if self.method == 'GET' else 'create'])

    def get_description(self):
        return self.view.describe(self.method)

    def _get_serializer(self):
        # Bodies are described below; there is no serializer class to guess.
        return None

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if self.method == 'GET' and self.view.limited:
            parameters.append({'in': 'query', 'name': 'limit', 'schema': {'type': 'integer'},
                               'description': 'How many free items to return (PAGINATE_COUNT by default, at most '
                                              'MAX_PAGE_SIZE; 0 for MAX_PAGE_SIZE).'})
        return parameters

    def _get_request_body(self, direction='request'):
        if self.method != 'POST':
            return None
        one = self.view.request_schema()
        return {'content': {'application/json': {'schema': {
            'oneOf': [one, {'type': 'array', 'items': one, 'minItems': 1}]}}}, 'required': False}

    def _get_response_bodies(self, direction='response'):
        def body(schema, description):
            return {'content': {'application/json': {'schema': schema}}, 'description': description}

        if self.method == 'GET':
            responses = {'200': body(build_array_type(self.view.item_schema(self)), 'The free items, in order')}
        else:
            created = registry.get(self.view.created_model)
            full = self.resolve_serializer(created.serializer()(), 'response').ref
            responses = {
                '201': body({'oneOf': [full, {'type': 'array', 'items': full}]}, 'Created'),
                '409': {**ERROR_RESPONSE, 'description': 'Not enough free space'},
            }
        for code in ('400', '403', '404'):
            responses.setdefault(code, ERROR_RESPONSE)
        return responses


class AvailableView(APIView):
    """The free items of one parent object, and allocation from them. Subclasses define the domain parts."""

    parent_model = None
    created_model = None
    # Whether GET honours `limit`.
    limited = True
    # The 409 message when the request does not fit.
    insufficient = 'Insufficient space is available.'
    # Fields of the request body that the allocation sets itself (any value given is replaced).
    assigned = ()
    schema = AllocationSchema()

    @property
    def permission_model(self):
        # Checked by TokenPermissions: viewing the free space needs the parent, allocating the created model.
        return self.created_model if self.request.method == 'POST' else self.parent_model

    def get_view_name(self):
        return f'Available {self.created_model._meta.verbose_name_plural}'

    def describe(self, method):
        parent = self.parent_model._meta.verbose_name
        created = self.created_model._meta.verbose_name_plural
        if method == 'GET':
            return f'The free {created} of one {parent}, in order.'
        return (f'Create {created} from the free space of one {parent}: one for an object body, one per element '
                f'for a list (all or none). Answers 409 when there is not enough room.')

    def parent(self, request, pk):
        if pk > MAX_ID:
            raise Http404()
        obj = self.parent_model.objects.restrict(request.user, 'view').filter(pk=pk).first()
        if obj is None:
            raise Http404(f'No {self.parent_model._meta.verbose_name} with ID {pk} that you may view.')
        return obj

    def limit(self, request):
        return OptionalLimitOffsetPagination().get_limit(request)

    def get(self, request, pk):
        parent = self.parent(request, pk)
        items = self.free(parent, self.limit(request) if self.limited else None)
        context = {'request': request}
        return Response([self.represent(parent, item, context) for item in items])

    def post(self, request, pk):
        parent = self.parent(request, pk)
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if many and not items:
            raise ValidationError({'non_field_errors': ['Give at least one object to create.']})
        if not all(isinstance(item, dict) for item in items):
            raise ValidationError({'non_field_errors': ['Give an object, or a list of objects.']})
        # A form-encoded body is a QueryDict: take its last value per key, as a JSON object would give.
        items = [self.clean_item(parent, item.dict() if hasattr(item, 'dict') else dict(item)) for item in items]
        declaration = registry.get(self.created_model)
        context = {'request': request}
        with transaction.atomic():
            allocation.lock_space(*self.lock_key(parent))
            payloads = self.allocate(parent, items)
            serializer = declaration.serializer()(data=payloads if many else payloads[0], many=many,
                                                  context=context)
            if not serializer.is_valid():
                if many:
                    raise bulk_error(serializer.errors, 'created', len(payloads))
                raise ValidationError(serializer.errors)
            saved = serializer.save()
            instances = saved if many else [saved]
            for instance in instances:
                if not object_permitted(request.user, instance, 'add'):
                    raise PermissionDenied(f'You may not add {instance} with your current permissions.')
        instances = self.refreshed(declaration, instances)
        output = declaration.serializer()(instances if many else instances[0], many=many, context=context)
        return Response(output.data, status=status.HTTP_201_CREATED)

    @staticmethod
    def refreshed(declaration, instances):
        """The created objects re-read with what their full representation needs."""
        queryset = optimized_queryset(declaration, declaration.rest_fields()).filter(pk__in=[o.pk for o in instances])
        by_pk = {obj.pk: obj for obj in queryset}
        fresh = [by_pk.get(obj.pk, obj) for obj in instances]
        if declaration.prepare_rows is not None:
            declaration.prepare_rows(list(fresh))
        return fresh

    def clean_item(self, parent, item):
        """Check one element of the body before anything is locked; returns it without the assigned fields."""
        for name in self.assigned:
            item.pop(name, None)
        return item

    def conflict(self):
        return Conflict(self.insufficient)

    # Domain parts

    def lock_key(self, parent):
        raise NotImplementedError

    def free(self, parent, limit):
        raise NotImplementedError

    def represent(self, parent, item, context):
        raise NotImplementedError

    def allocate(self, parent, items):
        """The serializer payloads: each item with the free value it takes. Raises Conflict when they do not fit."""
        raise NotImplementedError

    def request_schema(self):
        raise NotImplementedError

    def item_schema(self, auto_schema):
        raise NotImplementedError


def _vrf_schema(auto_schema):
    from .models import VRF

    return {'allOf': [brief_component(auto_schema, VRF)], 'nullable': True}


def _writable(model, omit):
    """A request body: any writable field of the created model, those the allocation assigns excepted."""
    name = str(model._meta.verbose_name)
    return {**ANY_OBJECT, 'description': f'{name[0].upper()}{name[1:]} fields, as for a create; '
                                         f'{", ".join(omit)} are assigned.'}


class AvailablePrefixesView(AvailableView):
    limited = False
    insufficient = 'Insufficient space is available to accommodate the requested prefix size(s)'
    assigned = ('prefix', 'vrf')

    def lock_key(self, parent):
        return allocation.address_space_key(parent.vrf_id)

    def free(self, parent, limit):
        return allocation.available_prefixes(parent)

    def represent(self, parent, network, context):
        return {'family': network.version, 'prefix': str(network),
                'vrf': nested_representation(parent.vrf, context)}

    def clean_item(self, parent, item):
        item = super().clean_item(parent, item)
        length = item.pop('prefix_length', None)
        most = 32 if parent.prefix.version == 4 else 128
        if isinstance(length, bool) or not isinstance(length, (int, str)) or not str(length).isdigit():
            raise ValidationError({'prefix_length': ['Give the length of the prefix to allocate (a whole number).']})
        length = int(length)
        if not parent.prefix.prefixlen <= length <= most:
            raise ValidationError({'prefix_length': [
                f'Invalid prefix length ({length}) for {parent.prefix}: give {parent.prefix.prefixlen} to {most}.']})
        item['prefix_length'] = length
        return item

    def allocate(self, parent, items):
        try:
            networks = allocation.allocate_prefixes(parent, [item['prefix_length'] for item in items])
        except allocation.InsufficientSpace:
            raise self.conflict()
        payloads = []
        for item, network in zip(items, networks, strict=True):
            payload = {key: value for key, value in item.items() if key != 'prefix_length'}
            payloads.append({**payload, 'prefix': str(network), 'vrf': parent.vrf_id})
        return payloads

    def request_schema(self):
        return {
            'type': 'object', 'required': ['prefix_length'],
            'properties': {'prefix_length': {'type': 'integer', 'minimum': 0, 'maximum': 128}},
            'additionalProperties': {},
            'description': 'The length of the prefix to allocate, and any other prefix field (its prefix and VRF '
                           'are assigned).',
        }

    def item_schema(self, auto_schema):
        return {'type': 'object', 'required': ['family', 'prefix', 'vrf'], 'properties': {
            'family': {'type': 'integer', 'enum': [4, 6]}, 'prefix': {'type': 'string'}, 'vrf': _vrf_schema(
                auto_schema)}}


class AvailableIPsView(AvailableView):
    insufficient = 'Insufficient space is available to accommodate the requested IP address(es)'
    assigned = ('address', 'vrf')

    def lock_key(self, parent):
        return allocation.address_space_key(parent.vrf_id)

    def free(self, parent, limit):
        return allocation.free_addresses(parent, limit)

    def represent(self, parent, address, context):
        return {'family': address.version, 'address': f'{address}/{allocation.mask_length(parent)}',
                'vrf': nested_representation(parent.vrf, context)}

    def allocate(self, parent, items):
        addresses = allocation.free_addresses(parent, len(items))
        if len(addresses) < len(items):
            raise self.conflict()
        length = allocation.mask_length(parent)
        return [{**item, 'address': f'{address}/{length}', 'vrf': parent.vrf_id}
                for item, address in zip(items, addresses, strict=True)]

    def request_schema(self):
        return _writable(self.created_model, self.assigned)

    def item_schema(self, auto_schema):
        return {'type': 'object', 'required': ['family', 'address', 'vrf'], 'properties': {
            'family': {'type': 'integer', 'enum': [4, 6]}, 'address': {'type': 'string'},
            'vrf': _vrf_schema(auto_schema), 'description': {'type': 'string'}}}


class AvailableVLANsView(AvailableView):
    insufficient = 'Insufficient space is available to accommodate the requested VLAN(s)'
    assigned = ('group',)

    def lock_key(self, parent):
        return ('ipam.vlangroup', parent.pk)

    def free(self, parent, limit):
        return allocation.free_vids(parent, limit)

    def represent(self, parent, vid, context):
        return {'vid': vid, 'group': nested_representation(parent, context)}

    def clean_item(self, parent, item):
        item = super().clean_item(parent, item)
        vid = item.get('vid')
        if vid is not None and (isinstance(vid, bool) or not str(vid).isdigit()):
            raise ValidationError({'vid': ['Give a VLAN ID (a whole number), or leave it out to take the next one.']})
        return item

    def allocate(self, parent, items):
        wanted = [int(item['vid']) for item in items if item.get('vid') is not None]
        free = allocation.free_vids(parent)
        free_set = set(free)
        for vid in wanted:
            if vid not in free_set:
                if any(r.lower <= vid < r.upper for r in parent.vid_ranges or ()):
                    raise Conflict(f'VLAN ID {vid} is already in use in {parent}.')
                raise ValidationError({'vid': [f'VLAN ID {vid} is outside the VID ranges of {parent}.']})
        if len(set(wanted)) < len(wanted):
            raise ValidationError({'vid': ['The same VLAN ID is asked for twice.']})
        rest = iter(vid for vid in free if vid not in set(wanted))
        payloads = []
        for item in items:
            vid = int(item['vid']) if item.get('vid') is not None else next(rest, None)
            if vid is None:
                raise self.conflict()
            payloads.append({**item, 'vid': vid, 'group': parent.pk})
        return payloads

    def request_schema(self):
        return {**_writable(self.created_model, self.assigned), 'required': ['name'],
                'properties': {'name': {'type': 'string'}, 'vid': {'type': 'integer'}}}

    def item_schema(self, auto_schema):
        from .models import VLANGroup

        return {'type': 'object', 'required': ['vid', 'group'], 'properties': {
            'vid': {'type': 'integer'}, 'group': brief_component(auto_schema, VLANGroup)}}


class AvailableASNsView(AvailableView):
    insufficient = 'Insufficient space is available to accommodate the requested ASN(s)'
    assigned = ('asn', 'rir')

    def lock_key(self, parent):
        return ('ipam.asn',)  # AS numbers are unique across ranges, which may overlap

    def free(self, parent, limit):
        return allocation.free_asns(parent, limit)

    def represent(self, parent, asn, context):
        return {'rir': nested_representation(parent.rir, context), 'asn': asn}

    def allocate(self, parent, items):
        asns = allocation.free_asns(parent, len(items))
        if len(asns) < len(items):
            raise self.conflict()
        return [{**item, 'asn': asn, 'rir': parent.rir_id} for item, asn in zip(items, asns, strict=True)]

    def request_schema(self):
        return _writable(self.created_model, self.assigned)

    def item_schema(self, auto_schema):
        from .models import RIR

        return {'type': 'object', 'required': ['asn'], 'properties': {
            'asn': {'type': 'integer'}, 'rir': brief_component(auto_schema, RIR), 'description': {'type': 'string'}}}


def _view(base, parent_label, created_label):
    from django.apps import apps

    parent_model = apps.get_model(parent_label)
    created_model = apps.get_model(created_label)
    name = f'{parent_model.__name__}{base.__name__}'
    return type(name, (base,), {'parent_model': parent_model, 'created_model': created_model}).as_view()


def available_routes(kind):
    """The extra REST routes of a declaration that hands out free space; `kind` names the model."""
    if kind == 'prefix':
        return (
            ('<int:pk>/available-prefixes/', _view(AvailablePrefixesView, 'ipam.Prefix', 'ipam.Prefix'),
             'available-prefixes'),
            ('<int:pk>/available-ips/', _view(AvailableIPsView, 'ipam.Prefix', 'ipam.IPAddress'), 'available-ips'),
        )
    if kind == 'iprange':
        return (
            ('<int:pk>/available-ips/', _view(AvailableIPsView, 'ipam.IPRange', 'ipam.IPAddress'), 'available-ips'),
        )
    if kind == 'vlangroup':
        return (
            ('<int:pk>/available-vlans/', _view(AvailableVLANsView, 'ipam.VLANGroup', 'ipam.VLAN'),
             'available-vlans'),
        )
    if kind == 'asnrange':
        return (
            ('<int:pk>/available-asns/', _view(AvailableASNsView, 'ipam.ASNRange', 'ipam.ASN'), 'available-asns'),
        )
    raise ValueError(f'No allocation routes for {kind!r}')
