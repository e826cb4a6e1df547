"""Virtualization REST fields beyond the derived ones: a cluster's allocated resources, a VM's render-config."""
from decimal import Decimal

from django.db.models import Sum
from rest_framework import serializers

from dcim.api_devices import RenderConfigView

from .models import VirtualMachine

ALLOCATED_FIELDS = ('allocated_vcpus', 'allocated_memory', 'allocated_disk')


def attach_allocations(clusters):
    """Each cluster's allocated vCPUs, memory and disk (sums over its VMs), with one query for the page."""
    clusters = [obj for obj in clusters if obj is not None]
    totals = {row['cluster']: row for row in VirtualMachine.objects.filter(
        cluster__in=[obj.pk for obj in clusters]).order_by().values('cluster').annotate(
        vcpus=Sum('vcpus'), memory=Sum('memory'), disk=Sum('disk'))}
    for obj in clusters:
        row = totals.get(obj.pk, {})
        obj.allocated_vcpus = row.get('vcpus') or Decimal(0)
        obj.allocated_memory = row.get('memory') or 0
        obj.allocated_disk = row.get('disk') or 0
    return clusters


def allocation_fields():
    return {
        'allocated_vcpus': serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True,
                                                    coerce_to_string=False, min_value=Decimal(-1000000),
                                                    max_value=Decimal(1000000)),
        'allocated_memory': serializers.IntegerField(read_only=True),
        'allocated_disk': serializers.IntegerField(read_only=True),
    }


class VMRenderConfigView(RenderConfigView):
    """POST virtual-machines/<id>/render-config/: as for devices, the VM given to the template as `virtualmachine`."""

    model = VirtualMachine
    object_name = 'virtualmachine'
