"""
Test helpers shared by every app: a generic factory that makes a valid object of any declared model, and the API
payload that would create one. Models whose rules a generic filler can't guess add an entry to SAMPLE_OVERRIDES.
"""
import itertools

import netaddr
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from rest_framework.test import APIClient

_counter = itertools.count(1)


def unique(prefix='x'):
    return f'{prefix}{next(_counter)}'


def _tenant_type():
    return ContentType.objects.get(app_label='tenancy', model='tenant')


def _sample_tenant():
    from tenancy.models import Tenant

    name = unique('tenant')
    return Tenant.objects.create(name=name, slug=name)


# Values a generic filler can't guess: {model label: {field: callable returning a value}}.
SAMPLE_OVERRIDES = {
    'tenancy.contactassignment': {
        'object_type': _tenant_type,
        'object_id': lambda: _sample_tenant().pk,
    },
    'extras.customfieldchoiceset': {'extra_choices': lambda: [['a', 'A'], ['b', 'B']]},
    'extras.configcontext': {'data': lambda: {'ntp_servers': ['192.0.2.1']}},
    'extras.configcontextprofile': {'schema': lambda: {'type': 'object'}},
    'users.objectpermission': {'actions': lambda: ['view']},
    'users.token': {'version': lambda: 1},
    'extras.tableconfig': {'object_type': _tenant_type, 'table': lambda: 'TenantTable', 'columns': lambda: ['name']},
    'extras.savedfilter': {'parameters': lambda: {'status': ['active']}},
    'extras.taggeditem': {'content_type': _tenant_type, 'object_id': lambda: _sample_tenant().pk},
}
# Personal objects about one object (bookmarks, subscriptions, notifications): about a fresh tenant.
for _label in ('extras.bookmark', 'extras.subscription', 'extras.notification'):
    SAMPLE_OVERRIDES[_label] = {'object_type': _tenant_type, 'object_id': lambda: _sample_tenant().pk}
def _device_type(**attrs):
    from dcim.models import DeviceType

    return make(DeviceType, **attrs)


def _parent_device():
    from dcim.models import Device

    return make(Device, device_type=_device_type(subdevice_role='parent'))


def _module_sample():
    from dcim.models import Device, ModuleBay

    device = make(Device)
    return {'device': device, 'module_bay': make(ModuleBay, device=device)}


def _interface():
    from dcim.models import Interface

    return make(Interface)


def _cable_sample():
    return {'a_terminations': [_interface()], 'b_terminations': [_interface()]}


def _cable_termination_sample():
    from dcim.models import Cable, Interface

    cable = Cable.objects.create(label=unique('cable'))
    spare = make(Interface)
    return {'cable': cable, 'cable_end': 'A', 'termination_type': ContentType.objects.get_for_model(Interface),
            'termination_id': spare.pk}


# Objects whose fields must agree with each other: {model label: callable returning several field values}.
SAMPLE_BUILDERS = {
    'dcim.module': _module_sample,
    'dcim.cable': _cable_sample,
    'dcim.cabletermination': _cable_termination_sample,
}
for _label in ('consoleport', 'consoleserverport', 'powerport', 'poweroutlet', 'interface', 'rearport', 'frontport',
               'modulebay', 'inventoryitem', 'coolingintake', 'coolingoutflow'):
    SAMPLE_BUILDERS[f'dcim.{_label}template'] = lambda: {'device_type': _device_type()}
SAMPLE_BUILDERS['dcim.devicebaytemplate'] = lambda: {'device_type': _device_type(subdevice_role='parent')}
SAMPLE_BUILDERS['dcim.devicebay'] = lambda: {'device': _parent_device()}
SAMPLE_OVERRIDES.update({
    'dcim.macaddress': {'mac_address': lambda: _mac()},
    'dcim.rackreservation': {'units': lambda: [1]},
    'dcim.interface': {'type': lambda: '1000base-t'},
    'dcim.interfacetemplate': {'type': lambda: '1000base-t'},
})


def network_sample(kind):
    """A fresh value for a network column that no other sample collides with: 'prefix' (a /24 in 10/8),
    'address' (a host in 100.64/10, never a network or broadcast address) or 'range' (start and end of ten
    addresses in 172.16/12)."""
    number = next(_counter)
    if kind == 'prefix':
        return f'10.{(number >> 8) & 255}.{number & 255}.0/24'
    if kind == 'address':
        host, rest = 1 + number % 254, number // 254
        return f'100.{64 + (rest >> 8) % 64}.{rest & 255}.{host}/24'
    block = f'172.{16 + (number >> 8) % 16}.{number & 255}'
    return f'{block}.10/24', f'{block}.19/24'


def _ip_range_sample():
    start, end = network_sample('range')
    return {'start_address': start, 'end_address': end}


SAMPLE_BUILDERS['ipam.iprange'] = _ip_range_sample


# IPAM: ASNs, FHRP assignments and services (unique numbers; generic relations to real objects).
def _fhrp_assignment_sample():
    from dcim.models import Interface
    from ipam.models import FHRPGroup

    return {'group': make(FHRPGroup), 'interface_type': ContentType.objects.get_for_model(Interface),
            'interface_id': make(Interface).pk}


def _service_sample():
    from dcim.models import Device

    return {'parent_object_type': ContentType.objects.get_for_model(Device), 'parent_object_id': make(Device).pk}


SAMPLE_BUILDERS['ipam.fhrpgroupassignment'] = _fhrp_assignment_sample
SAMPLE_BUILDERS['ipam.service'] = _service_sample
SAMPLE_OVERRIDES['ipam.asn'] = {'asn': lambda: 4200000000 + next(_counter)}


def _vm_sample():
    # A VM needs a cluster (or a site): one with no scope fits any site.
    from virtualization.models import Cluster

    return {'cluster': make(Cluster)}


SAMPLE_BUILDERS['virtualization.virtualmachine'] = _vm_sample


def _mac():
    number = next(_counter)
    return ':'.join(f'{b:02X}' for b in (0, 0x11, 0x22, (number >> 16) & 255, (number >> 8) & 255, number & 255))


SAMPLE_M2M = {
    'users.objectpermission': {'object_types': lambda: [_tenant_type()]},
    'extras.customfield': {'object_types': lambda: [_tenant_type()]},
    'extras.exporttemplate': {'object_types': lambda: [_tenant_type()]},
    'extras.customlink': {'object_types': lambda: [_tenant_type()]},
    'extras.savedfilter': {'object_types': lambda: [_tenant_type()]},
}


def _notification_group_sample():
    from extras.models import NotificationGroup

    return NotificationGroup.objects.create(name=f'group-{next(_counter)}')


# Event rules: notify a fresh notification group about created tenants.
SAMPLE_OVERRIDES['extras.eventrule'] = {
    'event_types': lambda: ['object_created'],
    'action_type': lambda: 'notification',
    'action_object_type': lambda: ContentType.objects.get_by_natural_key('extras', 'notificationgroup'),
    'action_object_id': lambda: _notification_group_sample().pk,
}
SAMPLE_M2M['extras.eventrule'] = {'object_types': lambda: [_tenant_type()]}


def sample_value(model, field):
    label = model._meta.label_lower
    override = SAMPLE_OVERRIDES.get(label, {}).get(field.name)
    if override is not None:
        return override()
    if field.is_relation:
        if field.related_model is ContentType:
            return _tenant_type()
        return make(field.related_model)
    if getattr(field, 'choices', None):
        return field.choices[0][0]
    if isinstance(field, models.SlugField):
        return unique('slug-')
    if isinstance(field, models.EmailField):
        return f'{unique("user")}@example.com'
    if isinstance(field, models.URLField):
        return f'https://example.com/{unique()}'
    if isinstance(field, (models.CharField, models.TextField)):
        return unique(model._meta.model_name[:8] + '_')[:getattr(field, 'max_length', None) or 100]
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, (models.IntegerField, models.FloatField, models.DecimalField)):
        return 1
    if isinstance(field, ArrayField):
        base = field.base_field
        return [1] if isinstance(base, (models.IntegerField, models.DecimalField, models.FloatField)) else [unique()]
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BinaryField):
        return b'sample'
    if isinstance(field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(field, (models.DateTimeField, models.DateField)):
        from django.utils import timezone

        return timezone.now()
    if getattr(field, 'wire_text', False) and field.get_internal_type() in ('IPNetworkField', 'IPAddressField'):
        return network_sample('prefix' if field.get_internal_type() == 'IPNetworkField' else 'address')
    raise NotImplementedError(f'No sample value for {model._meta.label}.{field.name}')


def required_fields(model):
    """Concrete fields that must be given a value to save a valid object."""
    label = model._meta.label_lower
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in ('lft', 'rght', 'tree_id', 'level', 'custom_field_data'):
            continue
        if field.name in SAMPLE_OVERRIDES.get(label, {}):
            yield field
            continue
        if field.has_default() or field.null or field.blank or getattr(field, 'auto_now', False) or \
                getattr(field, 'auto_now_add', False):
            continue
        yield field


def sample_attrs(model):
    label = model._meta.label_lower
    values = SAMPLE_BUILDERS[label]() if label in SAMPLE_BUILDERS else {}
    for field in required_fields(model):
        if field.name not in values:
            values[field.name] = sample_value(model, field)
    return values


def make(model, **attrs):
    """Save and return a valid object of `model`; `attrs` override the generated values."""
    values = sample_attrs(model)
    values.update(attrs)
    if model._meta.label_lower == 'users.user':
        values['password'] = 'Secret-pass-123'
        return model.objects.create_user(**values)
    obj = model(**values)
    obj.save()
    for name, factory in SAMPLE_M2M.get(model._meta.label_lower, {}).items():
        getattr(obj, name).set(factory())
    return obj


def _is_empty(value):
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _clean_errors(obj):
    """The model's own validation errors (field and model rules, not uniqueness) as a set of (field, message)."""
    from django.core.exceptions import ValidationError

    try:
        obj.clean_fields()
        obj.clean()
    except ValidationError as exc:
        if hasattr(exc, 'error_dict'):
            return {(name, message) for name, messages in exc.message_dict.items() for message in messages}
        return {('', message) for message in exc.messages}
    except Exception as exc:  # a rule that can't even run on these values rejects them too
        return {('', repr(exc))}
    return set()


def make_full(model):
    """A saved object of `model` with every optional field filled too, where the database accepts the generic
    value: each field is tried on its own, and one the object can't be saved with is left empty."""
    from django.db import transaction

    from netbox.registry import INTERNAL_FIELDS

    obj = make(model)
    baseline = _clean_errors(obj)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in INTERNAL_FIELDS or not field.editable or \
                not _is_empty(getattr(obj, field.attname)):
            continue
        if isinstance(field, models.JSONField) and getattr(obj, field.attname) is not None:
            continue  # an empty list or object is that field's value, not a gap
        try:
            value = sample_value(model, field)
        except NotImplementedError:
            continue
        setattr(obj, field.name, value)
        try:
            if _clean_errors(obj) - baseline:
                raise ValueError(f'{field.name}: the model rules reject the generic value')
            with transaction.atomic():
                obj.save()
        except Exception:
            obj = model._default_manager.get(pk=obj.pk)  # the failed save may have left the instance half-changed
    for field in model._meta.many_to_many:
        if field.name in INTERNAL_FIELDS or getattr(obj, field.name).exists():
            continue
        try:
            with transaction.atomic():
                getattr(obj, field.name).set([sample_value(model, field)])
        except Exception:
            pass
    for fill in FULL_FILLERS.get(model._meta.label_lower, ()):
        fill(obj)
    return model._default_manager.get(pk=obj.pk)


def _script_run(script):
    """A script's `result` (its last run) is a job for it."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import Job

    Job.objects.create(name=script.name, status='completed', object_id=script.pk,
                       object_type=ContentType.objects.get_for_model(script))


# Values a full object has that are not its own fields (derived from related rows), by model.
FULL_FILLERS = {'extras.script': (_script_run,)}


def api_value(value):
    if isinstance(value, list) and value and isinstance(value[0], models.Model) and \
            value[0]._meta.model_name in ('interface', 'frontport', 'rearport', 'consoleport', 'powerport'):
        return [{'object_type': value[0]._meta.label_lower, 'object_id': item.pk} for item in value]
    if isinstance(value, ContentType):
        return f'{value.app_label}.{value.model}'
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [api_value(item) for item in value]
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    if hasattr(value, 'hex') and not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (netaddr.IPNetwork, netaddr.IPAddress)):
        return str(value)
    return value


def sample_payload(declaration):
    """A REST payload that creates a valid new object of the declaration's model."""
    model = declaration.model
    payload = {name: api_value(value) for name, value in sample_attrs(model).items()}
    for name, factory in SAMPLE_M2M.get(model._meta.label_lower, {}).items():
        payload[name] = api_value(factory())
    if model._meta.label_lower == 'users.user':
        payload['password'] = 'Secret-pass-123'
    return payload


def editable_text_field(declaration):
    """A plain text field the API may change (for update tests), or None."""
    for name in ('description', 'comment', 'comments', 'label', 'title', 'name', 'first_name', 'user_name'):
        try:
            field = declaration.model._meta.get_field(name)
        except Exception:
            continue
        if isinstance(field, (models.CharField, models.TextField)) and field.editable and \
                name in declaration.rest_fields() and name not in declaration.read_only:
            return name
    return None


def make_token(user, version=1, **kwargs):
    from users.models import Token

    token = Token(user=user, version=version, **kwargs)
    token.set_token()
    token.save()
    return token


def client_for(user, version=1, **token_kwargs):
    token = make_token(user, version=version, **token_kwargs)
    scheme = 'Bearer' if version == 2 else 'Token'
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'{scheme} {token.token_value}')
    client.token = token
    client.user = user
    return client


def grant(user, model, actions, constraints=None, name=None):
    """Give `user` an ObjectPermission for `actions` on `model`."""
    from django.contrib.contenttypes.models import ContentType

    from users.models import ObjectPermission

    permission = ObjectPermission.objects.create(name=name or f'{model._meta.label_lower} {actions}',
                                                 actions=list(actions), constraints=constraints)
    permission.object_types.set([ContentType.objects.get_for_model(model, for_concrete_model=False)])
    permission.users.add(user)
    if hasattr(user, '_object_perm_cache'):
        del user._object_perm_cache
    return permission


# VPN and wireless: terminations on real interfaces/VLANs; links between two wireless interfaces.
def _tunnel_termination_sample():
    from dcim.models import Interface
    from vpn.models import Tunnel

    return {'tunnel': make(Tunnel), 'termination_type': ContentType.objects.get_for_model(Interface),
            'termination_id': make(Interface).pk}


def _l2vpn_termination_sample():
    from ipam.models import VLAN
    from vpn.models import L2VPN

    return {'l2vpn': make(L2VPN, type='vxlan'), 'assigned_object_type': ContentType.objects.get_for_model(VLAN),
            'assigned_object_id': make(VLAN).pk}


def _wireless_link_sample():
    from dcim.models import Interface

    return {'interface_a': make(Interface, type='ieee802.11ac'), 'interface_b': make(Interface, type='ieee802.11ac')}


SAMPLE_BUILDERS['vpn.tunneltermination'] = _tunnel_termination_sample
SAMPLE_BUILDERS['vpn.l2vpntermination'] = _l2vpn_termination_sample
SAMPLE_BUILDERS['wireless.wirelesslink'] = _wireless_link_sample
SAMPLE_OVERRIDES['vpn.ipsecproposal'] = {'encryption_algorithm': lambda: 'aes-128-cbc'}
SAMPLE_OVERRIDES['vpn.ikepolicy'] = {'version': lambda: 1, 'mode': lambda: 'main'}
SAMPLE_OVERRIDES['wireless.wirelesslink'] = {'distance': lambda: None, 'distance_unit': lambda: None}


# Circuits: a group member is a real circuit; a virtual circuit ends on a virtual interface.
def _circuit_group_assignment_sample():
    from circuits.models import Circuit, CircuitGroup

    return {'group': make(CircuitGroup), 'member_type': ContentType.objects.get_for_model(Circuit),
            'member_id': make(Circuit).pk}


def _virtual_interface():
    from dcim.models import Interface

    return make(Interface, type='virtual')


SAMPLE_BUILDERS['circuits.circuitgroupassignment'] = _circuit_group_assignment_sample
SAMPLE_OVERRIDES['circuits.virtualcircuittermination'] = {'interface': _virtual_interface}


# Extras: a journal entry and an image attachment belong to a real object; an image is a real (tiny) PNG.
def sample_png(width=4, height=3, color=(200, 30, 30)):
    """The bytes of a small PNG image."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new('RGB', (width, height), color).save(buffer, format='PNG')
    return buffer.getvalue()


def _sample_image():
    from django.core.files.base import ContentFile

    return ContentFile(sample_png(), name='sample.png')


SAMPLE_BUILDERS['extras.journalentry'] = lambda: {'assigned_object_type': _tenant_type(),
                                                  'assigned_object_id': _sample_tenant().pk}
SAMPLE_BUILDERS['extras.imageattachment'] = lambda: {'object_type': _tenant_type(),
                                                     'object_id': _sample_tenant().pk, 'image': _sample_image()}


def needs_upload(declaration):
    """Whether creating an object of the declaration's model needs an uploaded file (multipart, not JSON): the
    generic JSON and form tests leave such models to their own tests."""
    return any(isinstance(field, models.FileField) and not field.blank
               for field in declaration.model._meta.concrete_fields)


# Script modules: a file path under the root (no file needs to exist for a row).
SAMPLE_OVERRIDES['extras.scriptmodule'] = {'file_path': lambda: f'{unique("module_")}.py'}


# A real RQ worker as a separate process, on this test run's database and queues (the test must commit its rows:
# django_db(transaction=True)).

def worker_environment(**extra):
    import os

    from django.conf import settings
    from django.db import connection

    return {**os.environ, 'DJANGO_SETTINGS_MODULE': 'netbox.settings_testing',
            'DB_NAME': connection.settings_dict['NAME'], 'NETBOX_TEST_RQ_QUEUE_PREFIX': settings.RQ_QUEUE_PREFIX,
            **extra}


def worker_command(*options, queue='default'):
    import sys
    from pathlib import Path

    from core.jobs import physical_queue_name

    manage = Path(__file__).resolve().parents[2] / 'manage.py'
    return [sys.executable, str(manage), 'rqworker', physical_queue_name(queue), *options]


def run_worker_process(*options, timeout=120, **environment):
    """Run `manage.py rqworker <this run's default queue> --burst <options>` to its end; returns its output."""
    import subprocess

    result = subprocess.run(worker_command('--burst', *options), env=worker_environment(**environment),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr
