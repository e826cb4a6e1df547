"""Where a device may go: site/location/rack consistency and rack-unit placement rules."""
from decimal import Decimal

from django.core.exceptions import ValidationError

HALF_UNIT = Decimal('0.5')


def units_text(value):
    """A unit number or height as people write it: 3, 10.5 (never 3.0)."""
    value = Decimal(value)
    return str(int(value)) if value == int(value) else str(value.quantize(HALF_UNIT / 5))


def validate_device_placement(device):
    """Raise ValidationError naming the field when `device` cannot be placed where it says it is."""
    _validate_site_location_rack(device)
    if not device.device_type_id:
        return
    device_type = device.device_type
    height = Decimal(device_type.u_height or 0)
    rack = device.rack if device.rack_id else None
    if rack is None:
        if device.position is not None:
            raise ValidationError({'position': 'A rack position needs a rack: choose the rack first.'})
        if device.face:
            raise ValidationError({'face': 'A rack face needs a rack: choose the rack first.'})
        return
    if device.position is None:
        return
    if device_type.subdevice_role == 'child':
        raise ValidationError({'position': f'{device_type} is a child device type: install it in a device bay of '
                                           f'its parent, not in a rack unit.'})
    if height == 0:
        raise ValidationError({'position': f'{device_type} is 0U: it cannot take a rack position.'})
    if not device.face:
        raise ValidationError({'face': 'Give the rack face (front or rear) the device is mounted on.'})
    position = Decimal(device.position)
    where = f'U{units_text(position)}'
    if position % HALF_UNIT:
        raise ValidationError({'position': f'{where} is not a rack position: positions are whole or half units.'})
    first, end = rack.starting_unit, rack.starting_unit + rack.u_height
    if position < first or position + height > end:
        raise ValidationError({'position': f'A {units_text(height)}U device at {where} does not fit in rack {rack} '
                                           f'(units {first} to {end - 1}).'})
    clash = find_overlap(device, rack, position, height)
    if clash is not None:
        other, other_face, other_full_depth = clash
        if other_face != device.face:
            why = f'{other} is full-depth on the {other_face} face' if other_full_depth else \
                f'{device_type} is full-depth and {other} is mounted on the {other_face} face'
            raise ValidationError({'position': f'{where} on the {device.face} face of {rack} is blocked: {why}.'})
        raise ValidationError({'position': f'{where} on the {device.face} face of {rack} is occupied by {other}.'})


def _validate_site_location_rack(device):
    errors = {}
    rack = device.rack if device.rack_id else None
    location = device.location if device.location_id else None
    if location is not None and device.site_id and location.site_id != device.site_id:
        errors['location'] = f'Location {location} is not in site {device.site}.'
    if rack is not None:
        if device.site_id and rack.site_id != device.site_id:
            errors['rack'] = f'Rack {rack} is not in site {device.site}.'
        elif location is not None and rack.location_id != location.pk:
            errors['rack'] = f'Rack {rack} is not in location {location}.'
    cluster = device.cluster if getattr(device, 'cluster_id', None) else None
    if cluster is not None and not errors:
        if cluster._site_id and device.site_id and cluster._site_id != device.site_id:
            errors['cluster'] = f'Cluster {cluster} is at site {cluster._site}, not at {device.site}.'
        elif cluster._location_id and device.location_id != cluster._location_id:
            errors['cluster'] = f'Cluster {cluster} is in location {cluster._location}: the device must be there.'
    if errors:
        raise ValidationError(errors)


def occupied_spans(rack, exclude_pk=None):
    """(device, face, start, end, full_depth) for every racked device in `rack` that takes up space."""
    from .models import Device

    devices = Device.objects.filter(rack=rack, position__isnull=False).select_related('device_type')
    if exclude_pk is not None:
        devices = devices.exclude(pk=exclude_pk)
    for other in devices:
        height = Decimal(other.device_type.u_height or 0)
        if height:
            start = Decimal(other.position)
            yield other, other.face, start, start + height, other.device_type.is_full_depth


def find_overlap(device, rack, position, height):
    """(device, face, full_depth) of the first racked device whose units `device` would collide with, or None."""
    end = position + height
    full_depth = device.device_type.is_full_depth
    for other, face, start, other_end, other_full in occupied_spans(rack, exclude_pk=device.pk):
        if start >= end or other_end <= position:
            continue
        # Devices on opposite faces share a unit only when neither reaches through the rack.
        if face == device.face or full_depth or other_full:
            return other, face, other_full
    return None
