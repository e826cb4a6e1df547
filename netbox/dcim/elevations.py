"""
Rack elevations: which devices occupy which units of a rack face, as a unit list (for the REST API) and as an
SVG drawing (for the UI). Both read the rack's devices and reservations with a fixed number of queries.

A device at position p with height h spans [p, p + h) in unit numbers, whatever the numbering direction; a unit
n is the span [n, n + 1), so a 1U device at 10.5 occupies the upper half of 10 and the lower half of 11.
"""
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from netbox.permissions import permission_q

from .placement import units_text

FACES = ('front', 'rear')
RESERVED_HATCH = '#c8c8c8'
HIDDEN_FILL = '#b0b0b0'
OTHER_FACE_FILL = '#e6e6e6'
OTHER_FACE_TEXT = '#8a8a8a'


@dataclass
class Occupant:
    """A racked device and the span of units it takes up."""

    device: object
    face: str
    start: Decimal
    end: Decimal
    full_depth: bool
    # False when the user may not view the device: it is shown as anonymous occupied space.
    visible: bool

    def covers(self, unit):
        return self.start < unit + 1 and self.end > unit


def _visible_ids(model, user, queryset):
    """The primary keys in `queryset` that `user` may view, or None when every one of them is viewable."""
    condition = permission_q(user, model, 'view')
    if condition is None:
        return None
    if condition is False:
        return set()
    return set(queryset.filter(condition).values_list('pk', flat=True))


def rack_occupants(rack, user, exclude=None):
    """Every device racked in `rack` that takes up space, lowest first (one query, two when permissions limit)."""
    from .models import Device

    devices = (
        Device.objects.filter(rack=rack, position__isnull=False)
        .exclude(device_type__u_height=0)
        .select_related('device_type', 'role', 'virtual_chassis')
        .order_by('position', 'pk')
    )
    if exclude is not None:
        devices = devices.exclude(pk=exclude)
    visible = _visible_ids(Device, user, devices)
    occupants = []
    for device in devices:
        start = Decimal(device.position)
        occupants.append(Occupant(
            device=device, face=device.face, start=start, end=start + Decimal(device.device_type.u_height),
            full_depth=device.device_type.is_full_depth, visible=visible is None or device.pk in visible,
        ))
    return occupants


def on_face(occupants, face):
    """(occupant, seen_from_behind) for the devices visible on `face`: its own, then full-depth ones from the other."""
    own = [(occupant, False) for occupant in occupants if occupant.face == face]
    through = [(occupant, True) for occupant in occupants if occupant.face != face and occupant.full_depth]
    return own + through


def reserved_units(rack, user):
    """{unit: reservation or None} for the rack's reserved units; None where the user may not view the reservation."""
    from .models import RackReservation

    reservations = RackReservation.objects.filter(rack=rack).select_related('user', 'tenant')
    visible = _visible_ids(RackReservation, user, reservations)
    units = {}
    for reservation in reservations:
        for unit in reservation.units or ():
            units[unit] = reservation if visible is None or reservation.pk in visible else None
    return units


def unit_rows(rack, face, occupants, expand_devices=True):
    """
    The rack's whole units top to bottom as (unit, occupant or None, occupied). With expand_devices off, a device
    spanning several units appears only on its topmost one.
    """
    placed = on_face(occupants, face)
    rows, previous = [], None
    for unit in rack.units:
        covering = [occupant for occupant, _ in placed if occupant.covers(unit)]
        occupant = covering[0] if covering else None
        if not expand_devices and occupant is not None and occupant is previous:
            continue
        previous = occupant
        rows.append((unit, occupant, bool(covering)))
    return rows


# Drawing

def _luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def text_colour(background):
    """Black or white, whichever contrasts more with the `background` hex colour (WCAG contrast ratio)."""
    background = (background or '').lstrip('#')
    if len(background) != 6:
        return '#000000'
    try:
        luminance = _luminance(background)
    except ValueError:
        return '#000000'
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return '#000000' if on_black >= on_white else '#ffffff'


def _colour(value, default='9e9e9e'):
    value = (value or default).lstrip('#')
    return f'#{value}' if len(value) == 6 and all(c in '0123456789abcdefABCDEF' for c in value) else f'#{default}'


def _fit(text, width, font_size):
    """`text` shortened with an ellipsis so it fits roughly in `width` pixels."""
    room = max(int(width / (font_size * 0.6)), 1)
    return text if len(text) <= room else text[:max(room - 1, 1)] + '\u2026'


def _attrs(**attributes):
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        name = name.rstrip('_').replace('__', ':').replace('_', '-')
        if isinstance(value, float):
            value = f'{value:g}'
        parts.append(f'{name}={quoteattr(str(value))}')
    return ' '.join(parts)


def _tag(name, content=None, **attributes):
    attrs = _attrs(**attributes)
    opening = f'<{name} {attrs}' if attrs else f'<{name}'
    return f'{opening}/>' if content is None else f'{opening}>{content}</{name}>'


# Colours of the drawing per theme, as CSS variables: the light set is the default, `theme-dark` swaps in the dark
# one and `theme-system` follows the viewer's prefers-color-scheme.
PALETTES = {
    'light': {'background': '#ffffff', 'text': '#1e293b', 'unit-number': '#606060', 'frame': '#404040',
              'slot': '#f7f7f7', 'slot-line': '#dddddd', 'device-line': '#303030', 'other-face': '#e6e6e6',
              'other-face-line': '#a0a0a0', 'hidden': '#b0b0b0', 'reserved-line': '#909090',
              'hatch-background': '#ffffff', 'hatch': RESERVED_HATCH},
    'dark': {'background': '#172032', 'text': '#e2e8f0', 'unit-number': '#94a3b8', 'frame': '#94a3b8',
             'slot': '#1d283c', 'slot-line': '#2b3850', 'device-line': '#0b1220', 'other-face': '#334155',
             'other-face-line': '#64748b', 'hidden': '#475569', 'reserved-line': '#64748b',
             'hatch-background': '#1d283c', 'hatch': '#475569'},
}
THEMES = ('light', 'dark', 'system')


def _palette(name):
    return ' '.join(f'--rk-{key}: {value};' for key, value in PALETTES[name].items())


STYLE = f"""
svg.rack-elevation {{ {_palette('light')} }}
svg.rack-elevation.theme-dark {{ {_palette('dark')} }}
@media (prefers-color-scheme: dark) {{ svg.rack-elevation.theme-system {{ {_palette('dark')} }} }}
text {{ font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }}
.background {{ fill: var(--rk-background); }}
.title, .legend-item text {{ fill: var(--rk-text); }}
.title {{ font-weight: bold; }}
.unit-number {{ fill: var(--rk-unit-number); }}
.rack-frame {{ fill: none; stroke: var(--rk-frame); stroke-width: 2; }}
.slot {{ fill: var(--rk-slot); stroke: var(--rk-slot-line); stroke-width: 1; }}
.device rect.body {{ stroke: var(--rk-device-line); stroke-width: 1; }}
.device.other-face rect.body {{ fill: var(--rk-other-face); stroke: var(--rk-other-face-line); stroke-dasharray: 4 2; }}
.device.hidden rect.body {{ fill: var(--rk-hidden); }}
.device a:hover rect.body {{ stroke-width: 2; }}
.reserved {{ stroke: var(--rk-reserved-line); stroke-width: 1; }}
.hatch-background {{ fill: var(--rk-hatch-background); }}
.hatch {{ stroke: var(--rk-hatch); }}
.label-backdrop {{ fill: #000000; fill-opacity: 0.55; }}
"""


class ElevationDrawing:
    """One face of a rack as SVG."""

    def __init__(self, rack, face, occupants, reservations, unit_height=22, unit_width=220, legend=False,
                 include_images=True, legend_width=30, margin_width=15, theme='light'):
        self.rack = rack
        self.face = face
        self.occupants = occupants
        self.reservations = reservations
        self.unit_height = unit_height
        self.unit_width = unit_width
        self.legend = legend
        self.include_images = include_images
        self.legend_width = legend_width
        self.margin = margin_width
        self.theme = theme if theme in THEMES else 'light'
        self.header_height = max(unit_height, 20)
        self.top = self.margin + self.header_height
        self.left = self.margin + self.legend_width
        self.rack_height = rack.u_height * unit_height

    @property
    def theme_palette(self):
        """The palette written into fill attributes (for viewers that ignore the stylesheet)."""
        return 'dark' if self.theme == 'dark' else 'light'

    # Geometry

    def y_of(self, start, end):
        """Top y coordinate of the span [start, end) in unit numbers."""
        if self.rack.desc_units:
            offset = Decimal(start) - self.rack.starting_unit
        else:
            offset = self.rack.starting_unit + self.rack.u_height - Decimal(end)
        return self.top + float(offset) * self.unit_height

    # Pieces

    def render(self):
        legend_rows = self.legend_rows() if self.legend else []
        legend_height = (len(legend_rows) * 18 + 10) if legend_rows else 0
        width = self.left + self.unit_width + self.margin
        height = self.top + self.rack_height + self.margin + legend_height
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'{_attrs(width=width, height=height, viewBox=f"0 0 {width} {height}",
                      class_=f"rack-elevation theme-{self.theme}")} '
            f'data-rack="{self.rack.pk}" data-face="{self.face}">',
            f'<title>{escape(f"{self.rack} ({self.face})")}</title>',
            self.definitions(),
            _tag('rect', x=0, y=0, width=width, height=height, fill=PALETTES[self.theme_palette]['background'],
                 class_='background'),
            _tag('text', escape(_fit(f'{self.rack} \u2014 {self.face.title()}', self.unit_width + self.legend_width,
                                     13)), x=self.left + self.unit_width / 2, y=self.margin + self.header_height / 2,
                 class_='title', font_size=13, text_anchor='middle', dominant_baseline='central'),
        ]
        parts += self.slots()
        parts += self.reserved()
        parts += self.devices()
        parts.append(_tag('rect', x=self.left, y=self.top, width=self.unit_width, height=self.rack_height,
                          class_='rack-frame'))
        if legend_rows:
            parts += self.legend_items(legend_rows, self.top + self.rack_height + self.margin)
        parts.append('</svg>')
        return '\n'.join(parts)

    def definitions(self):
        hatch = (
            f'<pattern id="reserved-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)">'
            f'<rect width="8" height="8" fill="{PALETTES[self.theme_palette]["hatch-background"]}" '
            f'class="hatch-background"/>'
            f'<line x1="0" y1="0" x2="0" y2="8" stroke="{PALETTES[self.theme_palette]["hatch"]}" stroke-width="4" '
            f'class="hatch"/></pattern>'
        )
        return f'<defs><style>{escape(STYLE)}</style>{hatch}</defs>'

    def slots(self):
        font_size = min(11, max(self.unit_height * 0.55, 6))
        parts = []
        for unit in self.rack.units:
            y = self.y_of(unit, unit + 1)
            parts.append(_tag('rect', x=self.left, y=y, width=self.unit_width, height=self.unit_height,
                              class_='slot', data_unit=unit))
            parts.append(_tag('text', escape(str(unit)), x=self.left - 4, y=y + self.unit_height / 2,
                              class_='unit-number', font_size=font_size, text_anchor='end',
                              dominant_baseline='central'))
        return parts

    def reserved(self):
        parts = []
        valid = set(self.rack.units)
        for unit, reservation in sorted(self.reservations.items()):
            if unit not in valid:
                continue
            if reservation is None:
                title = 'Reserved'
            else:
                holder = reservation.tenant or reservation.user
                title = f'Reserved for {holder}' + (f': {reservation.description}' if reservation.description else '')
            y = self.y_of(unit, unit + 1)
            parts.append(_tag('rect', f'<title>{escape(title)}</title>', x=self.left, y=y, width=self.unit_width,
                              height=self.unit_height, fill='url(#reserved-hatch)', class_='reserved',
                              data_unit=unit))
        return parts

    def devices(self):
        parts = []
        placed = on_face(self.occupants, self.face)
        # Devices seen through from the other face go underneath the face's own.
        for occupant, from_behind in sorted(placed, key=lambda pair: not pair[1]):
            parts.append(self.device(occupant, from_behind))
        return parts

    def device(self, occupant, from_behind):
        device = occupant.device
        x, y = self.left + 1, self.y_of(occupant.start, occupant.end) + 1
        width, height = self.unit_width - 2, float(occupant.end - occupant.start) * self.unit_height - 2
        classes = ['device']
        if from_behind:
            classes.append('other-face')
        if not occupant.visible:
            classes.append('hidden')
            body = _tag('rect', '<title>Occupied</title>', x=x, y=y, width=width, height=height, fill=HIDDEN_FILL,
                        class_='body')
            return _tag('g', body, class_=' '.join(classes))
        fill = OTHER_FACE_FILL if from_behind else _colour(device.role.color)
        ink = OTHER_FACE_TEXT if from_behind else text_colour(fill)
        name = str(device)
        depth = ', full depth' if occupant.full_depth else ''
        title = f'{name} \u2014 {device.device_type} at U{units_text(occupant.start)} ' \
                f'({units_text(occupant.end - occupant.start)}U, {occupant.face}{depth})'
        inner = [f'<title>{escape(title)}</title>',
                 _tag('rect', x=x, y=y, width=width, height=height, fill=fill, class_='body')]
        image = self.image_url(device)
        font_size = min(12, max(height * 0.75, 6))
        label = escape(_fit(name, width - 8, font_size))
        centre_x, centre_y = x + width / 2, y + height / 2
        if image:
            inner.append(_tag('image', x=x, y=y, width=width, height=height, href=image, xlink__href=image,
                              preserveAspectRatio='none', opacity=0.5 if from_behind else None))
            backdrop_width = min(width, len(label) * font_size * 0.6 + 8)
            inner.append(_tag('rect', x=centre_x - backdrop_width / 2, y=centre_y - font_size * 0.7,
                              width=backdrop_width, height=font_size * 1.4, class_='label-backdrop'))
            ink = '#ffffff'
        inner.append(_tag('text', label, x=centre_x, y=centre_y, fill=ink, font_size=font_size,
                          text_anchor='middle', dominant_baseline='central'))
        url = device.get_absolute_url()
        content = ''.join(inner)
        if url:
            content = _tag('a', content, href=url, xlink__href=url, target='_top')
        return _tag('g', content, class_=' '.join(classes), data_device=device.pk)

    def image_url(self, device):
        if not self.include_images:
            return None
        image = device.device_type.front_image if self.face == 'front' else device.device_type.rear_image
        if not image:
            return None
        try:
            return image.url
        except ValueError:
            return None

    # Legend

    def legend_rows(self):
        rows, seen = [], set()
        for occupant, from_behind in on_face(self.occupants, self.face):
            if from_behind or not occupant.visible:
                continue
            role = occupant.device.role
            if role.pk not in seen:
                seen.add(role.pk)
                rows.append((_colour(role.color), str(role)))
        if any(from_behind for _, from_behind in on_face(self.occupants, self.face)):
            rows.append((OTHER_FACE_FILL, 'Full-depth device on the other face'))
        if any(not occupant.visible for occupant, _ in on_face(self.occupants, self.face)):
            rows.append((HIDDEN_FILL, 'Occupied'))
        if self.reservations:
            rows.append(('url(#reserved-hatch)', 'Reserved'))
        return rows

    def legend_items(self, rows, top):
        parts = []
        for index, (fill, label) in enumerate(rows):
            y = top + index * 18
            parts.append(_tag('g', _tag('rect', x=self.left, y=y, width=14, height=14, fill=fill, stroke='#606060') +
                              _tag('text', escape(_fit(label, self.unit_width - 20, 11)), x=self.left + 20, y=y + 7,
                                   font_size=11, dominant_baseline='central'), class_='legend-item'))
        return parts


def elevation_svg(rack, face, user, exclude=None, **options):
    """The SVG drawing of one face of `rack` as `user` may see it."""
    return ElevationDrawing(rack, face, rack_occupants(rack, user, exclude=exclude), reserved_units(rack, user),
                            **options).render()
