"""
REST pieces for device and module types and patch-panel ports:

- front/rear port mappings, NetBox 4.6 style: a front port (template) has `rear_ports: [{"position", "rear_port",
  "rear_port_position"}]`, a rear port (template) has `front_ports: [{"position", "front_port",
  "front_port_position"}]`; read from PortMapping / PortTemplateMapping, written by replacing the port's mappings;
- POST /api/dcim/device-types/import/ and /api/dcim/module-types/import/: devicetype-library YAML in, types out;
- GET /api/dcim/device-types/<id>/export/ and /api/dcim/module-types/<id>/export/: the type as library YAML.
"""
import copy
import json

import yaml
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.schema import ERROR_RESPONSE_SCHEMA, NESTED_ANY
from netbox.api.serializers import BaseModelSerializer
from netbox.api.viewsets import optimized_queryset

from . import models as m
from .library import export_type, import_types

# Port mappings


@extend_schema_field({'type': 'array', 'items': {'type': 'object', 'additionalProperties': {'type': 'integer'}}})
class PortMappingsField(serializers.Field):
    """
    The mappings of one port as a list. `side` is the side of the port the field belongs to: a front port lists its
    rear ports ({"position": front position, "rear_port": id, "rear_port_position": n}) and the other way round.
    Written as the same list; `position` and the peer's position default to 1.
    """

    def __init__(self, side, **kwargs):
        self.own = f'{side}_port'
        self.peer = 'rear_port' if side == 'front' else 'front_port'
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return list(instance.mappings.all()) if instance.pk else []

    def to_representation(self, mappings):
        rows = [{'position': getattr(mapping, f'{self.own}_position'), self.peer: getattr(mapping, f'{self.peer}_id'),
                 f'{self.peer}_position': getattr(mapping, f'{self.peer}_position')} for mapping in mappings]
        return sorted(rows, key=lambda row: (row['position'], row[self.peer], row[f'{self.peer}_position']))

    def to_internal_value(self, data):
        example = f'{{"position": 1, "{self.peer}": <id>, "{self.peer}_position": 1}}'
        if not isinstance(data, list):
            raise serializers.ValidationError(f'Give a list of {example} objects.')
        wanted = []
        for index, item in enumerate(data):
            if not isinstance(item, dict) or self.peer not in item:
                raise serializers.ValidationError(f'Item {index} must be an object like {example}.')
            peer = item[self.peer]
            if isinstance(peer, dict):
                peer = peer.get('id')
            values = []
            for key, value in (('position', item.get('position', 1)), (self.peer, peer),
                               (f'{self.peer}_position', item.get(f'{self.peer}_position', 1))):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise serializers.ValidationError(f'Item {index}: {key} must be a whole number of 1 or more.')
                values.append(value)
            wanted.append(tuple(values))
        return wanted


class PortMappingSerializerBase(BaseModelSerializer):
    """Validates and writes the mappings field of a front or rear port (or port template)."""

    # Set by the concrete classes below.
    side = None
    template = False

    @property
    def mapping_field(self):
        return 'rear_ports' if self.side == 'front' else 'front_ports'

    @property
    def own(self):
        return f'{self.side}_port'

    @property
    def peer(self):
        return 'rear_port' if self.side == 'front' else 'front_port'

    @property
    def mapping_model(self):
        return m.PortTemplateMapping if self.template else m.PortMapping

    @property
    def peer_model(self):
        return self.mapping_model._meta.get_field(self.peer).related_model

    def owner_of(self, obj):
        if self.template:
            return obj.device_type_id, obj.module_type_id
        return obj.device_id

    def validate(self, attrs):
        wanted = attrs.pop(self.mapping_field, None)
        attrs = super().validate(attrs)
        instance = self.instance if isinstance(self.instance, models.Model) else None
        positions = attrs.get('positions', instance.positions if instance is not None else 1)
        owner = self.owner_after(attrs, instance)
        if wanted is not None:
            attrs[self.mapping_field] = self.checked(wanted, positions, owner, instance)
        elif instance is not None:
            self.check_existing(instance, positions, owner)
        return attrs

    def owner_after(self, attrs, instance):
        """The device (or device and module type) the port will belong to once saved."""
        def current(name):
            if name in attrs:
                value = attrs[name]
                return value.pk if value is not None else None
            return getattr(instance, f'{name}_id') if instance is not None else None

        if self.template:
            return current('device_type'), current('module_type')
        return current('device')

    def fail(self, messages):
        raise serializers.ValidationError({self.mapping_field: messages})

    def checked(self, wanted, positions, owner, instance):
        """The wanted mappings as (own position, peer, peer position), or a ValidationError naming every problem."""
        peers = self.peer_model.objects.filter(pk__in={peer for _, peer, _ in wanted})
        request = self.context.get('request')
        if request is not None:
            peers = peers.restrict(request.user, 'view')
        peers = {peer.pk: peer for peer in peers}
        peer_name = self.peer_model._meta.verbose_name
        errors, own_seen, peer_seen = [], set(), set()
        for index, (position, peer_id, peer_position) in enumerate(wanted):
            peer = peers.get(peer_id)
            if peer is None:
                errors.append(f'Item {index}: no {peer_name} with ID {peer_id}.')
                continue
            if self.owner_of(peer) != owner:
                where = 'type' if self.template else 'device'
                errors.append(f'Item {index}: {peer_name} {peer} belongs to another {where}.')
            if position > positions:
                errors.append(f'Item {index}: position {position} is out of range; this port has positions 1 to '
                              f'{positions}.')
            if peer_position > peer.positions:
                errors.append(f'Item {index}: {peer_name} {peer} has positions 1 to {peer.positions}, not '
                              f'{peer_position}.')
            if position in own_seen:
                errors.append(f'Item {index}: position {position} is used twice.')
            if (peer_id, peer_position) in peer_seen:
                errors.append(f'Item {index}: position {peer_position} of {peer_name} {peer} is used twice.')
            own_seen.add(position)
            peer_seen.add((peer_id, peer_position))
        taken = self.mapping_model.objects.filter(**{f'{self.peer}_id__in': list(peers)})
        if instance is not None:
            taken = taken.exclude(**{self.own: instance})
        taken = {(getattr(mp, f'{self.peer}_id'), getattr(mp, f'{self.peer}_position')): getattr(mp, self.own)
                 for mp in taken.select_related(self.own)}
        for index, (_, peer_id, peer_position) in enumerate(wanted):
            if (peer_id, peer_position) in taken:
                errors.append(f'Item {index}: position {peer_position} of {peers[peer_id]} is already mapped to '
                              f'{taken[peer_id, peer_position]}.')
        if errors:
            self.fail(errors)
        return [(position, peers[peer_id], peer_position) for position, peer_id, peer_position in wanted]

    def check_existing(self, instance, positions, owner):
        """An update without mappings must not leave the existing ones invalid."""
        mappings = self.mapping_model.objects.filter(**{self.own: instance}).select_related(self.peer)
        for mapping in mappings:
            if getattr(mapping, f'{self.own}_position') > positions:
                self.fail([f'Position {getattr(mapping, f"{self.own}_position")} is mapped; remove the mapping '
                           f'before reducing positions to {positions}.'])
            if self.owner_of(getattr(mapping, self.peer)) != owner:
                self.fail(['The port is mapped to ports of its current owner; give new mappings (or an empty '
                           'list) when moving it.'])

    def pop_extras(self, validated_data):
        wanted = validated_data.pop(self.mapping_field, None)
        return {} if wanted is None else {'mappings': wanted}

    def write_extras(self, instance, extras):
        if 'mappings' in extras:
            self.write_mappings(instance, extras['mappings'])

    def write_mappings(self, port, wanted):
        """Make the port's mappings exactly `wanted`, touching only those that change."""
        model = self.mapping_model
        current = {(getattr(mp, f'{self.own}_position'), getattr(mp, f'{self.peer}_id'),
                    getattr(mp, f'{self.peer}_position')): mp for mp in model.objects.filter(**{self.own: port})}
        desired = {(position, peer.pk, peer_position): peer for position, peer, peer_position in wanted}
        removed = [mp for key, mp in current.items() if key not in desired]
        added = [(key, peer) for key, peer in desired.items() if key not in current]
        if removed:
            model.objects.filter(pk__in=[mp.pk for mp in removed]).delete()
        if added:
            model.objects.bulk_create([
                model(**{self.own: port, f'{self.own}_position': position, self.peer: peer,
                         f'{self.peer}_position': peer_position})
                for (position, _, peer_position), peer in added
            ])
            if not self.template:
                self.retrace([port] + [peer for _, peer in added])
        if hasattr(port, '_prefetched_objects_cache'):
            port._prefetched_objects_cache.pop('mappings', None)

    @staticmethod
    def retrace(ports):
        """Cable paths through these ports follow the new mappings (inserts in bulk send no post_save)."""
        from .cabling import affected_paths, rebuild_paths

        paths = affected_paths(ports)
        if paths:
            rebuild_paths(paths)


class FrontPortSerializerBase(PortMappingSerializerBase):
    side = 'front'


class RearPortSerializerBase(PortMappingSerializerBase):
    side = 'rear'


class FrontPortTemplateSerializerBase(PortMappingSerializerBase):
    side = 'front'
    template = True


class RearPortTemplateSerializerBase(PortMappingSerializerBase):
    side = 'rear'
    template = True


def mappings_prefetch(mapping_model):
    """Prefetch of a port's mappings without the default ordering (which joins both ports): rows are sorted here."""
    return Prefetch('mappings', queryset=mapping_model.objects.order_by())


def rear_ports_field():
    return PortMappingsField('front')


def front_ports_field():
    return PortMappingsField('rear')


# devicetype-library import and export


def _text_parser(media_type):
    class TextParser(BaseParser):
        def parse(self, stream, media_type=None, parser_context=None):
            encoding = (parser_context or {}).get('encoding') or 'utf-8'
            return stream.read().decode(encoding, errors='replace')

    TextParser.media_type = media_type
    TextParser.__name__ = f'{media_type.replace("/", "_").replace("-", "_")}_parser'
    return TextParser


YAML_PARSERS = tuple(_text_parser(media_type) for media_type in (
    'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'))


class YAMLRenderer(BaseRenderer):
    """Lets clients ask for YAML; text passes through, anything else (an error) is dumped as YAML."""

    media_type = 'application/yaml'
    format = 'yaml'
    charset = 'utf-8'

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode('utf-8')
        plain = json.loads(json.dumps(data, default=str))  # error details are str subclasses YAML cannot write
        return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True).encode('utf-8')


class TypeImportView(APIView):
    """POST devicetype-library YAML (raw, or JSON {"data": "<yaml>"}); 201 with the created types in brief form."""

    model = None
    parser_classes = (JSONParser, *YAML_PARSERS, MultiPartParser, FormParser)
    renderer_classes = (JSONRenderer, YAMLRenderer)
    permission_action = 'add'

    @property
    def permission_model(self):
        return self.model

    def get_view_name(self):
        return f'Import {self.model._meta.verbose_name_plural} (devicetype-library YAML)'

    @extend_schema(
        request={'application/yaml': {'type': 'string'},
                 'application/json': {'type': 'object', 'properties': {'data': {'type': 'string'}}}},
        responses={201: {'type': 'array', 'items': NESTED_ANY}, 400: ERROR_RESPONSE_SCHEMA})
    def post(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, (str, bytes)):
            text = data
        elif hasattr(data, 'get'):
            text = data.get('data')
            upload = request.FILES.get('file') if hasattr(request, 'FILES') else None
            if text is None and upload is not None:
                text = upload.read()
        else:
            text = None
        if text is None:
            return Response({'data': ['Give the YAML as the request body or as {"data": "<yaml>"}.']},
                            status=status.HTTP_400_BAD_REQUEST)
        created = import_types(text, self.model, user=request.user)
        declaration = self.model._declaration
        fields = declaration.brief_fields()
        objects = {obj.pk: obj for obj in optimized_queryset(declaration, fields).filter(
            pk__in=[obj.pk for obj in created])}
        serializer = declaration.serializer(brief=True)([objects[obj.pk] for obj in created], many=True,
                                                         context={'request': request})
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class TypeExportView(APIView):
    """GET one type as devicetype-library YAML (application/yaml), ready to be imported again."""

    model = None
    # The YAML itself bypasses the renderers; they serve errors, as JSON unless YAML is asked for.
    renderer_classes = (JSONRenderer, YAMLRenderer)

    @property
    def permission_model(self):
        return self.model

    def get_view_name(self):
        return f'Export {self.model._meta.verbose_name} (devicetype-library YAML)'

    @extend_schema(responses={(200, 'application/yaml'): OpenApiResponse(
        {'type': 'object', 'additionalProperties': {}}, 'The type as a devicetype-library YAML document')})
    def get(self, request, pk, *args, **kwargs):
        obj = get_object_or_404(self.model.objects.restrict(request.user, 'view'), pk=pk)
        return HttpResponse(export_type(obj), content_type='application/yaml; charset=utf-8')


def library_api_routes(model):
    """The `api_routes` of a device or module type declaration."""
    return (
        ('import/', TypeImportView.as_view(model=model), 'import'),
        ('<int:pk>/export/', TypeExportView.as_view(model=model), 'export'),
    )


# Interfaces and MAC addresses (NetBox 4.7)

_UNSET = object()


class InterfaceSerializerBase(BaseModelSerializer):
    """
    An interface's `mac_address` is writable: a value makes (or changes) the interface's primary MAC address
    object, null or "" clears the primary MAC (the address object stays, assigned to the interface).
    """

    def validate(self, attrs):
        wanted = attrs.pop('mac_address', _UNSET)
        attrs = super().validate(attrs)
        if attrs.get('tagged_vlans'):
            self.check_tagged_vlans(attrs)
        if wanted is not _UNSET:
            from .filters import normalised_mac

            if wanted:
                normalised = normalised_mac(wanted)
                if normalised == wanted and not _looks_like_mac(wanted):
                    raise serializers.ValidationError({'mac_address': [f'"{wanted}" is not a valid MAC address.']})
                wanted = normalised
            attrs['mac_address'] = wanted or None
        return attrs

    def check_tagged_vlans(self, attrs):
        """Tagged VLANs (a many-to-many the model's clean can't see): tagged mode only, and available on the
        interface's device, judged on the interface as this write leaves it."""
        model = self.Meta.model
        interface = copy.copy(self.instance) if isinstance(self.instance, model) else model()
        for name in (interface.vlan_host_field, 'mode'):
            if name in attrs:
                setattr(interface, name, attrs[name])
        errors = interface.vlan_errors(tagged_vlans=attrs['tagged_vlans'])
        if 'tagged_vlans' in errors:
            raise serializers.ValidationError({'tagged_vlans': [errors['tagged_vlans']]})

    def pop_extras(self, validated_data):
        wanted = validated_data.pop('mac_address', _UNSET)
        return {} if wanted is _UNSET else {'mac_address': wanted}

    def write_extras(self, instance, extras):
        if 'mac_address' in extras:
            set_primary_mac(instance, extras['mac_address'])


def _looks_like_mac(value):
    import netaddr

    try:
        netaddr.EUI(value)
    except (netaddr.AddrFormatError, TypeError, ValueError):
        return False
    return True


def set_primary_mac(interface, value):
    """Make `value` the interface's primary MAC address: update the primary one, reuse an assigned one, or add one."""
    from django.contrib.contenttypes.models import ContentType

    if value is None:
        if interface.primary_mac_address_id:
            interface.primary_mac_address = None
            interface.save()
        return
    current = interface.primary_mac_address
    if current is not None:
        if current.mac_address != value:
            current.mac_address = value
            current.save()
        return
    interface_type = ContentType.objects.get_for_model(type(interface))
    mac = m.MACAddress.objects.filter(assigned_object_type=interface_type, assigned_object_id=interface.pk,
                                      mac_address=value).first()
    if mac is None:
        mac = m.MACAddress(mac_address=value, assigned_object_type=interface_type, assigned_object_id=interface.pk)
        mac.full_clean()
        mac.save()
    interface.primary_mac_address = mac
    interface.save()


def attach_primary_flags(instances):
    """Give each MAC address its `is_primary` flag with one query for the whole page."""
    instances = [obj for obj in instances if obj is not None]
    from virtualization.models import VMInterface

    pks = [obj.pk for obj in instances]
    primary = set()
    for model in (m.Interface, VMInterface):
        primary.update(model.objects.filter(primary_mac_address__in=pks).values_list('primary_mac_address',
                                                                                      flat=True))
    for obj in instances:
        obj._is_primary = obj.pk in primary
    return instances
