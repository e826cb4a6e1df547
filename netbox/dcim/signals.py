"""Keep cable paths current when cables are deleted or patch-panel port mappings change."""
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Cable, Interface, PortMapping


@receiver(pre_delete, sender=Cable)
def remember_terminations(sender, instance, **kwargs):
    instance._deleted_terminations = [row.termination for row in instance.terminations.all()]


@receiver(post_delete, sender=Cable)
def free_terminations(sender, instance, **kwargs):
    from .cabling import detach_cable

    detach_cable(instance.pk, getattr(instance, '_deleted_terminations', []))


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
    if instance.type == 'channel' and instance.parent_id and (created or not instance._path_id):
        from .cabling import retrace_channel

        retrace_channel(instance)
