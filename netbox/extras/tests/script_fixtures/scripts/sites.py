"""Test fixture: scripts exercising every variable type, writes, failures and permissions."""
from dcim.models import Site
from extras.scripts import *  # noqa: F403
from extras.scripts import ObjectVar, Script  # noqa: F401
from tenancy.models import Tenant, TenantGroup

name = 'Site tools'


class EveryVariable(Script):
    class Meta:
        name = 'Every variable'
        description = 'Creates a tenant from every kind of input'
        commit_default = False
        job_timeout = 120
        field_order = ['tenant_name', 'count']

    count = IntegerVar(min_value=1, max_value=10, label='How many')  # noqa: F405
    tenant_name = StringVar(min_length=3, max_length=30, regex=r'^[a-z-]+$', description='Lower case')  # noqa: F405
    notes = TextVar(required=False)  # noqa: F405
    ratio = DecimalVar(min_value=0, max_value=1, required=False)  # noqa: F405
    flag = BooleanVar(default=True)  # noqa: F405
    colour = ChoiceVar(choices=(('r', 'Red'), ('g', 'Green')))  # noqa: F405
    shades = MultiChoiceVar(choices=(('l', 'Light'), ('d', 'Dark')), required=False)  # noqa: F405
    group = ObjectVar(model=TenantGroup, required=False)  # noqa: F405
    sites = MultiObjectVar(model=Site, required=False)  # noqa: F405
    upload = FileVar(required=False)  # noqa: F405
    address = IPAddressVar(required=False)  # noqa: F405
    interface = IPAddressWithMaskVar(required=False)  # noqa: F405
    network = IPNetworkVar(required=False)  # noqa: F405

    def run(self, data, commit):
        tenant = Tenant.objects.create(name=data['tenant_name'], slug=data['tenant_name'], group=data['group'])
        self.log_success(f'Created tenant {tenant.name}', tenant)
        self.log_info(f'count={data["count"]} ratio={data["ratio"]} flag={data["flag"]} colour={data["colour"]} '
                      f'shades={",".join(data["shades"])} sites={",".join(s.name for s in data["sites"])}')
        self.log_debug(f'address={data["address"]} interface={data["interface"]} network={data["network"]}')
        if data['upload'] is not None:
            self.log_info(f'file {data["upload"].name}: {data["upload"].read().decode()}')
        self.log_warning('Just a warning')
        return f'tenant {tenant.name} made'


class SiteTenant(Script):
    class Meta:
        name = 'Site tenant'
        scheduling_enabled = False

    tenant = ObjectVar(model=Tenant, query_params={'group_id': '$group'})  # noqa: F405
    group = ObjectVar(model=TenantGroup)  # noqa: F405

    def run(self, data, commit):
        self.log_success(f'{data["tenant"]} of {data["group"]}', data['tenant'])


class RenameSites(Script):
    class Meta:
        name = 'Rename sites'

    suffix = StringVar()  # noqa: F405

    def run(self, data, commit):
        for site in Site.objects.order_by('name'):
            site.name = f'{site.name}{data["suffix"]}'
            site.save()
            self.log_success(f'Renamed to {site.name}', site)


class Failing(Script):
    def run(self, data, commit):
        Tenant.objects.create(name='doomed', slug='doomed')
        self.log_failure('Something is wrong')
