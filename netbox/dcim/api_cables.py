"""REST pieces for cables: terminations on read and write, link peers, connected endpoints, trace and paths."""
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.fields import nested_representation
from netbox.api.readplan import render_nested
from netbox.api.schema import ANY_NESTED_LIST, ANY_OBJECT_SCHEMA, NESTED_ANY, nullable
from netbox.api.serializers import serializer_for

from .cabling import COMPATIBLE, attach_cable_data, reference, trace_segments


def type_label(obj):
    return f'{obj._meta.app_label}.{obj._meta.model_name}' if obj is not None else None


@extend_schema_field({'type': 'array', 'items': {
    'type': 'object', 'required': ['object_type', 'object_id'],
    'properties': {'object_type': {'type': 'string'}, 'object_id': {'type': 'integer'},
                   'object': {**NESTED_ANY, 'readOnly': True}}}})
class TerminationsField(serializers.Field):
    """One side of a cable: [{"object_type": "dcim.interface", "object_id": 1, "object": {...}}]."""

    def __init__(self, **kwargs):
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def to_representation(self, terminations):
        return [{'object_type': type_label(t), 'object_id': t.pk, 'object': nested_representation(t, self.context)}
                for t in terminations]

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError('Give a list of {"object_type": ..., "object_id": ...} objects.')
        request = self.context.get('request')
        objects = []
        for index, item in enumerate(data):
            if not isinstance(item, dict) or 'object_type' not in item or 'object_id' not in item:
                raise serializers.ValidationError(f'Item {index} needs "object_type" and "object_id".')
            try:
                app_label, model = str(item['object_type']).lower().split('.')
                content_type = ContentType.objects.get_by_natural_key(app_label, model)
            except (ValueError, ContentType.DoesNotExist):
                raise serializers.ValidationError(f'Unknown object type "{item["object_type"]}".')
            if model not in COMPATIBLE:
                raise serializers.ValidationError(f'{item["object_type"]} objects cannot be cabled.')
            queryset = content_type.model_class()._default_manager.all()
            if request is not None:
                queryset = queryset.restrict(request.user, 'view')
            obj = queryset.filter(pk=item['object_id']).first()
            if obj is None:
                raise serializers.ValidationError(f'No {item["object_type"]} with ID {item["object_id"]}.')
            objects.append(obj)
        return objects


def _peers(obj):
    peers = getattr(obj, '_link_peers', None)
    return obj.link_peers if peers is None else peers


def _endpoints(obj):
    if hasattr(obj, '_connected_endpoints'):
        return obj._connected_endpoints
    return obj.connected_endpoints or None


@extend_schema_field(ANY_NESTED_LIST)
class LinkPeersField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return _peers(instance)

    def to_representation(self, peers):
        return [nested_representation(peer, self.context) for peer in peers]

    def plan_reader(self):
        # The read plan's form of this field (netbox.api.readplan): the same values without DRF's field walk.
        represent, value_of = self.plan_representation, self.plan_value

        def read(obj, context):
            value = value_of(obj)
            return None if value is None else represent(value, context)
        return read

    def plan_value(self, obj):
        return _peers(obj)

    def plan_representation(self, peers, context):
        return [render_nested(peer, context) for peer in peers]


@extend_schema_field({'type': 'string', 'nullable': True})
class LinkPeersTypeField(LinkPeersField):
    def to_representation(self, peers):
        return type_label(peers[0]) if peers else None

    def plan_representation(self, peers, context):
        return self.to_representation(peers)


@extend_schema_field(nullable(ANY_NESTED_LIST))
class ConnectedEndpointsField(LinkPeersField):
    def get_attribute(self, instance):
        return _endpoints(instance)

    def to_representation(self, endpoints):
        if endpoints is None:
            return None
        return [nested_representation(endpoint, self.context) for endpoint in endpoints]

    def plan_value(self, obj):
        return _endpoints(obj)


@extend_schema_field({'type': 'string', 'nullable': True})
class ConnectedEndpointsTypeField(ConnectedEndpointsField):
    def to_representation(self, endpoints):
        return type_label(endpoints[0]) if endpoints else None

    def plan_representation(self, endpoints, context):
        return self.to_representation(endpoints)


@extend_schema_field({'type': 'boolean'})
class ConnectedEndpointsReachableField(LinkPeersField):
    def get_attribute(self, instance):
        if hasattr(instance, '_connected_reachable'):
            return instance._connected_reachable
        return bool(instance._path_id and instance._path.is_active)

    def to_representation(self, value):
        return bool(value)

    def plan_value(self, obj):
        return self.get_attribute(obj)

    def plan_representation(self, value, context):
        return bool(value)


def cable_path_fields(endpoint=True):
    fields = {'link_peers': LinkPeersField(), 'link_peers_type': LinkPeersTypeField()}
    if endpoint:
        fields.update({
            'connected_endpoints': ConnectedEndpointsField(),
            'connected_endpoints_type': ConnectedEndpointsTypeField(),
            'connected_endpoints_reachable': ConnectedEndpointsReachableField(),
        })
    return fields


class TraceView(APIView):
    """GET <component>/<id>/trace/: the path as [near terminations, cable, far terminations] segments."""

    model = None

    @property
    def permission_model(self):
        return self.model

    def get_view_name(self):
        return f'{self.model._meta.verbose_name.title()} Trace'

    @extend_schema(responses={200: {'type': 'array', 'items': {
        'type': 'array', 'minItems': 3, 'maxItems': 3, 'description': '[near ends, cable, far ends]',
        'items': {'oneOf': [ANY_NESTED_LIST, nullable(NESTED_ANY)]}}}})
    def get(self, request, pk):
        obj = get_object_or_404(self.model.objects.restrict(request.user, 'view'), pk=pk)
        path = obj._path if getattr(obj, '_path_id', None) else first_path_through(obj)
        context = {'request': request}
        cable_serializer = serializer_for(registry_declaration('dcim.cable'), brief=True)
        out = []
        for near, cable, far in trace_segments(path) if path is not None else [([obj], None, [])]:
            out.append([
                [nested_representation(t, context) for t in near],
                cable_serializer(cable, context=context).data if cable is not None else None,
                [nested_representation(t, context) for t in far],
            ])
        return Response(out)


class PathsView(APIView):
    """GET front-ports|rear-ports/<id>/paths/: every path through the port, with origin and destination."""

    model = None

    @property
    def permission_model(self):
        return self.model

    def get_view_name(self):
        return f'{self.model._meta.verbose_name.title()} Paths'

    @extend_schema(responses={200: {'type': 'array', 'items': {
        'type': 'object', 'properties': {
            'origin': nullable(NESTED_ANY), 'destination': nullable(NESTED_ANY),
            'path': {'type': 'array', 'items': ANY_NESTED_LIST}, 'is_active': {'type': 'boolean'},
            'is_complete': {'type': 'boolean'}, 'is_split': {'type': 'boolean'}}}}})
    def get(self, request, pk):
        from .models import CablePath, resolve_references

        obj = get_object_or_404(self.model.objects.restrict(request.user, 'view'), pk=pk)
        context = {'request': request}
        out = []
        for path in CablePath.objects.filter(path__contains=[[reference(obj)]]):
            hops = [resolve_references(hop) for hop in path.path]
            origin = hops[0][0] if hops and hops[0] else None
            destination = hops[-1][0] if path.is_complete and hops and hops[-1] else None
            out.append({
                'origin': nested_representation(origin, context),
                'destination': nested_representation(destination, context),
                'path': [[nested_representation(item, context) for item in hop] for hop in hops],
                'is_active': path.is_active,
                'is_complete': path.is_complete,
                'is_split': path.is_split,
            })
        return Response(out)


def first_path_through(obj):
    from .models import CablePath

    return CablePath.objects.filter(path__contains=[[reference(obj)]]).order_by('pk').first()


def registry_declaration(label):
    from netbox.registry import registry

    return registry.get(label)


class ConnectedDeviceView(APIView):
    """GET /api/dcim/connected-device/?peer_device=<name>&peer_interface=<name>: the device on the far end."""

    def get_view_name(self):
        return 'Connected Device'

    @extend_schema(
        parameters=[OpenApiParameter('peer_device', str, required=True, description='The name of a device.'),
                    OpenApiParameter('peer_interface', str, required=True, description='An interface on it.')],
        responses={200: ANY_OBJECT_SCHEMA})
    def get(self, request):
        from .models import Device, Interface

        device_name = request.query_params.get('peer_device')
        interface_name = request.query_params.get('peer_interface')
        missing = [name for name, value in (('peer_device', device_name), ('peer_interface', interface_name))
                   if not value]
        if missing:
            return Response({name: ['This parameter is required.'] for name in missing}, status=400)
        interface = Interface.objects.restrict(request.user, 'view').filter(
            Q(device__name=device_name), name=interface_name).select_related('_path').first()
        if interface is None:
            raise NotFound(f'No interface {interface_name} on device {device_name}.')
        attach_cable_data([interface])
        endpoints = interface._connected_endpoints or []
        device_ids = [endpoint.device_id for endpoint in endpoints if hasattr(endpoint, 'device_id')]
        device = Device.objects.restrict(request.user, 'view').filter(pk__in=device_ids).first()
        if device is None:
            raise NotFound(f'Nothing is connected to {device_name} {interface_name}.')
        declaration = registry_declaration('dcim.device')
        return Response(serializer_for(declaration)(device, context={'request': request}).data)


def trace_route(model):
    view = type(f'{model.__name__}TraceView', (TraceView,), {'model': model})
    return ('<int:pk>/trace/', view.as_view(), 'trace')


def paths_route(model):
    view = type(f'{model.__name__}PathsView', (PathsView,), {'model': model})
    return ('<int:pk>/paths/', view.as_view(), 'paths')
