import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Site
from virtualization.models import Cluster, ClusterType


@pytest.fixture
def site(db):
    return Site.objects.create(name='Site A', slug='site-a')


@pytest.fixture
def other_site(db):
    return Site.objects.create(name='Site B', slug='site-b')


@pytest.fixture
def cluster(site):
    """A cluster scoped to site A."""
    kind = ClusterType.objects.create(name='vSphere', slug='vsphere')
    return Cluster.objects.create(name='c1', type=kind, scope_type=ContentType.objects.get_for_model(Site),
                                  scope_id=site.pk)
