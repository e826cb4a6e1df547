"""
The rules tying devices to IP addresses: which addresses may be a device's (or a virtual device context's) primary
or out-of-band IP, which is its `primary_ip`, and that an address serving as one is not moved away or unassigned.
"""
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q


def preferred_primary_ip(obj):
    """primary_ip6 when set, else primary_ip4; IPv4 first when the PREFER_IPV4 setting is on."""
    from netbox.dynamic_config import get_config

    if get_config().PREFER_IPV4 and obj.primary_ip4_id:
        return obj.primary_ip4
    if obj.primary_ip6_id:
        return obj.primary_ip6
    if obj.primary_ip4_id:
        return obj.primary_ip4
    return None


def device_interfaces(device):
    """The interfaces of the device and, in a virtual chassis, of every member (as NetBox counts them); a virtual
    machine's own interfaces."""
    from .models import Interface

    if device._meta.label_lower == 'virtualization.virtualmachine':
        from virtualization.models import vm_interfaces

        return vm_interfaces(device)

    if device.virtual_chassis_id:
        return Interface.objects.filter(device__virtual_chassis=device.virtual_chassis_id)
    return Interface.objects.filter(device=device.pk)


def _on_interfaces(ip, interfaces):
    """Whether `ip` is assigned to one of `interfaces` (a queryset of device or VM interfaces)."""
    if ip is None or not ip.assigned_object_type_id or ip.assigned_object_id is None:
        return False
    if ip.assigned_object_type_id != ContentType.objects.get_for_model(interfaces.model).pk:
        return False
    return interfaces.filter(pk=ip.assigned_object_id).exists()


def address_errors(obj, device, allow_nat=True):
    """{field: message} for the primary/out-of-band IPs of `obj` (a device, or a VDC of `device`)."""
    errors = {}
    if device is None or device.pk is None:
        for name in ('primary_ip4', 'primary_ip6', 'oob_ip'):
            if getattr(obj, f'{name}_id', None):
                errors[name] = 'Save the device before giving it an IP address.'
        return errors
    interfaces = device_interfaces(device)
    owner = 'device' if obj is device else 'virtual device context'
    for name, family in (('primary_ip4', 4), ('primary_ip6', 6), ('oob_ip', None)):
        if not getattr(obj, f'{name}_id', None):
            continue
        ip = getattr(obj, name)
        if family is not None and ip.address is not None and ip.address.version != family:
            errors[name] = f'{ip} is not an IPv{family} address.'
            continue
        if _on_interfaces(ip, interfaces):
            continue
        if allow_nat and name != 'oob_ip' and ip.nat_inside_id and _on_interfaces(ip.nat_inside, interfaces):
            continue  # the public (NAT outside) address of an address on this device
        errors[name] = f'{ip} is not assigned to an interface of the {owner}\'s device.' if owner != 'device' \
            else f'{ip} is not assigned to an interface of this device.'
    return errors


def holders_of(ip):
    """(object, field name, device) for each device, VDC or virtual machine using `ip` as a primary or out-of-band
    IP (a VM is its own "device")."""
    from virtualization.models import VirtualMachine

    from .models import Device, VirtualDeviceContext

    out = []
    for device in Device.objects.filter(Q(primary_ip4=ip.pk) | Q(primary_ip6=ip.pk) | Q(oob_ip=ip.pk)):
        for name in ('primary_ip4', 'primary_ip6', 'oob_ip'):
            if getattr(device, f'{name}_id') == ip.pk:
                out.append((device, name, device))
    for vdc in VirtualDeviceContext.objects.filter(Q(primary_ip4=ip.pk) | Q(primary_ip6=ip.pk)) \
            .select_related('device'):
        for name in ('primary_ip4', 'primary_ip6'):
            if getattr(vdc, f'{name}_id') == ip.pk:
                out.append((vdc, name, vdc.device))
    for vm in VirtualMachine.objects.filter(Q(primary_ip4=ip.pk) | Q(primary_ip6=ip.pk)):
        for name in ('primary_ip4', 'primary_ip6'):
            if getattr(vm, f'{name}_id') == ip.pk:
                out.append((vm, name, vm))
    return out


def ip_reassignment_errors(ip):
    """{field: message} when `ip` (about to be saved) is a device's primary or out-of-band IP and would no longer
    be on that device: NetBox refuses to unassign such an address or move it to another device."""
    if ip.pk is None:
        return {}
    for obj, name, device in holders_of(ip):
        interfaces = device_interfaces(device)
        if _on_interfaces(ip, interfaces):
            continue
        if name != 'oob_ip' and ip.nat_inside_id and _on_interfaces(ip.nat_inside, interfaces):
            continue
        kind = 'out-of-band IP' if name == 'oob_ip' else 'primary IP'
        return {'assigned_object_id': f'{ip} is the {kind} of {obj}: make another address its {kind} before '
                                      'unassigning or moving this one.'}
    return {}


def reassignment_errors(ips):
    """ip_reassignment_errors() for a set of addresses: one query per kind of holder finds the few held ones."""
    from virtualization.models import VirtualMachine

    from .models import Device, VirtualDeviceContext

    result = [{} for _ in ips]
    pks = [ip.pk for ip in ips if ip.pk is not None]
    if not pks:
        return result
    held = set()
    for row in Device.objects.filter(Q(primary_ip4__in=pks) | Q(primary_ip6__in=pks) | Q(oob_ip__in=pks)) \
            .values_list('primary_ip4', 'primary_ip6', 'oob_ip'):
        held.update(row)
    for holder in (VirtualDeviceContext, VirtualMachine):
        for row in holder.objects.filter(Q(primary_ip4__in=pks) | Q(primary_ip6__in=pks)) \
                .values_list('primary_ip4', 'primary_ip6'):
            held.update(row)
    for index, ip in enumerate(ips):
        if ip.pk is not None and ip.pk in held:
            result[index] = ip_reassignment_errors(ip)
    return result


def refuse_primary_ip_reassignment(sender, instance, raw=False, **kwargs):
    """pre_save of IP addresses: the last word on the rule above, whatever the caller."""
    if raw or instance.pk is None:
        return
    errors = ip_reassignment_errors(instance)
    if errors:
        raise ValidationError(errors)
