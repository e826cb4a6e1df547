"""CUSTOM_VALIDATORS and PROTECTION_RULES on every write path, and FIELD_CHOICES extending a choice set."""
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from extras.validators import CustomValidator
from netbox.dynamic_config import clear_config
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

TENANTS = '/api/tenancy/tenants/'


@contextmanager
def configured(**parameters):
    clear_config()
    try:
        with override_settings(CONFIG_OVERRIDES=parameters):
            yield
    finally:
        clear_config()


class TenantsNeedADescriptionWhenNamedAcme(CustomValidator):
    """A validator class with its own logic, named by dotted path in the tests."""

    def validate(self, instance, request):
        if instance.name.startswith('Acme') and not instance.description:
            self.fail('Acme tenants must be described.', field='description')


def rules(**per_attribute):
    return {'tenancy.tenant': [per_attribute]}


@pytest.mark.parametrize('rule, good, bad, message', [
    ({'name': {'min_length': 5}}, {'name': 'Globex'}, {'name': 'Acm'}, 'at least 5 characters'),
    ({'name': {'max_length': 6}}, {'name': 'Globex'}, {'name': 'Globex Corp'}, 'at most 6 characters'),
    ({'name': {'regex': r'^[A-Z][a-z]+$'}}, {'name': 'Globex'}, {'name': 'globex'}, 'regular expression'),
    ({'description': {'required': True}}, {'name': 'Globex', 'description': 'x'}, {'name': 'Globex'},
     'required'),
    ({'comments': {'prohibited': True}}, {'name': 'Globex'}, {'name': 'Globex', 'comments': 'no'}, 'empty'),
    ({'description': {'eq': 'customer'}}, {'name': 'Globex', 'description': 'customer'},
     {'name': 'Globex', 'description': 'vendor'}, 'equal to customer'),
    ({'description': {'neq': 'vendor'}}, {'name': 'Globex', 'description': 'customer'},
     {'name': 'Globex', 'description': 'vendor'}, 'not be equal to vendor'),
])
def test_each_text_rule_in_the_api(api, rule, good, bad, message):
    field = next(iter(rule))
    with configured(CUSTOM_VALIDATORS={'tenancy.tenant': [rule]}):
        response = api.post(TENANTS, {**bad, 'slug': 'bad'}, format='json')
        assert response.status_code == 400, response.content
        assert message in ' '.join(response.json()[field])
        response = api.post(TENANTS, {**good, 'slug': 'good'}, format='json')
        assert response.status_code == 201, response.content
    assert list(Tenant.objects.values_list('slug', flat=True)) == ['good']


@pytest.mark.parametrize('rule, good, bad, message', [
    ({'vid': {'min': 100}}, 100, 99, 'at least 100'),
    ({'vid': {'max': 200}}, 200, 201, 'at most 200'),
])
def test_numeric_rules_in_the_api(api, rule, good, bad, message):
    with configured(CUSTOM_VALIDATORS={'ipam.vlan': [rule]}):
        response = api.post('/api/ipam/vlans/', {'vid': bad, 'name': 'bad'}, format='json')
        assert response.status_code == 400 and message in response.json()['vid'][0]
        assert api.post('/api/ipam/vlans/', {'vid': good, 'name': 'good'}, format='json').status_code == 201


def test_validator_class_by_dotted_path_and_by_reference(api):
    path = f'{__name__}.TenantsNeedADescriptionWhenNamedAcme'
    for entry in (path, TenantsNeedADescriptionWhenNamedAcme):
        with configured(CUSTOM_VALIDATORS={'tenancy.tenant': [entry]}):
            response = api.post(TENANTS, {'name': 'Acme', 'slug': 'acme'}, format='json')
            assert response.status_code == 400
            assert response.json() == {'description': ['Acme tenants must be described.']}
    assert not Tenant.objects.exists()


def test_rules_on_a_related_object_and_on_the_request(api, user_api, plain_user):
    from tenancy.models import TenantGroup
    from users.models import ObjectPermission

    group = TenantGroup.objects.create(name='Customers', slug='customers')
    with configured(CUSTOM_VALIDATORS=rules(**{'group.slug': {'eq': 'customers'}})):
        response = api.post(TENANTS, {'name': 'Ungrouped', 'slug': 'ungrouped'}, format='json')
        assert response.status_code == 400 and 'group.slug' in response.json()['group'][0]
        assert api.post(TENANTS, {'name': 'In', 'slug': 'in', 'group': group.pk}, format='json').status_code == 201
    permission = ObjectPermission.objects.create(name='tenants', actions=['add', 'view'])
    permission.object_types.add(*__import__('django.contrib.contenttypes.models', fromlist=['x']).ContentType
                                .objects.filter(app_label='tenancy', model='tenant'))
    permission.users.add(plain_user)
    with configured(CUSTOM_VALIDATORS=rules(**{'request.user.username': {'eq': 'root'}})):
        response = user_api.post(TENANTS, {'name': 'Mine', 'slug': 'mine'}, format='json')
        assert response.status_code == 400 and 'Must be equal to root' in response.json()['request'][0]
        assert api.post(TENANTS, {'name': 'Root', 'slug': 'root'}, format='json').status_code == 201
        # Without a request (a shell or a worker) the request rules do not apply.
        Tenant(name='Shell', slug='shell').full_clean()


def test_bulk_create_with_one_bad_object_writes_nothing(api):
    with configured(CUSTOM_VALIDATORS=rules(name={'min_length': 5})):
        response = api.post(TENANTS, [{'name': 'Globex', 'slug': 'globex'}, {'name': 'Acm', 'slug': 'acm'}],
                            format='json')
    assert response.status_code == 400, response.content
    assert response.json()['errors'] == [{'index': 1, 'errors': {'name': ['Must be at least 5 characters long.']}}]
    assert not Tenant.objects.exists()


def test_bulk_update_is_checked(api):
    tenants = [Tenant.objects.create(name=f'Tenant {i}', slug=f't{i}') for i in range(2)]
    with configured(CUSTOM_VALIDATORS=rules(description={'max_length': 3})):
        response = api.patch(TENANTS, [{'id': tenant.pk, 'description': 'too long'} for tenant in tenants],
                             format='json')
    assert response.status_code == 400
    assert set(Tenant.objects.values_list('description', flat=True)) == {''}


def test_ui_form_import_and_bulk_edit_are_checked(admin_client):
    add_url = reverse('tenancy:tenant_add')
    with configured(CUSTOM_VALIDATORS=rules(name={'min_length': 5})):
        page = admin_client.post(add_url, {'name': 'Acm', 'slug': 'acm'})
        assert page.status_code == 200 and 'Must be at least 5 characters long.' in page.content.decode()
        page = admin_client.post(reverse('tenancy:tenant_import'), {'data': 'name,slug\nGlobex,globex\nAcm,acm\n'})
        assert page.status_code == 200 and 'Nothing was imported' in page.content.decode()
        assert 'Must be at least 5 characters long.' in page.content.decode()
        assert not Tenant.objects.exists()
    tenant = Tenant.objects.create(name='Globex', slug='globex')
    with configured(CUSTOM_VALIDATORS=rules(description={'prohibited': True})):
        page = admin_client.post(reverse('tenancy:tenant_bulk_edit'), {
            'pk': [tenant.pk], '_apply': '1', 'description': 'now described'})
        assert 'This field must be empty.' in page.content.decode()
    tenant.refresh_from_db()
    assert tenant.description == ''


def test_configuration_revision_rules_apply_too(api):
    from core.models import ConfigRevision

    revision = ConfigRevision.objects.create(data={'CUSTOM_VALIDATORS': rules(name={'min_length': 5})})
    revision.activate()
    clear_config()
    try:
        response = api.post(TENANTS, {'name': 'Acm', 'slug': 'acm'}, format='json')
        assert response.status_code == 400 and 'name' in response.json()
    finally:
        ConfigRevision.objects.all().delete()
        from django.core.cache import cache

        from netbox.dynamic_config import CACHE_KEY

        cache.delete(CACHE_KEY)
        clear_config()


def test_unknown_rule_is_a_clear_configuration_error(api):
    from django.core.exceptions import ImproperlyConfigured

    with configured(CUSTOM_VALIDATORS=rules(name={'shorter_than': 5})):
        with pytest.raises(ImproperlyConfigured, match='Unknown validation rule.*shorter_than'):
            Tenant(name='x', slug='x').full_clean()


PROTECT_ACTIVE_SITES = {'dcim.site': [{'status': {'eq': 'decommissioning'}}]}


def test_protection_rule_blocks_a_delete_in_the_api_and_the_ui(api, admin_client):
    from dcim.models import Site

    site = Site.objects.create(name='Live', slug='live', status='active')
    old = Site.objects.create(name='Old', slug='old', status='decommissioning')
    with configured(PROTECTION_RULES=PROTECT_ACTIVE_SITES):
        response = api.delete(f'/api/dcim/sites/{site.pk}/')
        assert response.status_code == 400, response.content
        assert response.json() == {'status': ['Cannot delete site Live: Must be equal to decommissioning.']}
        response = api.delete('/api/dcim/sites/', [{'id': site.pk}, {'id': old.pk}], format='json')
        assert response.status_code == 400
        assert Site.objects.count() == 2  # the bulk delete is all or nothing
        page = admin_client.post(reverse('dcim:site_delete', args=[site.pk]), follow=True)
        assert 'Cannot delete site Live' in page.content.decode()
        page = admin_client.post(reverse('dcim:site_bulk_delete'), {'pk': [site.pk], '_confirm': '1'}, follow=True)
        assert 'Nothing was deleted' in page.content.decode()
        assert Site.objects.filter(pk=site.pk).exists()
        assert api.delete(f'/api/dcim/sites/{old.pk}/').status_code == 204
    assert api.delete(f'/api/dcim/sites/{site.pk}/').status_code == 204


def test_protection_rule_covers_cascaded_deletions(api):
    from dcim.models import Device, Interface
    from netbox.testing import make

    interface = make(Interface, name='uplink', enabled=True)
    with configured(PROTECTION_RULES={'dcim.interface': [{'enabled': {'eq': False}}]}):
        response = api.delete(f'/api/dcim/devices/{interface.device_id}/')
        assert response.status_code == 400
        assert response.json()['enabled'][0].startswith('Cannot delete interface uplink')
    assert Device.objects.filter(pk=interface.device_id).exists() and Interface.objects.filter(pk=interface.pk).exists()


FIELD_CHOICES_CHECK = '''
import json, django
django.setup()
from dcim.models import Site
from netbox.registry import registry
from netbox.ui.values import CHOICE_COLORS

declaration = registry.get(Site)
field = Site._meta.get_field('status')
serializer = declaration.serializer()(data={'name': 'Lab', 'slug': 'lab', 'status': 'testing'})
valid = serializer.is_valid()
shown = declaration.serializer()(Site(name='Lab', slug='lab', status='testing')).data['status']
filterset = declaration.filterset()({'status': 'testing'}, queryset=Site.objects.all())
print(json.dumps({
    'choices': [value for value, _ in field.choices],
    'valid': valid, 'errors': serializer.errors, 'shown': shown,
    'filter_valid': filterset.is_valid(),
    'migration_choices': [value for value, _ in field.deconstruct()[3]['choices']],
    'color': CHOICE_COLORS.get('testing'),
}))
'''


def run_with_field_choices(tmp_path, field_choices):
    from django.conf import settings

    (tmp_path / 'field_choices_configuration.py').write_text(
        'from netbox.configuration_testing import *  # noqa\n'
        f'FIELD_CHOICES = {field_choices!r}\n')
    source_root = Path(__file__).resolve().parents[2]
    env = {**os.environ, 'PYTHONPATH': f'{tmp_path}{os.pathsep}{source_root}',
           'DJANGO_SETTINGS_MODULE': 'netbox.settings_testing',
           'NETBOX_CONFIGURATION': 'field_choices_configuration',
           'DB_NAME': settings.DATABASES['default']['NAME']}
    result = subprocess.run([sys.executable, '-c', FIELD_CHOICES_CHECK], env=env, capture_output=True, text=True,
                            timeout=120, cwd=source_root)
    return result


def test_field_choices_extend_a_site_status(tmp_path):
    result = run_with_field_choices(tmp_path, {'dcim.Site.status+': [('testing', 'Testing', 'purple')]})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found['choices'][-1] == 'testing' and 'active' in found['choices']
    assert found['valid'], found['errors']
    assert found['shown'] == {'value': 'testing', 'label': 'Testing'}
    assert found['filter_valid'] and found['color'] == 'purple'
    assert 'testing' not in found['migration_choices']  # migrations keep the built-in choices


def test_field_choices_replace_a_site_status_and_bad_entries_are_named(tmp_path):
    result = run_with_field_choices(tmp_path, {'dcim.Site.status': [('testing', 'Testing'), ('active', 'Up')]})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])['choices'] == ['testing', 'active']
    result = run_with_field_choices(tmp_path, {'dcim.Site.colour+': [('x', 'X')]})
    assert result.returncode != 0 and 'FIELD_CHOICES: "dcim.Site.colour+" names no model field' in result.stderr
