"""Address space: RIRs, aggregates, roles, VRFs, route targets, prefixes, IP ranges and IP addresses."""
import netaddr
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models.functions import Cast
from django.db.models.signals import post_delete

from dcim.models.scope import CachedScopeMixin
from netbox.bulk import deferred_checks
from netbox.models import GenericForeignKey, OrganizationalModel, PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import IP_ADDRESS_ROLE, IP_ADDRESS_STATUS, IP_RANGE_STATUS, PREFIX_STATUS, SHARED_IP_ROLES
from ..fields import IPAddressField, IPNetworkField

# The objects an IP address can be assigned to (virtualization.vminterface joins when that app is built).
IPADDRESS_ASSIGNMENT_MODELS = models.Q(app_label='dcim', model='interface') | models.Q(
    app_label='virtualization', model='vminterface') | models.Q(app_label='ipam', model='fhrpgroup')

def unique_in_space(vrf):
    """Whether duplicates are refused in this VRF (None: the global table, under ENFORCE_GLOBAL_UNIQUE)."""
    if vrf is None:
        from netbox.dynamic_config import get_config

        return bool(get_config().ENFORCE_GLOBAL_UNIQUE)
    return vrf.enforce_unique


def space_name(vrf):
    return f'VRF {vrf}' if vrf is not None else 'the global table'


def _network(obj, name):
    """The network in `obj.name` if it is one (field validation reports anything else)."""
    value = getattr(obj, name, None)
    return value if isinstance(value, netaddr.IPNetwork) else None


def _host(network):
    """The address of an inet value as a full-length network ('10.0.0.1/24' -> '10.0.0.1/32')."""
    return f'{network.ip}/{32 if network.version == 4 else 128}'


dns_name_validator = RegexValidator(
    regex=r'^([0-9A-Za-z_-]+|\*)(\.[0-9A-Za-z_-]+)*\.?$',
    message='Only alphanumeric characters, asterisks, hyphens, periods and underscores are allowed in DNS names.',
)


class RIR(OrganizationalModel):
    """A Regional Internet Registry (or a private allocator such as RFC 1918) that hands out address space."""

    is_private = models.BooleanField(default=False, help_text='IP space managed by this RIR is private')

    class Meta:
        ordering = ('name',)
        verbose_name = 'RIR'
        verbose_name_plural = 'RIRs'


class Role(OrganizationalModel):
    """The function of a prefix, IP range, VLAN or ASN (access, backbone, management...)."""

    weight = models.PositiveSmallIntegerField(default=1000)

    class Meta:
        ordering = ('weight', 'name')


class RouteTarget(PrimaryModel):
    """A BGP extended community (RFC 4360) importing or exporting VRF routes."""

    name = models.CharField(max_length=21, unique=True, help_text='Route target value (formatted per RFC 4360)')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='route_targets',
                               blank=True, null=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class VRF(PrimaryModel):
    """A virtual routing and forwarding table: a separate address space."""

    name = models.CharField(max_length=100)
    rd = models.CharField(max_length=21, unique=True, blank=True, null=True, verbose_name='route distinguisher',
                          help_text='Unique route distinguisher (as defined in RFC 4364)')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='vrfs', blank=True,
                               null=True)
    enforce_unique = models.BooleanField(default=True, help_text='Prevent duplicate prefixes/IP addresses here')
    import_targets = models.ManyToManyField(RouteTarget, related_name='importing_vrfs', blank=True)
    export_targets = models.ManyToManyField(RouteTarget, related_name='exporting_vrfs', blank=True)

    class Meta:
        ordering = ('name', 'rd', 'pk')
        verbose_name = 'VRF'
        verbose_name_plural = 'VRFs'

    def __str__(self):
        return f'{self.name} ({self.rd})' if self.rd else self.name


class UtilizationMixin:
    """`utilization`: how full the object is, in percent (computed in bulk for pages by ipam.utilization)."""

    @property
    def utilization(self):
        from ..utilization import utilization_of

        return utilization_of(self)


class Aggregate(UtilizationMixin, ContactsMixin, PrimaryModel):
    """A top-level block of address space allocated by a RIR; prefixes are carved out of it."""

    prefix = IPNetworkField()
    rir = models.ForeignKey(RIR, on_delete=models.PROTECT, related_name='aggregates', verbose_name='RIR')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='aggregates', blank=True,
                               null=True)
    date_added = models.DateField(blank=True, null=True)

    class Meta:
        ordering = ('prefix', 'pk')
        indexes = [GistIndex(fields=['prefix'], name='ipam_aggregate_prefix_gist', opclasses=['inet_ops'])]

    def __str__(self):
        return str(self.prefix) if self.prefix is not None else ''

    @property
    def family(self):
        return self.prefix.version if self.prefix is not None else None

    def clean(self):
        super().clean()
        prefix = _network(self, 'prefix')
        if prefix is None:
            return
        if prefix.prefixlen == 0:
            raise ValidationError({'prefix': 'An aggregate cannot have a /0 mask.'})
        others = Aggregate.objects.exclude(pk=self.pk)
        covering = others.filter(prefix__net_contains_or_equals=str(prefix)).first()
        if covering is not None:
            raise ValidationError({'prefix': f'Aggregates cannot overlap: {prefix} is already covered by '
                                             f'aggregate {covering}.'})
        covered = others.filter(prefix__net_contained=str(prefix)).first()
        if covered is not None:
            raise ValidationError({'prefix': f'Aggregates cannot overlap: {prefix} covers aggregate {covered}.'})


class Prefix(UtilizationMixin, ContactsMixin, CachedScopeMixin, PrimaryModel):
    """An IPv4 or IPv6 network, optionally in a VRF, scoped to a place and tied to a VLAN."""

    prefix = IPNetworkField()
    vrf = models.ForeignKey(VRF, on_delete=models.PROTECT, related_name='prefixes', blank=True, null=True,
                            verbose_name='VRF')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='prefixes', blank=True,
                               null=True)
    vlan = models.ForeignKey('ipam.VLAN', on_delete=models.PROTECT, related_name='prefixes', blank=True, null=True,
                             verbose_name='VLAN')
    status = models.CharField(max_length=50, choices=PREFIX_STATUS, default='active')
    role = models.ForeignKey(Role, on_delete=models.SET_NULL, related_name='prefixes', blank=True, null=True)
    is_pool = models.BooleanField(default=False, verbose_name='is a pool',
                                  help_text='All IP addresses within this prefix are considered usable')
    mark_utilized = models.BooleanField(default=False, help_text='Treat as fully utilized')
    # The hierarchy inside the prefix's VRF, kept up to date set-wise on every write (ipam.hierarchy).
    _depth = models.PositiveSmallIntegerField(default=0, editable=False)
    _children = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = (models.F('vrf').asc(nulls_first=True), 'prefix', 'pk')
        verbose_name_plural = 'prefixes'
        indexes = [
            GistIndex(fields=['prefix'], name='ipam_prefix_prefix_gist', opclasses=['inet_ops']),
            models.Index(fields=['vrf', 'prefix'], name='ipam_prefix_vrf_prefix'),
            models.Index(fields=['scope_type', 'scope_id'], name='ipam_prefix_scope'),
        ]

    def __str__(self):
        return str(self.prefix) if self.prefix is not None else ''

    @property
    def family(self):
        return self.prefix.version if self.prefix is not None else None

    @property
    def mask_length(self):
        return self.prefix.prefixlen if self.prefix is not None else None

    @property
    def depth(self):
        return self._depth

    @property
    def children(self):
        return self._children

    def clean(self):
        super().clean()
        prefix = _network(self, 'prefix')
        if prefix is None:
            return
        if prefix.prefixlen == 0:
            raise ValidationError({'prefix': 'A prefix cannot have a /0 mask.'})
        vrf = self.vrf if self.vrf_id else None
        if unique_in_space(vrf) and not deferred_checks(self):
            duplicate = Prefix.objects.filter(vrf=vrf, prefix=str(prefix)).exclude(pk=self.pk).exists()
            if duplicate:
                raise ValidationError({'prefix': f'Duplicate prefix found in {space_name(vrf)}: {prefix}'})

    @classmethod
    def clean_set(cls, instances):
        """clean()'s duplicate check for a set (netbox.bulk): one query, and no two prefixes of the set alike."""
        errors = [{} for _ in instances]
        candidates = [(index, obj.vrf_id, str(obj.prefix)) for index, obj in enumerate(instances)
                      if _network(obj, 'prefix') is not None and unique_in_space(obj.vrf if obj.vrf_id else None)]
        if not candidates:
            return errors
        condition = models.Q()
        for vrf_id in {vrf_id for _, vrf_id, _ in candidates}:
            nets = {net for _, v, net in candidates if v == vrf_id}
            condition |= models.Q(vrf_id=vrf_id, prefix__in=nets) if vrf_id else models.Q(vrf__isnull=True,
                                                                                            prefix__in=nets)
        stored = {}
        for pk, vrf_id, prefix in Prefix.objects.filter(condition).order_by().values_list('pk', 'vrf_id', 'prefix'):
            stored.setdefault((vrf_id, str(prefix)), set()).add(pk)
        seen = set()
        for index, vrf_id, net in candidates:
            obj = instances[index]
            if stored.get((vrf_id, net), set()) - {obj.pk} or (vrf_id, net) in seen:
                errors[index] = {'prefix': [f'Duplicate prefix found in '
                                            f'{space_name(obj.vrf if vrf_id else None)}: {net}']}
            seen.add((vrf_id, net))
        return errors

    # Saved as a set (netbox.bulk): the scope cache and the hierarchy of save() are done once for the set.
    set_wise_save = True

    @classmethod
    def before_set_save(cls, instances, created):
        cls.cache_scopes(instances)
        if not created:
            places = {pk: (vrf_id, prefix) for pk, vrf_id, prefix in Prefix.objects.filter(
                pk__in=[obj.pk for obj in instances]).order_by().values_list('pk', 'vrf_id', 'prefix')}
            for obj in instances:
                obj._stored_place = places.get(obj.pk)

    @classmethod
    def after_set_save(cls, instances, created):
        from ..hierarchy import update_affected

        changes = []
        for obj in instances:
            old = None if created else getattr(obj, '_stored_place', None)
            place = (obj.vrf_id, obj.prefix)
            if old != place:
                changes.append(place)
                if old is not None:
                    changes.append(old)
        if not changes:
            return
        update_affected(changes)
        counts = {pk: (depth, children) for pk, depth, children in Prefix.objects.filter(
            pk__in=[obj.pk for obj in instances]).order_by().values_list('pk', '_depth', '_children')}
        for obj in instances:
            obj._depth, obj._children = counts[obj.pk]

    def save(self, *args, **kwargs):
        old = None
        if self.pk is not None:
            old = Prefix.objects.filter(pk=self.pk).values_list('vrf_id', 'prefix').first()
        super().save(*args, **kwargs)
        place = (self.vrf_id, self.prefix)
        if old is not None and old == place:
            return  # same VRF and network: the hierarchy is unchanged
        from ..hierarchy import update_affected

        update_affected([place] + ([old] if old is not None else []))
        self._depth, self._children = Prefix.objects.filter(pk=self.pk).values_list('_depth', '_children').get()


class IPRange(UtilizationMixin, ContactsMixin, PrimaryModel):
    """A run of consecutive addresses (a DHCP pool, say) that need not align with a prefix."""

    start_address = IPAddressField()
    end_address = IPAddressField()
    size = models.PositiveBigIntegerField(editable=False, default=0)
    vrf = models.ForeignKey(VRF, on_delete=models.PROTECT, related_name='ip_ranges', blank=True, null=True,
                            verbose_name='VRF')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='ip_ranges', blank=True,
                               null=True)
    status = models.CharField(max_length=50, choices=IP_RANGE_STATUS, default='active')
    role = models.ForeignKey(Role, on_delete=models.SET_NULL, related_name='ip_ranges', blank=True, null=True)
    mark_populated = models.BooleanField(default=False,
                                         help_text='Prevent the creation of IP addresses within this range')
    mark_utilized = models.BooleanField(default=False, help_text='Report space as 100% utilized')

    class Meta:
        ordering = (models.F('vrf').asc(nulls_first=True), 'start_address', 'pk')
        verbose_name = 'IP range'
        verbose_name_plural = 'IP ranges'
        indexes = [GistIndex(fields=['start_address'], name='ipam_iprange_start_gist', opclasses=['inet_ops'])]

    def __str__(self):
        if self.start_address is None or self.end_address is None:
            return ''
        return f'{self.start_address.ip}-{self.end_address.ip}/{self.start_address.prefixlen}'

    @property
    def family(self):
        return self.start_address.version if self.start_address is not None else None

    @property
    def range(self):
        return netaddr.IPRange(self.start_address.ip, self.end_address.ip)

    def clean(self):
        super().clean()
        start, end = _network(self, 'start_address'), _network(self, 'end_address')
        if start is None or end is None:
            return
        if start.version != end.version:
            raise ValidationError({'end_address': 'The starting and ending addresses must be of the same family.'})
        if start.prefixlen != end.prefixlen:
            raise ValidationError({'end_address': 'The starting and ending addresses must have the same mask.'})
        if end.ip <= start.ip:
            raise ValidationError({'end_address': f'The ending address must be greater than the starting address '
                                                  f'({start}).'})
        full = 32 if start.version == 4 else 128
        overlapping = IPRange.objects.exclude(pk=self.pk).filter(vrf_id=self.vrf_id).extra(
            where=['family(start_address) = %s',
                   'set_masklen(start_address, %s) <= %s::inet', 'set_masklen(end_address, %s) >= %s::inet'],
            params=[start.version, full, _host(end), full, _host(start)],
        ).first()
        if overlapping is not None:
            raise ValidationError({'start_address': f'The addresses overlap with range {overlapping} in '
                                                    f'{space_name(self.vrf if self.vrf_id else None)}.'})

    def save(self, *args, **kwargs):
        self._set_size()
        super().save(*args, **kwargs)

    def _set_size(self):
        if self.start_address is not None and self.end_address is not None:
            self.size = int(self.end_address.ip) - int(self.start_address.ip) + 1

    # Saved as a set (netbox.bulk): save() only computes the size.
    set_wise_save = True

    @classmethod
    def before_set_save(cls, instances, created):
        for obj in instances:
            obj._set_size()


def _address_host():
    return models.Func(models.F('address'), function='HOST', output_field=models.CharField())


class IPAddress(ContactsMixin, PrimaryModel):
    """One address with its mask, optionally assigned to an interface or FHRP group."""

    address = IPAddressField(help_text='IPv4 or IPv6 address (with mask)')
    vrf = models.ForeignKey(VRF, on_delete=models.PROTECT, related_name='ip_addresses', blank=True, null=True,
                            verbose_name='VRF')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='ip_addresses', blank=True,
                               null=True)
    status = models.CharField(max_length=50, choices=IP_ADDRESS_STATUS, default='active')
    role = models.CharField(max_length=50, choices=IP_ADDRESS_ROLE, blank=True)
    assigned_object_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                             blank=True, null=True, limit_choices_to=IPADDRESS_ASSIGNMENT_MODELS)
    assigned_object_id = models.PositiveBigIntegerField(blank=True, null=True)
    assigned_object = GenericForeignKey(ct_field='assigned_object_type', fk_field='assigned_object_id')
    nat_inside = models.ForeignKey('self', on_delete=models.SET_NULL, related_name='nat_outside', blank=True,
                                   null=True, verbose_name='NAT (inside)')
    dns_name = models.CharField(max_length=255, blank=True, validators=[dns_name_validator],
                                verbose_name='DNS name')

    class Meta:
        # By VRF, then by the address's value whatever its mask: inet order compares the network part first and
        # would put 10.0.1.1/16 before 10.0.0.9/24.
        ordering = (models.F('vrf').asc(nulls_first=True),
                    Cast(_address_host(), models.GenericIPAddressField()).asc(), 'pk')
        verbose_name = 'IP address'
        verbose_name_plural = 'IP addresses'
        indexes = [
            GistIndex(fields=['address'], name='ipam_ipaddress_address_gist', opclasses=['inet_ops']),
            models.Index(fields=['assigned_object_type', 'assigned_object_id'], name='ipam_ipaddress_assigned'),
            # The duplicate check compares the address part whatever the mask; the list order is VRF, address.
            models.Index(_address_host(), name='ipam_ipaddress_host'),
            models.Index(models.F('vrf').asc(nulls_first=True), Cast(_address_host(), models.GenericIPAddressField()),
                         models.F('id'), name='ipam_ipaddress_order'),
        ]

    def __str__(self):
        return str(self.address) if self.address is not None else ''

    @property
    def family(self):
        return self.address.version if self.address is not None else None

    def clean(self):
        super().clean()
        if self.nat_inside_id and self.nat_inside_id == self.pk:
            raise ValidationError({'nat_inside': 'An IP address cannot be its own NAT inside address.'})
        if self.nat_inside_id and self.pk is not None and self._nat_loop():
            raise ValidationError({'nat_inside': 'This NAT inside address leads back to this address (a NAT loop).'})
        deferred = deferred_checks(self)
        self._clean_assignment(look_up=not deferred)
        address = _network(self, 'address')
        if address is None:
            return
        if address.prefixlen == 0:
            raise ValidationError({'address': 'An IP address cannot have a /0 mask.'})
        if self.assigned_object_id is not None and address.version == 4 and address.prefixlen < 31 and \
                self.assigned_object_type_id and self.assigned_object_type.model in ('interface', 'vminterface'):
            if address.ip == address.network:
                raise ValidationError({'address': f'{address} is a network ID, which may not be assigned to an '
                                                  f'interface.'})
            if address.ip == address.broadcast:
                raise ValidationError({'address': f'{address} is a broadcast address, which may not be assigned '
                                                  f'to an interface.'})
        if deferred:
            return  # the duplicate and populated-range checks: clean_set()
        vrf = self.vrf if self.vrf_id else None
        if unique_in_space(vrf) and self.role not in SHARED_IP_ROLES:
            duplicates = IPAddress.objects.filter(vrf=vrf, address__net_host=str(address.ip)).exclude(
                pk=self.pk).exclude(role__in=SHARED_IP_ROLES)
            duplicate = duplicates.first()
            if duplicate is not None:
                raise ValidationError({'address': f'Duplicate IP address found in {space_name(vrf)}: {duplicate}'})
        full = 32 if address.version == 4 else 128
        populated = IPRange.objects.filter(vrf_id=self.vrf_id, mark_populated=True).extra(
            where=['family(start_address) = %s', 'set_masklen(start_address, %s) <= %s::inet',
                   'set_masklen(end_address, %s) >= %s::inet'],
            params=[address.version, full, _host(address), full, _host(address)],
        ).first()
        if populated is not None:
            raise ValidationError({'address': f'Cannot create IP address {address} inside range {populated}, '
                                              f'which is marked populated.'})

    def _clean_assignment(self, look_up=True):
        if self.assigned_object_type_id and self.assigned_object_id is None:
            raise ValidationError({'assigned_object_id': 'Give the assigned object with its type.'})
        if self.assigned_object_id is not None and not self.assigned_object_type_id:
            raise ValidationError({'assigned_object_type': 'Give the assigned object type with the object.'})
        if self.assigned_object_type_id and look_up:
            model = self.assigned_object_type.model_class()
            if model is None or not model._default_manager.filter(pk=self.assigned_object_id).exists():
                raise ValidationError({'assigned_object_id': self._no_assigned_object()})

    def _no_assigned_object(self):
        return f'No {self.assigned_object_type.model} with ID {self.assigned_object_id}.'

    # Saved as a set (netbox.bulk): its pre_save receiver (dcim.addressing) has a set-wise form.
    set_wise_save = True

    @classmethod
    def before_set_save(cls, instances, created):
        if not created:
            from dcim.addressing import reassignment_errors

            for errors in reassignment_errors(instances):
                if errors:
                    raise ValidationError(errors)

    @classmethod
    def clean_set(cls, instances):
        """
        The checks of clean() that need the database, for a set of addresses (netbox.bulk): the assigned objects
        exist (one query per kind), no duplicate in a VRF that refuses them (one query, and none within the set),
        no address inside a range marked populated (one query), and a device's primary address stays on it.
        """
        errors = [{} for _ in instances]

        def fail(index, field, message):
            if not errors[index]:
                errors[index] = {field: [message]}

        by_type = {}
        for index, ip in enumerate(instances):
            if ip.assigned_object_type_id:
                by_type.setdefault(ip.assigned_object_type_id, []).append(index)
        for indexes in by_type.values():
            model = instances[indexes[0]].assigned_object_type.model_class()
            ids = {instances[index].assigned_object_id for index in indexes}
            found = set(model._default_manager.filter(pk__in=ids).values_list('pk', flat=True)) if model else set()
            for index in indexes:
                if instances[index].assigned_object_id not in found:
                    fail(index, 'assigned_object_id', instances[index]._no_assigned_object())
        _duplicates_in_set(instances, fail)
        _populated_in_set(instances, fail)
        from dcim.addressing import reassignment_errors

        for index, found in enumerate(reassignment_errors(instances)):
            for field, message in found.items():
                fail(index, field, message)
        return errors

    def _nat_loop(self):
        """Whether following nat_inside from this address's NAT inside address comes back to it (in SQL)."""
        with connection.cursor() as cursor:
            cursor.execute("""
                WITH RECURSIVE chain(id, depth) AS (
                    SELECT %s::bigint, 1
                    UNION ALL
                    SELECT a.nat_inside_id, chain.depth + 1 FROM ipam_ipaddress a JOIN chain ON a.id = chain.id
                    WHERE a.nat_inside_id IS NOT NULL AND chain.depth < 1000
                )
                SELECT EXISTS (SELECT 1 FROM chain WHERE id = %s)
            """, [self.nat_inside_id, self.pk])
            return cursor.fetchone()[0]


def _duplicates_in_set(addresses, fail):
    """IPAddress.clean()'s duplicate check for a set: one query for the stored addresses, and within the set."""
    candidates = []
    for index, ip in enumerate(addresses):
        address = _network(ip, 'address')
        if address is None or ip.role in SHARED_IP_ROLES:
            continue
        vrf = ip.vrf if ip.vrf_id else None
        if unique_in_space(vrf):
            candidates.append((index, ip.vrf_id, str(address.ip)))
    if not candidates:
        return
    condition = models.Q()
    for vrf_id in {vrf_id for _, vrf_id, _ in candidates}:
        hosts = {host for _, v, host in candidates if v == vrf_id}
        condition |= models.Q(vrf_id=vrf_id, host__in=hosts) if vrf_id else models.Q(vrf__isnull=True,
                                                                                       host__in=hosts)
    stored = {}
    rows = IPAddress.objects.annotate(host=_address_host()).filter(condition).exclude(role__in=SHARED_IP_ROLES)
    for pk, vrf_id, host, address in rows.order_by('pk').values_list('pk', 'vrf_id', 'host', 'address'):
        stored.setdefault((vrf_id, host), []).append((pk, address))
    earlier = {}
    for index, vrf_id, host in candidates:
        ip = addresses[index]
        duplicate = next((address for pk, address in stored.get((vrf_id, host), ()) if pk != ip.pk), None)
        if duplicate is None and (vrf_id, host) in earlier:
            duplicate = earlier[(vrf_id, host)]
        if duplicate is not None:
            fail(index, 'address', f'Duplicate IP address found in {space_name(ip.vrf if vrf_id else None)}: '
                                   f'{duplicate}')
        earlier.setdefault((vrf_id, host), ip.address)


def _populated_in_set(addresses, fail):
    """IPAddress.clean()'s populated-range check for a set: the populated ranges of its VRFs, read once."""
    indexed = [(index, ip) for index, ip in enumerate(addresses) if _network(ip, 'address') is not None]
    if not indexed:
        return
    vrf_ids = {ip.vrf_id for _, ip in indexed}
    condition = models.Q(vrf_id__in=[v for v in vrf_ids if v is not None])
    if None in vrf_ids:
        condition |= models.Q(vrf__isnull=True)
    ranges = list(IPRange.objects.filter(condition, mark_populated=True))
    if not ranges:
        return
    for index, ip in indexed:
        value = ip.address
        for populated in ranges:  # in the model's order, like the .first() of clean()
            start, end = populated.start_address, populated.end_address
            if populated.vrf_id == ip.vrf_id and start.version == value.version and \
                    int(start.ip) <= int(value.ip) <= int(end.ip):
                fail(index, 'address', f'Cannot create IP address {value} inside range {populated}, which is '
                                       f'marked populated.')
                break


def _prefix_deleted(sender, instance, **kwargs):
    """A deleted prefix no longer counts for the prefixes around it (queryset deletes included); in a set-wise
    write, once for the whole set."""
    from netbox.bulk import defer

    from ..hierarchy import update_affected

    defer('ipam.prefix_hierarchy', update_affected, [(instance.vrf_id, instance.prefix)])


post_delete.connect(_prefix_deleted, sender=Prefix, dispatch_uid='ipam_prefix_hierarchy')
