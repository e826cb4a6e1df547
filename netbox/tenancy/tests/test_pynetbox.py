"""pynetbox, the client most NetBox users script with, against a live server."""
import pynetbox
import pytest
from django.contrib.contenttypes.models import ContentType

from extras.models import CustomField, Tag
from netbox.testing import make_token
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    token = make_token(superuser, version=1)
    return pynetbox.api(live_server.url, token=token.token_value)


@pytest.fixture
def nb_v2(live_server, superuser):
    token = make_token(superuser, version=2)
    return pynetbox.api(live_server.url, token=token.token_value)


def test_version_and_status(nb):
    assert nb.version == '4.7'
    status = nb.status()
    assert status['netbox-version'].startswith('4.7')


def test_crud_filter_count_and_save(nb):
    group = nb.tenancy.tenant_groups.create(name='Customers', slug='customers')
    created = nb.tenancy.tenants.create(name='Acme', slug='acme', group=group.id)
    nb.tenancy.tenants.create([{'name': 'Globex', 'slug': 'globex'}, {'name': 'Initech', 'slug': 'initech'}])
    assert nb.tenancy.tenants.count() == 3
    assert [t.name for t in nb.tenancy.tenants.filter(group='customers')] == ['Acme']
    assert nb.tenancy.tenants.count(name__ic='e') == 3

    tenant = nb.tenancy.tenants.get(slug='acme')
    assert tenant.id == created.id and tenant.group.slug == 'customers'
    tenant.description = 'Our best customer'
    assert tenant.save() is True
    assert Tenant.objects.get(slug='acme').description == 'Our best customer'

    assert nb.tenancy.tenants.get(slug='globex').delete() is True
    assert nb.tenancy.tenants.count() == 2


def test_custom_fields_and_tags(nb):
    Tag.objects.create(name='Gold', slug='gold')
    field = CustomField.objects.create(name='contract', type='text')
    field.object_types.set([ContentType.objects.get_for_model(Tenant)])
    tenant = nb.tenancy.tenants.create(name='Acme', slug='acme', tags=[{'slug': 'gold'}])
    assert [tag.slug for tag in tenant.tags] == ['gold']
    tenant.custom_fields['contract'] = 'C-42'
    tenant.save()
    fetched = nb.tenancy.tenants.get(tenant.id)
    assert fetched.custom_fields == {'contract': 'C-42'}
    assert nb.tenancy.tenants.count(cf_contract='C-42') == 1
    assert Tenant.objects.get(pk=tenant.id).tags.get().slug == 'gold'


def test_choices(nb):
    choices = nb.tenancy.contact_assignments.choices()
    assert {'value': 'primary', 'display_name': 'Primary'} in choices['priority']


def test_pagination_over_many_pages(nb):
    Tenant.objects.bulk_create([Tenant(name=f'T{i:03}', slug=f't{i:03}') for i in range(120)])
    names = [t.name for t in nb.tenancy.tenants.all(limit=50)]
    assert len(names) == 120 and names[0] == 'T000' and names[-1] == 'T119'


def test_v2_token(nb_v2):
    nb_v2.tenancy.tenants.create(name='Acme', slug='acme')
    assert nb_v2.tenancy.tenants.count() == 1
