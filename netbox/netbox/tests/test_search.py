"""Global search: finds objects across models, and only those the user may view."""
import pytest

from netbox.testing import grant
from tenancy.models import Contact, Tenant

pytestmark = pytest.mark.django_db


def test_search_finds_objects_across_models(admin_client):
    Tenant.objects.create(name='Acme Corp', slug='acme')
    Contact.objects.create(name='Acme Support')
    page = admin_client.get('/search/', {'q': 'acme'}).content.decode()
    assert 'Acme Corp' in page and 'Acme Support' in page


def test_search_respects_permissions(client, plain_user):
    Tenant.objects.create(name='Acme Corp', slug='acme')
    Tenant.objects.create(name='Acme Hidden', slug='hidden')
    Contact.objects.create(name='Acme Support')
    grant(plain_user, Tenant, ['view'], constraints={'slug': 'acme'})
    client.force_login(plain_user)
    page = client.get('/search/', {'q': 'acme'}).content.decode()
    assert 'Acme Corp' in page
    assert 'Acme Hidden' not in page and 'Acme Support' not in page
