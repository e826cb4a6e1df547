"""A VM interface's VLANs follow its mode as a device interface's do; a VM's disk is the total of its disks."""
from django.db.models import Sum
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from dcim.signals import _clear_tagged_outside_mode, _drop_untagged_outside_mode, refuse_unusable_tagged_vlans

from .models import VirtualDisk, VirtualMachine, VMInterface


@receiver(pre_save, sender=VMInterface)
def clear_vlans_outside_mode(sender, instance, raw=False, **kwargs):
    if not raw:
        _drop_untagged_outside_mode(instance)


@receiver(post_save, sender=VMInterface)
def clear_tagged_vlans_outside_mode(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:
        _clear_tagged_outside_mode([instance])


# The device interface's receiver: its rules are the shared InterfaceVLANRules of both interface models.
m2m_changed.connect(refuse_unusable_tagged_vlans, sender=VMInterface.tagged_vlans.through,
                    dispatch_uid='vminterface_refuse_unusable_tagged_vlans')


def refresh_disk(vm_id):
    """Set the VM's `disk` to the total size of its virtual disks (left alone when it has none)."""
    total = VirtualDisk.objects.filter(virtual_machine=vm_id).aggregate(total=Sum('size'))['total']
    if total is not None:
        VirtualMachine.objects.filter(pk=vm_id).update(disk=total)


@receiver(post_save, sender=VirtualDisk)
def disk_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_disk(instance.virtual_machine_id)


@receiver(post_delete, sender=VirtualDisk)
def disk_deleted(sender, instance, **kwargs):
    if VirtualDisk.objects.filter(virtual_machine=instance.virtual_machine_id).exists():
        refresh_disk(instance.virtual_machine_id)
    else:
        VirtualMachine.objects.filter(pk=instance.virtual_machine_id).update(disk=None)
