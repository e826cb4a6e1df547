"""A deleted wireless link (alone or in a bulk delete) frees both interfaces and rebuilds their paths."""
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import WirelessLink, rebuild_link_paths


@receiver(post_delete, sender=WirelessLink, dispatch_uid='wireless.link_deleted')
def link_deleted(sender, instance, **kwargs):
    from dcim.models import Interface

    ends = [instance.interface_a_id, instance.interface_b_id]
    Interface.objects.filter(pk__in=ends, wireless_link_id=instance.pk).update(wireless_link=None)
    rebuild_link_paths(ends)
