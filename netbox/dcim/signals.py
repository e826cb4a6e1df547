"""Keep cable paths current when cables are deleted or patch-panel port mappings change; keep interfaces' VLANs
and devices' primary IPs consistent."""
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .addressing import refuse_primary_ip_reassignment
from .models import Cable, Interface, PortMapping


@receiver(pre_delete, sender=Cable)
def remember_terminations(sender, instance, **kwargs):
    instance._deleted_terminations = [row.termination for row in instance.terminations.all()]


@receiver(post_delete, sender=Cable)
def free_terminations(sender, instance, **kwargs):
    """Free the terminations and retrace the paths of a deleted cable; in a set-wise delete (netbox.bulk), once
    for all its cables."""
    from netbox.bulk import defer

    from .cabling import detach_cables

    defer('dcim.detach_cables', detach_cables, [(instance.pk, getattr(instance, '_deleted_terminations', []))])


@receiver(post_save, sender=PortMapping)
@receiver(post_delete, sender=PortMapping)
def retrace_through_ports(sender, instance, **kwargs):
    from .cabling import affected_paths, rebuild_paths

    ports = [port for port in (getattr(instance, 'front_port', None), getattr(instance, 'rear_port', None))
             if port is not None]
    rebuild_paths(affected_paths(ports))


@receiver(post_save, sender=Interface)
def trace_new_channel(sender, instance, created, **kwargs):
    """A channel interface added to a cabled interface gets its path at once."""
    _trace_new_channels([instance], created)


def _trace_new_channels(interfaces, created):
    for interface in interfaces:
        if interface.type == 'channel' and interface.parent_id and (created or not interface._path_id):
            from .cabling import retrace_channel

            retrace_channel(interface)


# Interfaces saved as a set (netbox.bulk) get the work of the receivers here, set-wise.

def interfaces_before_save(interfaces):
    for interface in interfaces:
        _drop_untagged_outside_mode(interface)


def interfaces_after_save(interfaces, created):
    _trace_new_channels(interfaces, created)
    if not created:
        _clear_tagged_outside_mode(interfaces)


# An IP address that is a device's primary or out-of-band IP stays on that device (see dcim.addressing).
pre_save.connect(refuse_primary_ip_reassignment, sender='ipam.IPAddress',
                 dispatch_uid='dcim_refuse_primary_ip_reassignment')


@receiver(pre_save, sender=Interface)
def clear_vlans_outside_mode(sender, instance, raw=False, **kwargs):
    """The VLANs an interface's mode has no use for are dropped (as NetBox does): no untagged VLAN without a
    mode, tagged VLANs only in tagged mode."""
    if not raw:
        _drop_untagged_outside_mode(instance)


def _drop_untagged_outside_mode(interface):
    if not interface.mode:
        interface.untagged_vlan = None


@receiver(post_save, sender=Interface)
def clear_tagged_vlans_outside_mode(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:
        _clear_tagged_outside_mode([instance])


def _clear_tagged_outside_mode(interfaces):
    """Interfaces (changed, not in tagged mode) lose their tagged VLANs: one query finds those that have any."""
    candidates = {interface.pk: interface for interface in interfaces if interface.mode != 'tagged'}
    if not candidates:
        return
    model = type(next(iter(candidates.values())))
    through = model.tagged_vlans.through
    column = f'{model._meta.model_name}_id'
    having = set(through.objects.filter(**{f'{column}__in': list(candidates)}).values_list(column, flat=True))
    for pk in sorted(having):
        candidates[pk].tagged_vlans.clear()


@receiver(m2m_changed, sender=Interface.tagged_vlans.through)
def refuse_unusable_tagged_vlans(sender, instance, action, pk_set, reverse=False, **kwargs):
    """Whatever adds tagged VLANs to an interface (a form, a bulk edit, a script), the interface's rules hold."""
    if action != 'pre_add' or reverse or not pk_set:
        return
    from ipam.models import VLAN

    errors = instance.vlan_errors(tagged_vlans=list(VLAN.objects.filter(pk__in=pk_set)))
    if 'tagged_vlans' in errors:
        raise ValidationError({'tagged_vlans': errors['tagged_vlans']})
