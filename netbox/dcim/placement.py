"""Where a device may go: site/location/rack consistency and rack-unit placement rules."""
from decimal import Decimal

from django.core.exceptions import ValidationError


def validate_device_placement(device):
    """Raise ValidationError naming the field when `device` cannot be placed where it says it is."""
    errors = {}
    rack = device.rack if device.rack_id else None
    location = device.location if device.location_id else None
    if location is not None and device.site_id and location.site_id != device.site_id:
        errors['location'] = f'Location {location} is not in site {device.site}.'
    if rack is not None:
        if device.site_id and rack.site_id != device.site_id:
            errors['rack'] = f'Rack {rack} is not in site {device.site}.'
        elif location is not None and rack.location_id and rack.location_id != location.pk:
            errors['rack'] = f'Rack {rack} is not in location {location}.'
    if errors:
        raise ValidationError(errors)
    if not device.device_type_id:
        return
    device_type = device.device_type
    height = device_type.u_height or Decimal(0)
    if device.position is not None and rack is None:
        raise ValidationError({'position': 'A position needs a rack.'})
    if device.position is not None and not device.face:
        raise ValidationError({'face': 'Give the rack face the device is mounted on.'})
    if device_type.subdevice_role == 'child' and device.position is not None:
        raise ValidationError({'position': f'{device_type} is a child device type: install it in a device bay of '
                                           f'its parent, not in a rack unit.'})
    if height == 0 and device.position is not None:
        raise ValidationError({'position': f'{device_type} is 0U: it cannot take a rack position.'})
    if rack is None or device.position is None:
        return
    position = Decimal(device.position)
    if (position * 2) % 1:
        raise ValidationError({'position': 'Position must be a multiple of 0.5.'})
    if device.position is not None and height % 1 == 0 and position % 1:
        raise ValidationError({'position': f'A {height:g}U device must start on a whole unit.'})
    first, last = rack.starting_unit, rack.starting_unit + rack.u_height
    if position < first or position + height > last:
        raise ValidationError({'position': f'U{position:g} is outside rack {rack} (units {first} to {last - 1}) for '
                                           f'a {height:g}U device.'})
    clash = find_overlap(device, rack, position, height)
    if clash is not None:
        raise ValidationError({'position': f'U{position:g} on the {device.face} face of {rack} is occupied by '
                                           f'{clash}.'})


def occupied_spans(rack, exclude_pk=None):
    """(device, face, start, end, full_depth) for every racked device in `rack`."""
    from .models import Device

    devices = Device.objects.filter(rack=rack, position__isnull=False).select_related('device_type')
    if exclude_pk is not None:
        devices = devices.exclude(pk=exclude_pk)
    for other in devices:
        height = other.device_type.u_height or Decimal(0)
        if height:
            yield other, other.face, Decimal(other.position), Decimal(other.position) + height, \
                other.device_type.is_full_depth


def find_overlap(device, rack, position, height):
    end = position + height
    full_depth = device.device_type.is_full_depth
    for other, face, start, other_end, other_full in occupied_spans(rack, exclude_pk=device.pk):
        if start >= end or other_end <= position:
            continue
        if face == device.face or full_depth or other_full:
            return other
    return None
