"""Fill the database with demonstration data: a small connected network, and objects of every declared model."""
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from netbox.registry import registry
from netbox.request_context import ChangeContext, change_logging

# Made through other objects (their rows are derived) or present from the start.
DERIVED = {'core.objecttype', 'core.objectchange', 'extras.taggeditem', 'dcim.cabletermination'}


class Command(BaseCommand):
    help = ('Fill the database with demonstration data: a small connected network (sites, racks, devices, '
            'interfaces, cables, addresses, VLANs, custom fields, tags, config contexts) and a few objects of every '
            'declared model. Changes are recorded in the change log as made by the user "demo".')

    def add_arguments(self, parser):
        parser.add_argument('--count', type=int, default=3,
                            help='Objects made of every model by the generic filler (each brings the objects it '
                                 'needs); 3 by default.')
        parser.add_argument('--devices', type=int, default=10,
                            help='Devices in the demonstration network (each with 8 interfaces); 10 by default.')

    def handle(self, *args, count, devices, **options):
        from users.models import User

        started = time.monotonic()
        user = User.objects.filter(username='demo').first()
        if user is None:
            user = User.objects.create_user(username='demo', first_name='Demo', last_name='User')
        with change_logging(ChangeContext(user=user)):
            with transaction.atomic():
                network = build_network(devices)
            failures = fill_every_model(count, options['verbosity'] > 0)
            with transaction.atomic():
                tidy()
            with transaction.atomic():
                decorate(network)
        total = sum(d.model._default_manager.count() for d in registry)
        self.stdout.write(f'{total} objects of {len(registry)} models in {time.monotonic() - started:.1f} s.')
        empty = [d.label() for d in registry if not d.model._default_manager.exists()]
        for label, reason in failures:
            self.stderr.write(f'{label}: {reason}')
        if empty:
            self.stderr.write(f'Models without objects: {", ".join(empty)}')


def fill_every_model(count, progress=True):
    """`count` objects of every declared model, each filled by the generic test filler (netbox.testing)."""
    from netbox.testing import make_full

    failures = []
    for declaration in tqdm(list(registry), desc='Every model', unit='model', leave=False, disable=not progress):
        if declaration.label() in DERIVED:
            continue
        for _ in range(count):
            try:
                with transaction.atomic():
                    make_full(declaration.model)
            except Exception as exc:  # reported at the end; the other models are still filled
                failures.append((declaration.label(), f'{type(exc).__name__}: {exc}'))
                break
    return failures


def tidy():
    """Undo what the generic filler sets but no real installation has: generic relations to objects that don't
    exist, components marked with a cable that doesn't end on them, services bound to others' addresses."""
    from django.core.exceptions import ValidationError

    from dcim.models import CableTermination
    from ipam.models import Service

    for declaration in registry:
        model = declaration.model
        for field in model._meta.private_fields:
            if not hasattr(field, 'fk_field'):
                continue
            id_field = model._meta.get_field(field.fk_field)
            for row in model._default_manager.exclude(**{f'{field.ct_field}__isnull': True}):
                target_model = getattr(row, field.ct_field).model_class()
                target_id = getattr(row, field.fk_field)
                if target_model is not None and target_model._default_manager.filter(pk=target_id).exists():
                    continue
                if id_field.null:
                    model._default_manager.filter(pk=row.pk).update(**{field.ct_field: None, field.fk_field: None})
                else:
                    row.delete()
        if any(f.name == 'cable' for f in model._meta.concrete_fields) and model._meta.label_lower != \
                'dcim.cabletermination':
            content_type = ContentType.objects.get_for_model(model)
            ended = CableTermination.objects.filter(termination_type=content_type).values('termination_id')
            stray = model._default_manager.filter(cable__isnull=False).exclude(pk__in=ended)
            extra = {'cable_end': None} if any(f.name == 'cable_end' for f in model._meta.concrete_fields) else {}
            stray.update(cable=None, **extra)
    from django.db.models import F, Q

    from dcim.models import Interface

    Interface.objects.filter(wireless_link__isnull=False).exclude(
        Q(wireless_link__interface_a=F('pk')) | Q(wireless_link__interface_b=F('pk'))).update(wireless_link=None)
    for service in Service.objects.all():
        try:
            service.clean_related({'ipaddresses': list(service.ipaddresses.all())})
        except ValidationError:
            service.ipaddresses.clear()


def build_network(device_count):
    """Two sites with racks, a switch and servers per rack, interfaces cabled to the switch, addresses (primary
    IPs), VLANs and prefixes: objects that refer to each other as in a real installation."""
    from dcim.models import (
        Cable,
        Device,
        DeviceRole,
        DeviceType,
        Interface,
        InterfaceTemplate,
        Manufacturer,
        Platform,
        Rack,
        Region,
        Site,
    )
    from ipam.models import VLAN, VRF, IPAddress, Prefix, VLANGroup
    from tenancy.models import Tenant, TenantGroup

    group = TenantGroup.objects.create(name='Customers', slug='customers')
    tenant = Tenant.objects.create(name='Acme Corp', slug='acme', group=group)
    europe = Region.objects.create(name='Europe', slug='europe')
    sites = [Site.objects.create(name=name, slug=name.lower(), region=europe, tenant=tenant, status='active')
             for name in ('AMS1', 'FRA1')]
    vendor = Manufacturer.objects.create(name='Juniper', slug='juniper')
    switch_type = DeviceType.objects.create(manufacturer=vendor, model='EX4300-48T', slug='ex4300-48t', u_height=1)
    server_type = DeviceType.objects.create(manufacturer=Manufacturer.objects.create(name='Dell', slug='dell'),
                                            model='PowerEdge R650', slug='r650', u_height=1)
    for number in range(1, 9):
        InterfaceTemplate.objects.create(device_type=switch_type, name=f'ge-0/0/{number}', type='1000base-t')
    for number in range(1, 3):
        InterfaceTemplate.objects.create(device_type=server_type, name=f'eno{number}', type='1000base-t')
    roles = {name: DeviceRole.objects.create(name=name, slug=name.lower(), color=color)
             for name, color in (('Switch', '2196f3'), ('Server', '4caf50'))}
    platform = Platform.objects.create(name='Junos', slug='junos', manufacturer=vendor)
    vrf = VRF.objects.create(name='Production', rd='65000:1', tenant=tenant)
    made = {'sites': sites, 'devices': [], 'interfaces': [], 'tenant': tenant}
    servers_per_site = max(1, device_count // len(sites) - 1)
    for index, site in enumerate(sites):
        rack = Rack.objects.create(site=site, name=f'{site.name}-R01', u_height=42, tenant=tenant)
        vlan_group = VLANGroup.objects.create(name=f'{site.name} VLANs', slug=f'{site.slug}-vlans')
        vlan = VLAN.objects.create(vid=100 + index, name=f'{site.name}-servers', group=vlan_group, site=site)
        prefix = Prefix.objects.create(prefix=f'10.{index}.0.0/24', vrf=vrf, scope=site, vlan=vlan, tenant=tenant)
        switch = Device.objects.create(name=f'{site.slug}-sw1', device_type=switch_type, role=roles['Switch'],
                                       platform=platform, site=site, rack=rack, position=42, face='front')
        ports = list(Interface.objects.filter(device=switch).order_by('pk'))
        made['devices'].append(switch)
        for number in range(servers_per_site):
            server = Device.objects.create(name=f'{site.slug}-srv{number + 1}', device_type=server_type,
                                           role=roles['Server'], site=site, rack=rack, position=1 + number,
                                           face='front', tenant=tenant)
            made['devices'].append(server)
            nic = Interface.objects.filter(device=server, name='eno1').get()
            nic.mode = 'access'
            nic.untagged_vlan = vlan
            nic.save()
            made['interfaces'].append(nic)
            address = IPAddress.objects.create(address=f'10.{index}.0.{number + 10}/24', vrf=vrf,
                                               assigned_object=nic, dns_name=f'{server.name}.example.net')
            server.primary_ip4 = address
            server.save()
            if number < len(ports):
                Cable.objects.create(label=f'{server.name}-eno1', a_terminations=[nic], b_terminations=[ports[number]],
                                     status='connected')
        made['prefix'] = prefix
    return made


def decorate(network):
    """Custom fields of every type with values, tags and config contexts over the network's objects."""
    from dcim.models import Device, Site
    from extras.models import ConfigContext, CustomField, CustomFieldChoiceSet, Tag

    device_type, site_type = (ContentType.objects.get_for_model(model) for model in (Device, Site))
    choices = CustomFieldChoiceSet.objects.create(name='Support levels', extra_choices=[
        ['gold', 'Gold'], ['silver', 'Silver'], ['bronze', 'Bronze']])
    specs = [('asset_owner', 'text', {}), ('warranty_years', 'integer', {}), ('monitored', 'boolean', {}),
             ('installed_on', 'date', {}), ('support', 'select', {'choice_set': choices}),
             ('support_extras', 'multiselect', {'choice_set': choices}), ('runbook', 'url', {}),
             ('facts', 'json', {}), ('home_site', 'object', {'related_object_type': site_type}),
             ('peer_sites', 'multiobject', {'related_object_type': site_type})]
    for name, kind, extra in specs:
        field = CustomField.objects.create(name=name, type=kind, **extra)
        field.object_types.set([device_type, site_type])
    tags = [Tag.objects.create(name=name, slug=name.lower(), color=color)
            for name, color in (('Production', 'f44336'), ('Monitored', '00bcd4'), ('Legacy', '9e9e9e'))]
    sites = network['sites']
    for index, device in enumerate(network['devices']):
        device.custom_field_data.update({
            'asset_owner': 'Operations', 'warranty_years': 3 + index % 3, 'monitored': index % 2 == 0,
            'installed_on': f'2024-0{1 + index % 9}-15', 'support': ('gold', 'silver', 'bronze')[index % 3],
            'support_extras': ['gold', 'bronze'], 'runbook': f'https://wiki.example.net/{device.name}',
            'facts': {'rack_unit': device.position}, 'home_site': device.site_id, 'peer_sites': [s.pk for s in sites],
        })
        device.save()
        device.tags.add(*tags[:1 + index % len(tags)])
    for site in sites:
        site.tags.add(tags[0])
        for interface in network['interfaces']:
            interface.tags.add(tags[1])
    context = ConfigContext.objects.create(name='NTP servers', weight=1000, data={'ntp': ['192.0.2.1', '192.0.2.2']})
    context.sites.set(sites)
    context.tags.set(tags[:1])
