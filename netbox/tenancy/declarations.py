"""How the tenancy models are exposed (REST, filters, UI, search)."""
from netbox.filtersets import MultiValueNumberFilter, TreeFilter
from netbox.graphql.specs import Alias
from netbox.registry import Counter, Declaration, declare

from .models import Contact, ContactAssignment, ContactGroup, ContactRole, Tenant, TenantGroup

ORGANIZATIONAL_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')


@declare
class TenantGroupDeclaration(Declaration):
    model = TenantGroup
    brief = ORGANIZATIONAL_BRIEF + ('tenant_count',)
    counts = {'tenant_count': Counter('tenancy.Tenant', 'group')}
    search = SEARCH
    menu = ('Organization', 'Tenancy')
    related = ('tenancy.Tenant.group',)


@declare
class TenantDeclaration(Declaration):
    model = Tenant
    graphql_fields = {'power_feeds': Alias('powerfeeds')}
    brief = ORGANIZATIONAL_BRIEF
    counts = {
        'circuit_count': Counter('circuits.Circuit', 'tenant'),
        'device_count': Counter('dcim.Device', 'tenant'),
        'ipaddress_count': Counter('ipam.IPAddress', 'tenant'),
        'prefix_count': Counter('ipam.Prefix', 'tenant'),
        'rack_count': Counter('dcim.Rack', 'tenant'),
        'site_count': Counter('dcim.Site', 'tenant'),
        'virtualmachine_count': Counter('virtualization.VirtualMachine', 'tenant'),
        'vlan_count': Counter('ipam.VLAN', 'tenant'),
        'vrf_count': Counter('ipam.VRF', 'tenant'),
        'cluster_count': Counter('virtualization.Cluster', 'tenant'),
    }
    search = SEARCH
    contacts = True
    table = ('name', 'group', 'description', 'tags')
    menu = ('Organization', 'Tenancy')


@declare
class ContactGroupDeclaration(Declaration):
    model = ContactGroup
    brief = ORGANIZATIONAL_BRIEF + ('contact_count',)
    counts = {'contact_count': Counter('tenancy.Contact', 'groups')}
    search = SEARCH
    extra_filters = {
        'contact_id': MultiValueNumberFilter(field_name='contacts', lookup_expr='exact', distinct=True),
        'contact_id__n': MultiValueNumberFilter(field_name='contacts', lookup_expr='exact', exclude=True),
    }
    menu = ('Organization', 'Contacts')


@declare
class ContactRoleDeclaration(Declaration):
    model = ContactRole
    brief = ORGANIZATIONAL_BRIEF
    search = SEARCH
    menu = ('Organization', 'Contacts')


@declare
class ContactDeclaration(Declaration):
    model = Contact
    brief = ('name', 'description')
    search = ('name', 'title', 'phone', 'email', 'address', 'link', 'description', 'comments')
    filters = ('name', 'title', 'phone', 'email', 'address', 'link', 'description', 'owner', 'groups')
    extra_filters = {
        'group': TreeFilter(field_name='groups', tree_model=ContactGroup, to_field='slug'),
        'group__n': TreeFilter(field_name='groups', tree_model=ContactGroup, to_field='slug', exclude=True),
        'group_id': TreeFilter(field_name='groups', tree_model=ContactGroup),
        'group_id__n': TreeFilter(field_name='groups', tree_model=ContactGroup, exclude=True),
    }
    table = ('name', 'groups', 'title', 'phone', 'email', 'tags')
    menu = ('Organization', 'Contacts')


@declare
class ContactAssignmentDeclaration(Declaration):
    model = ContactAssignment
    brief = ('object_type', 'object_id', 'contact', 'role', 'priority')
    fields = ('object_type', 'object_id', 'object', 'contact', 'role', 'priority')
    exclude = ('display_url',)
    select_related = ('object_type',)
    filters = ('object_type', 'object_id', 'contact', 'role', 'priority')
    search = ('contact__name', 'role__name')
    extra_filters = {
        'group': TreeFilter(field_name='contact__groups', tree_model=ContactGroup, to_field='slug'),
        'group__n': TreeFilter(field_name='contact__groups', tree_model=ContactGroup, to_field='slug', exclude=True),
        'group_id': TreeFilter(field_name='contact__groups', tree_model=ContactGroup),
        'group_id__n': TreeFilter(field_name='contact__groups', tree_model=ContactGroup, exclude=True),
    }
    table = ('contact', 'role', 'object_type', 'object', 'priority')
    menu = ('Organization', 'Contacts')
