"""Clusters, the virtual machines they run, and the VMs' interfaces and disks."""
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from dcim.choices import INTERFACE_MODE, choices
from dcim.models.components import InterfaceVLANRules
from dcim.models.devices import RendersConfigMixin
from dcim.models.scope import CachedScopeMixin
from netbox.models import NetBoxModel, OrganizationalModel, PrimaryModel
from tenancy.models import ContactsMixin

CLUSTER_STATUS = choices('planned', 'staging', 'active', 'decommissioning', 'offline')
VM_STATUS = choices('offline', 'active', 'planned', 'staged', 'failed', 'decommissioning', 'paused')
VM_START_ON_BOOT = (('on', 'On'), ('off', 'Off'), ('laststate', 'Last state'))
VCPU_VALIDATORS = [MinValueValidator(Decimal('0.01')), MaxValueValidator(Decimal(10000))]


class ClusterType(OrganizationalModel):
    """The technology a cluster is built with (VMware vSphere, a cloud region...)."""

    class Meta:
        ordering = ('name',)


class ClusterGroup(ContactsMixin, OrganizationalModel):
    """A free grouping of clusters."""

    class Meta:
        ordering = ('name',)


class Cluster(ContactsMixin, CachedScopeMixin, PrimaryModel):
    """Hosts pooled to run virtual machines, optionally scoped to a region, site group, site or location."""

    name = models.CharField(max_length=100)
    type = models.ForeignKey(ClusterType, on_delete=models.PROTECT, related_name='clusters')
    group = models.ForeignKey(ClusterGroup, on_delete=models.PROTECT, related_name='clusters', blank=True,
                              null=True)
    status = models.CharField(max_length=50, choices=CLUSTER_STATUS, default='active')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='clusters', blank=True,
                               null=True)

    class Meta:
        ordering = ('name', 'pk')
        indexes = [models.Index(fields=('scope_type', 'scope_id'), name='virtualization_cluster_scope')]
        constraints = [
            models.UniqueConstraint(fields=('group', 'name'), name='virtualization_cluster_unique_group_name',
                                    violation_error_message='A cluster of this name exists in this group.'),
            models.UniqueConstraint(fields=('_site', 'name'), name='virtualization_cluster_unique__site_name',
                                    violation_error_message='A cluster of this name exists at this site.'),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # The cached place first: the unique (site, name) constraint is checked on it after clean().
        self.cache_scope()
        if self.pk is None or not self.scope_type_id:
            return
        # The hosts must stay inside the scope: a cluster cannot move away from its devices.
        probe = Cluster(scope_type=self.scope_type, scope_id=self.scope_id)
        probe.cache_scope()
        from dcim.models import Device

        hosts = Device.objects.filter(cluster=self.pk)
        if probe._site_id:
            hosts = hosts.exclude(site=probe._site_id)
        elif probe._region_id:
            hosts = hosts.exclude(site__region__in=probe._region.get_descendants(include_self=True))
        elif probe._site_group_id:
            hosts = hosts.exclude(site__group__in=probe._site_group.get_descendants(include_self=True))
        else:
            return
        stray = hosts.first()
        if stray is not None:
            raise ValidationError({'scope_id': f'Device {stray} of this cluster is outside {probe.scope}.'})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # VLAN groups scoped to the cluster cache its place: they move with it.
        from django.contrib.contenttypes.models import ContentType

        from ipam.models import VLANGroup

        VLANGroup.objects.filter(scope_type=ContentType.objects.get_for_model(Cluster), scope_id=self.pk).update(
            _region=self._region_id, _site_group=self._site_group_id, _site=self._site_id,
            _location=self._location_id)


class VirtualMachineType(PrimaryModel):
    """A template for virtual machines: the platform, vCPUs and memory a new VM of the type gets by default."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    default_platform = models.ForeignKey('dcim.Platform', on_delete=models.SET_NULL, related_name='+', blank=True,
                                         null=True)
    default_vcpus = models.DecimalField(max_digits=6, decimal_places=2, blank=True, null=True,
                                        validators=VCPU_VALIDATORS, verbose_name='default vCPUs')
    default_memory = models.PositiveIntegerField(blank=True, null=True, help_text='MB')

    class Meta:
        ordering = ('name',)
        verbose_name = 'virtual machine type'

    def __str__(self):
        return self.name


class VirtualMachine(RendersConfigMixin, ContactsMixin, PrimaryModel):
    """A virtual compute instance, in a cluster and/or at a site, optionally pinned to a host device."""

    name = models.CharField(max_length=64)
    virtual_machine_type = models.ForeignKey(VirtualMachineType, on_delete=models.PROTECT, related_name='instances',
                                             blank=True, null=True)
    role = models.ForeignKey('dcim.DeviceRole', on_delete=models.PROTECT, related_name='virtual_machines',
                             blank=True, null=True, limit_choices_to={'vm_role': True})
    status = models.CharField(max_length=50, choices=VM_STATUS, default='active')
    start_on_boot = models.CharField(max_length=32, choices=VM_START_ON_BOOT, default='off')
    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='virtual_machines', blank=True,
                             null=True)
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name='virtual_machines', blank=True,
                                null=True)
    device = models.ForeignKey('dcim.Device', on_delete=models.PROTECT, related_name='virtual_machines',
                               blank=True, null=True)
    platform = models.ForeignKey('dcim.Platform', on_delete=models.SET_NULL, related_name='virtual_machines',
                                 blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='virtual_machines',
                               blank=True, null=True)
    primary_ip4 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv4')
    primary_ip6 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv6')
    vcpus = models.DecimalField(max_digits=6, decimal_places=2, blank=True, null=True, validators=VCPU_VALIDATORS,
                                verbose_name='vCPUs')
    memory = models.PositiveIntegerField(blank=True, null=True, help_text='MB')
    disk = models.PositiveIntegerField(blank=True, null=True, help_text='MB; the sum of its virtual disks when it has '
                                                                        'any')
    serial = models.CharField(max_length=50, blank=True, verbose_name='serial number')
    local_context_data = models.JSONField(blank=True, null=True)
    config_template = models.ForeignKey('extras.ConfigTemplate', on_delete=models.PROTECT,
                                        related_name='virtual_machines', blank=True, null=True)

    class Meta:
        ordering = ('name', 'pk')
        verbose_name = 'virtual machine'
        constraints = [
            models.UniqueConstraint(Lower('name'), 'cluster', 'tenant', name='virtualization_vm_unique_name_cluster',
                                    violation_error_message='Virtual machine name must be unique per cluster and '
                                                            'tenant.'),
            models.UniqueConstraint(Lower('name'), 'cluster', condition=Q(tenant__isnull=True),
                                    name='virtualization_vm_unique_name_cluster_no_tenant',
                                    violation_error_message='Virtual machine name must be unique per cluster.'),
        ]

    def __str__(self):
        return self.name

    @property
    def primary_ip(self):
        from dcim.addressing import preferred_primary_ip

        return preferred_primary_ip(self)

    def clean(self):
        super().clean()
        errors = placement_errors(self)
        if not errors:
            errors = vm_address_errors(self)
        if not errors and self.pk is not None and self.disk is not None and self.virtualdisks.exists():
            total = self.virtualdisks.aggregate(total=models.Sum('size'))['total'] or 0
            if self.disk != total:
                errors['disk'] = (f'The disk size is the sum of the virtual disks ({total}): change the virtual '
                                  'disks instead.')
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self._state.adding and self.virtual_machine_type_id:
            vm_type = self.virtual_machine_type
            if not self.platform_id:
                self.platform_id = vm_type.default_platform_id
            if self.vcpus is None:
                self.vcpus = vm_type.default_vcpus
            if self.memory is None:
                self.memory = vm_type.default_memory
        if self.cluster_id and not self.site_id:
            # A VM in a cluster of one site is at that site.
            self.site_id = self.cluster._site_id
        super().save(*args, **kwargs)


def placement_errors(vm):
    """{field: message} when a VM's site, cluster and host device disagree."""
    cluster = vm.cluster if vm.cluster_id else None
    if cluster is None and not vm.site_id:
        return {'cluster': 'A virtual machine needs a cluster or a site.'}
    if cluster is not None and vm.site_id and cluster._site_id and cluster._site_id != vm.site_id:
        return {'cluster': f'Cluster {cluster} is at site {cluster._site}, not at {vm.site}.'}
    if cluster is not None and vm.site_id and cluster._location_id is None and not cluster._site_id:
        site = vm.site
        if cluster._region_id and not site.region_id:
            return {'cluster': f'Site {site} is outside the region of cluster {cluster}.'}
        if cluster._region_id and not cluster._region.get_descendants(include_self=True).filter(
                pk=site.region_id).exists():
            return {'cluster': f'Site {site} is outside the region of cluster {cluster}.'}
        if cluster._site_group_id and (not site.group_id or not cluster._site_group.get_descendants(
                include_self=True).filter(pk=site.group_id).exists()):
            return {'cluster': f'Site {site} is outside the site group of cluster {cluster}.'}
    if vm.device_id:
        if cluster is None:
            return {'device': 'A host device needs a cluster: give the VM the cluster the device belongs to.'}
        if vm.device.cluster_id != cluster.pk:
            return {'device': f'Device {vm.device} is not a host of cluster {cluster}.'}
    return {}


def vm_interfaces(vm):
    return VMInterface.objects.filter(virtual_machine=vm.pk)


def vm_address_errors(vm):
    """{field: message} for a VM's primary IPs: of the right family and on one of its interfaces (or the NAT
    outside address of one that is)."""
    from dcim.addressing import _on_interfaces

    errors = {}
    for name, family in (('primary_ip4', 4), ('primary_ip6', 6)):
        if not getattr(vm, f'{name}_id', None):
            continue
        ip = getattr(vm, name)
        if vm.pk is None:
            errors[name] = 'Save the virtual machine before giving it an IP address.'
            continue
        if ip.address is not None and ip.address.version != family:
            errors[name] = f'{ip} is not an IPv{family} address.'
            continue
        interfaces = vm_interfaces(vm)
        if _on_interfaces(ip, interfaces) or (ip.nat_inside_id and _on_interfaces(ip.nat_inside, interfaces)):
            continue
        errors[name] = f'{ip} is not assigned to an interface of this virtual machine.'
    return errors


class VMInterface(InterfaceVLANRules, NetBoxModel):
    """A virtual machine's network interface: addresses, VLANs, a VRF; never cabled."""

    virtual_machine = models.ForeignKey(VirtualMachine, on_delete=models.CASCADE, related_name='interfaces')
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    enabled = models.BooleanField(default=True)
    parent = models.ForeignKey('self', on_delete=models.RESTRICT, related_name='child_interfaces', blank=True,
                               null=True)
    bridge = models.ForeignKey('self', on_delete=models.SET_NULL, related_name='bridge_interfaces', blank=True,
                               null=True)
    mtu = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1),
                                                                        MaxValueValidator(65536)])
    # The MAC addresses assigned to the interface (one of them may be its primary one).
    mac_addresses = GenericRelation('dcim.MACAddress', content_type_field='assigned_object_type',
                                    object_id_field='assigned_object_id', related_query_name='vminterface')
    l2vpn_terminations = GenericRelation('vpn.L2VPNTermination', content_type_field='assigned_object_type',
                                         object_id_field='assigned_object_id', related_query_name='vminterface')
    tunnel_terminations = GenericRelation('vpn.TunnelTermination', content_type_field='termination_type',
                                          object_id_field='termination_id', related_query_name='vminterface')
    primary_mac_address = models.OneToOneField('dcim.MACAddress', on_delete=models.SET_NULL, related_name='+',
                                               blank=True, null=True)
    mode = models.CharField(max_length=50, choices=INTERFACE_MODE, blank=True)
    untagged_vlan = models.ForeignKey('ipam.VLAN', on_delete=models.SET_NULL, related_name='vminterfaces_as_untagged',
                                      blank=True, null=True, verbose_name='untagged VLAN')
    tagged_vlans = models.ManyToManyField('ipam.VLAN', related_name='vminterfaces_as_tagged', blank=True,
                                          verbose_name='tagged VLANs')
    qinq_svlan = models.ForeignKey('ipam.VLAN', on_delete=models.SET_NULL, related_name='vminterfaces_svlan',
                                   blank=True, null=True, verbose_name='Q-in-Q SVLAN')
    vlan_translation_policy = models.ForeignKey('ipam.VLANTranslationPolicy', on_delete=models.PROTECT,
                                                related_name='vminterfaces', blank=True, null=True)
    vrf = models.ForeignKey('ipam.VRF', on_delete=models.SET_NULL, related_name='vminterfaces', blank=True,
                            null=True, verbose_name='VRF')
    ip_addresses = GenericRelation('ipam.IPAddress', content_type_field='assigned_object_type',
                                   object_id_field='assigned_object_id', related_query_name='vminterface')
    fhrp_group_assignments = GenericRelation('ipam.FHRPGroupAssignment', content_type_field='interface_type',
                                             object_id_field='interface_id', related_query_name='+')

    # The VLAN rules judge VLANs against this field's object (see InterfaceVLANRules).
    vlan_host_field = 'virtual_machine'
    changelog_parent_field = 'virtual_machine'
    # Its receivers (virtualization.signals) have set-wise forms below.
    set_wise_save = True

    class Meta:
        ordering = ('virtual_machine', 'name')
        verbose_name = 'VM interface'
        constraints = [
            models.UniqueConstraint(fields=('virtual_machine', 'name'), name='virtualization_vminterface_unique_name',
                                    violation_error_message='This virtual machine has an interface of this name.'),
        ]

    def __str__(self):
        return self.name

    @property
    def changelog_parent(self):
        return self.virtual_machine

    @classmethod
    def before_set_save(cls, instances, created):
        from dcim.signals import _drop_untagged_outside_mode

        for interface in instances:
            _drop_untagged_outside_mode(interface)

    @classmethod
    def after_set_save(cls, instances, created):
        from dcim.signals import _clear_tagged_outside_mode

        if not created:
            _clear_tagged_outside_mode(instances)

    @property
    def mac_address(self):
        return self.primary_mac_address.mac_address if self.primary_mac_address_id else None

    def clean(self):
        super().clean()
        errors = {}
        if self.parent_id:
            if self.parent_id == self.pk:
                errors['parent'] = 'An interface cannot be its own parent.'
            elif self.parent.virtual_machine_id != self.virtual_machine_id:
                errors['parent'] = f'Parent interface {self.parent} belongs to another virtual machine.'
        if self.bridge_id:
            if self.bridge_id == self.pk:
                errors['bridge'] = 'An interface cannot be bridged to itself.'
            elif self.bridge.virtual_machine_id != self.virtual_machine_id:
                errors['bridge'] = f'Bridge interface {self.bridge} belongs to another virtual machine.'
        errors.update(self.vlan_errors())
        if errors:
            raise ValidationError(errors)


class VirtualDisk(NetBoxModel):
    """A disk of a virtual machine; a VM with disks has their total size as its `disk`."""

    virtual_machine = models.ForeignKey(VirtualMachine, on_delete=models.CASCADE, related_name='virtualdisks')
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    size = models.PositiveIntegerField(help_text='MB')

    changelog_parent_field = 'virtual_machine'

    class Meta:
        ordering = ('virtual_machine', 'name')
        verbose_name = 'virtual disk'
        constraints = [
            models.UniqueConstraint(fields=('virtual_machine', 'name'), name='virtualization_virtualdisk_unique_name',
                                    violation_error_message='This virtual machine has a disk of this name.'),
        ]

    def __str__(self):
        return self.name

    @property
    def changelog_parent(self):
        return self.virtual_machine
