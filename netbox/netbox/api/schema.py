"""
The OpenAPI 3 schema, derived from the declarations through drf-spectacular.

Nothing here names a model: every declared model gets its paths, its full and brief response components, its
request components (relations written as an ID or an attribute object), typed filter parameters, field-selection
and paging parameters and its bulk operations from the same code. Serializer fields of our own describe themselves
through the field extensions below; a domain field elsewhere does so with `extend_schema_field`.
"""
from decimal import Decimal

from django.db import models
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_array_type

from netbox.registry import registry

ERROR_SCHEMA = {'type': 'object', 'additionalProperties': {}, 'description': 'Errors by field, or a "detail".'}
# Every error body is an object, or for a bulk request one object per item.
ERROR_RESPONSE = {'description': 'The request was refused', 'content': {'application/json': {'schema': {
    'oneOf': [ERROR_SCHEMA, {'type': 'array', 'items': ERROR_SCHEMA}]}}}}
ANY_OBJECT = {'type': 'object', 'additionalProperties': {}}
# A related object of any type (a generic relation, a cable end, a path hop): its brief form.
NESTED_ANY = {
    'type': 'object',
    'properties': {'id': {'type': 'integer'}, 'url': {'type': 'string', 'format': 'uri', 'nullable': True},
                   'display': {'type': 'string'}},
    'additionalProperties': {},
}
ERROR_RESPONSE_SCHEMA = ERROR_RESPONSE['content']['application/json']['schema']
ANY_NESTED_LIST = {'type': 'array', 'items': NESTED_ANY}
ANY_OBJECT_SCHEMA = ANY_OBJECT
# Written in place of a related object: its ID, or attributes matching exactly one object.
RELATED_REQUEST = {'oneOf': [{'type': 'integer', 'minimum': 1}, {'type': 'object', 'additionalProperties': {},
                                                                  'minProperties': 1}]}
SELECTION_PARAMETERS = (
    ('brief', {'type': 'boolean'}, 'Return the brief representation of each object.'),
    ('fields', {'type': 'string'}, 'Comma-separated names of the fields to return.'),
    ('omit', {'type': 'string'}, 'Comma-separated names of fields to leave out.'),
)


def nullable(schema):
    return {**schema, 'nullable': True}


def paginated(row_schema):
    """A page of rows, as every list answers: `count` is null when paging by `start`."""
    return {
        'type': 'object',
        'required': ['count', 'next', 'previous', 'results'],
        'properties': {
            'count': {'type': 'integer', 'nullable': True},
            'next': {'type': 'string', 'format': 'uri', 'nullable': True},
            'previous': {'type': 'string', 'format': 'uri', 'nullable': True},
            'results': {'type': 'array', 'items': row_schema},
        },
    }


def declaration_of(model):
    return registry.get(model) if model is not None else None


def _value_schema(values):
    """The JSON type of a list of Python values (choice values, a pending field's placeholder)."""
    kinds = {type(value) for value in values if value is not None}
    if kinds and all(issubclass(kind, bool) for kind in kinds):
        return {'type': 'boolean'}
    if kinds and all(issubclass(kind, int) and not issubclass(kind, bool) for kind in kinds):
        return {'type': 'integer'}
    if kinds and all(issubclass(kind, (int, float, Decimal)) for kind in kinds):
        return {'type': 'number'}
    return {'type': 'string'}


def brief_component(auto_schema, model):
    """The `Brief<Model>` component: a related object as it is nested in another, and the brief list rows."""
    declaration = declaration_of(model)
    if declaration is None:
        return dict(NESTED_ANY)
    component = ResolvedComponent(name=f'Brief{model.__name__}', type=ResolvedComponent.SCHEMA,
                                  object=f'brief:{declaration.label()}')
    if component in auto_schema.registry:
        return auto_schema.registry[component].ref
    auto_schema.registry.register(component)
    serializer = declaration.serializer(brief=False)()
    names = list(dict.fromkeys(declaration.brief_fields() + declaration.nested_fields()))
    properties = {}
    for name in names:
        field = serializer.fields.get(name)
        if field is None:
            properties[name] = {}
            continue
        schema = auto_schema._map_serializer_field(field, 'response')
        properties[name] = schema if schema is not None else {}
    component.schema = {
        'type': 'object',
        'description': f'{str(model._meta.verbose_name).capitalize()} in brief form.',
        'properties': properties,
        'required': [name for name in declaration.nested_fields() if name in properties],
    }
    return component.ref


def nested_self_component(auto_schema, model):
    """The `Nested<Model>` component: an object of a model inside another of the same model (a NAT inside
    address), in a short form with no relation back to the model, so the schema never refers to itself."""
    declaration = declaration_of(model)
    component = ResolvedComponent(name=f'Nested{model.__name__}', type=ResolvedComponent.SCHEMA,
                                  object=f'nested:{declaration.label()}')
    if component in auto_schema.registry:
        return auto_schema.registry[component].ref
    auto_schema.registry.register(component)
    serializer = declaration.serializer(brief=False)()
    names = declaration.nested_self_fields()
    properties = {}
    for name in names:
        field = serializer.fields.get(name)
        schema = auto_schema._map_serializer_field(field, 'response') if field is not None else None
        properties[name] = schema if schema is not None else {}
    component.schema = {
        'type': 'object',
        'description': f'{str(model._meta.verbose_name).capitalize()} in nested form.',
        'properties': properties,
        'required': [name for name in names if name in properties],
    }
    return component.ref


class NetBoxAutoSchema(AutoSchema):
    """Schema of one operation; declared model endpoints get their parameters and bodies from the declaration."""

    @property
    def declaration(self):
        return getattr(self.view, 'declaration', None)

    @property
    def action(self):
        return getattr(self.view, 'action', None)

    def get_tags(self):
        # The app: /api/dcim/devices/ is tagged "dcim"; /api/ and /api/status/ "api" and "status".
        parts = [part for part in self.path.split('/') if part]
        return [parts[1] if len(parts) > 1 else 'api']

    def get_operation_id(self):
        tokens = [part.replace('-', '_') for part in self.path.strip('/').split('/')[1:]
                  if part and not part.startswith('{')]
        action = self.action
        if action is None:
            action = self.method.lower()
            if self.method == 'GET' and self._is_list_view():
                action = 'list'
            elif self.method == 'GET':
                action = 'retrieve'
        return '_'.join(tokens + [action])

    def get_description(self):
        declaration = self.declaration
        if declaration is None:
            return super().get_description()
        plural = str(declaration.model._meta.verbose_name_plural)
        single = str(declaration.model._meta.verbose_name)
        return {
            'list': f'List {plural}, filtered and paged.',
            'create': f'Create one {single}, or several when the body is a list (all or none).',
            'retrieve': f'One {single}.',
            'update': f'Replace one {single}.',
            'partial_update': f'Change some fields of one {single}.',
            'destroy': f'Delete one {single}.',
            'bulk_update': f'Replace several {plural}, each identified by "id" (all or none).',
            'bulk_partial_update': f'Change several {plural}, each identified by "id" (all or none).',
            'bulk_destroy': f'Delete several {plural}, each identified by "id" (all or none).',
        }.get(self.action, '')

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if self.declaration is not None and self.method == 'GET':
            for name, schema, description in SELECTION_PARAMETERS:
                parameters.append({'in': 'query', 'name': name, 'schema': schema, 'description': description})
        return parameters

    def _get_filter_parameters(self):
        declaration = self.declaration
        if declaration is None or self.action != 'list':
            return super()._get_filter_parameters()
        parameters = []
        for name, flt in declaration.filterset().base_filters.items():
            parameters.append(filter_parameter(name, flt))
        fields = ', '.join(self.view.ordering_fields)
        parameters.append({'in': 'query', 'name': 'ordering', 'schema': {'type': 'string'},
                           'description': f'Sort by a field, "-" first for descending: {fields}.'})
        return parameters

    def _get_request_body(self, direction='request'):
        declaration = self.declaration
        if declaration is None or self.method not in ('POST', 'PUT', 'PATCH') or self.action in \
                getattr(declaration, 'detail_actions', {}).values():
            # A declared detail action (a script's run) documents its own request with extend_schema.
            return super()._get_request_body(direction)
        serializer = declaration.serializer()()
        if self.method == 'PATCH':
            serializer.partial = True
        one = self.resolve_serializer(serializer, 'request').ref
        id_only = {'type': 'object', 'required': ['id'], 'properties': {'id': {'type': 'integer'}}}
        if self.action == 'create':
            schema = {'oneOf': [one, {'type': 'array', 'items': one, 'minItems': 1}]}
        elif self.action in ('bulk_update', 'bulk_partial_update'):
            schema = {'type': 'array', 'minItems': 1, 'items': {'allOf': [id_only, one]}}
        else:
            schema = one
        return {'content': {'application/json': {'schema': schema}}, 'required': True}

    def _get_response_bodies(self, direction='response'):
        declaration = self.declaration
        if declaration is None:
            responses = super()._get_response_bodies(direction)
        else:
            responses = self._model_responses(declaration)
        responses.setdefault('400', ERROR_RESPONSE)
        responses.setdefault('403', ERROR_RESPONSE)
        if '{' in self.path or self.action in ('bulk_update', 'bulk_partial_update', 'bulk_destroy'):
            responses.setdefault('404', ERROR_RESPONSE)
        return responses

    def _model_responses(self, declaration):
        full = self.resolve_serializer(declaration.serializer()(), 'response').ref
        brief_component(self, declaration.model)
        action = self.action

        def body(schema, description=''):
            return {'content': {'application/json': {'schema': schema}}, 'description': description}

        if action == 'list':
            page = ResolvedComponent(name=f'Paginated{declaration.model.__name__}List', type=ResolvedComponent.SCHEMA,
                                     object=f'page:{declaration.label()}',
                                     schema=paginated(full))
            self.registry.register_on_missing(page)
            return {'200': body(page.ref)}
        if action == 'create':
            return {'201': body({'oneOf': [full, {'type': 'array', 'items': full}]}, 'Created')}
        if action in ('destroy', 'bulk_destroy'):
            return {'204': {'description': 'Deleted'}}
        if action in ('bulk_update', 'bulk_partial_update'):
            return {'200': body({'type': 'array', 'items': full})}
        return {'200': body(full)}

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        model = getattr(getattr(serializer, 'Meta', None), 'model', None)
        if model is not None and declaration_of(model) is not None:
            schema['description'] = str(model._meta.verbose_name).capitalize() + (
                '.' if direction == 'response' else ', as written.')
            # `fields=` and `omit=` may leave any field out of a response, so none is required there.
            if direction == 'response':
                schema.pop('required', None)
        return schema


def _form_field_schema(form_field):
    from django import forms

    from netbox.filtersets import MultiValueField

    if isinstance(form_field, MultiValueField):
        return build_array_type(_form_field_schema(form_field.inner))
    if isinstance(form_field, forms.NullBooleanField) or isinstance(form_field, forms.BooleanField):
        return {'type': 'boolean'}
    if isinstance(form_field, forms.IntegerField):
        return {'type': 'integer'}
    if isinstance(form_field, (forms.DecimalField, forms.FloatField)):
        return {'type': 'number'}
    if isinstance(form_field, forms.DateTimeField):
        return {'type': 'string', 'format': 'date-time'}
    if isinstance(form_field, forms.DateField):
        return {'type': 'string', 'format': 'date'}
    if isinstance(form_field, forms.UUIDField):
        return {'type': 'string', 'format': 'uuid'}
    if isinstance(form_field, forms.MultipleChoiceField):
        return build_array_type({'type': 'string'})
    return {'type': 'string'}


def filter_parameter(name, flt):
    """One filter as a query parameter, typed from the form field that cleans its value."""
    schema = _form_field_schema(flt.field)
    parameter = {'in': 'query', 'name': name, 'schema': schema}
    if schema.get('type') == 'array':
        parameter.update(style='form', explode=True)
    label = getattr(flt, 'label', None)
    if label and label != name:
        parameter['description'] = str(label)
    return parameter


class NestedRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A relation: the related object's brief component on read, its ID or attributes on write."""

    target_class = 'netbox.api.fields.NestedRelatedField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == 'request':
            return dict(RELATED_REQUEST)
        model = self.target.related_model
        parent = self.target.parent
        while parent is not None and not hasattr(parent, 'Meta'):  # a list's child: the list, then the serializer
            parent = parent.parent
        parent_model = getattr(getattr(parent, 'Meta', None), 'model', None)
        if parent_model is model and declaration_of(model) is not None:
            return nested_self_component(auto_schema, model)
        return brief_component(auto_schema, model)


class TextValueFieldExtension(OpenApiSerializerFieldExtension):
    """A column with a text form (a network, an address): a string on the wire."""

    target_class = 'netbox.api.fields.TextValueField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {'type': 'string'}


class ChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """A choice: {"value", "label"} on read, the bare value on write."""

    target_class = 'netbox.api.fields.ChoiceField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = [value for value, _ in field.model_field.flatchoices]
        value_schema = _value_schema(values)
        if direction == 'request':
            enum = list(values) + ([''] if field.allow_blank and '' not in values else [])
            if field.allow_null:
                enum.append(None)
            return {**value_schema, 'enum': enum}
        represented = list(values) + ([''] if field.allow_blank and '' not in values else [])
        return {
            'type': 'object',
            'properties': {'value': {**_value_schema(represented), 'enum': represented}, 'label': {'type': 'string'}},
            'required': ['value', 'label'],
        }


class GenericObjectFieldExtension(OpenApiSerializerFieldExtension):
    target_class = 'netbox.api.fields.GenericObjectField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {**NESTED_ANY, 'nullable': True}


class ContentTypeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = 'netbox.api.fields.ContentTypeField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {'type': 'string', 'description': 'An object type, "app_label.model".'}


class TagListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = 'netbox.api.fields.TagListField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        from extras.models import Tag

        if direction == 'request':
            return build_array_type(RELATED_REQUEST)
        return build_array_type(brief_component(auto_schema, Tag))


class CustomFieldsFieldExtension(OpenApiSerializerFieldExtension):
    target_class = 'netbox.api.serializers.CustomFieldsField'
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {'type': 'object', 'additionalProperties': {}, 'description': 'Custom field values by name.'}


class ReadOnlyFieldExtension(OpenApiSerializerFieldExtension):
    """A read-only attribute with no model field behind it: typed from the model field of that name if any."""

    target_class = 'rest_framework.fields.ReadOnlyField'

    def map_serializer_field(self, auto_schema, direction):
        model = getattr(getattr(self.target.parent, 'Meta', None), 'model', None)
        try:
            model_field = model._meta.get_field(self.target.source)
        except Exception:
            return {}
        if isinstance(model_field, models.Field):
            return auto_schema._map_model_field(model_field, direction)
        return {}


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Both token forms: `Token <v1 key>` and `Bearer nbt_<key>.<secret>`."""

    target_class = 'netbox.api.authentication.TokenAuthentication'
    name = ['tokenAuth', 'bearerAuth']

    def get_security_requirement(self, auto_schema):
        return [{'tokenAuth': []}, {'bearerAuth': []}]

    def get_security_definition(self, auto_schema):
        return [
            {'type': 'apiKey', 'in': 'header', 'name': 'Authorization',
             'description': 'A v1 token: "Token <40 hexadecimal characters>".'},
            {'type': 'http', 'scheme': 'bearer',
             'description': 'A v2 token: "Bearer nbt_<key>.<secret>".'},
        ]


def postprocess_schema(result, generator, request, public):
    """Paths in URL order, and plain JSON numbers where decimal bounds and defaults came out as Decimal."""
    result['paths'] = dict(sorted(result.get('paths', {}).items()))
    return _plain_numbers(result)


def _plain_numbers(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(item) for item in value]
    return value

