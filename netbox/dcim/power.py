"""
Power arithmetic: what a feed can deliver, what a PDU's outlets draw, and how loaded a feed or a rack is.

Draw figures are watts, as entered on power ports: `allocated_draw` (what the device is expected to take) and
`maximum_draw` (its nameplate rating). Percentages are of a feed's available power, which already includes the
feed's maximum utilisation (an 80% rule, typically).

Which power ports an outlet feeds is asked of a `downstream` function ({outlet ID: [power ports]}), so the way
connections are found can change without touching the arithmetic; the default follows stored cable paths.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import Coalesce

THREE_PHASE = 'three-phase'
FEED_LEGS = ('A', 'B', 'C')


def available_power(voltage, amperage, max_utilization, phase='single-phase'):
    """Watts a feed may deliver: |V| x A x utilisation%, times sqrt(3) for three-phase (line-to-line voltage)."""
    watts = abs(voltage or 0) * (amperage or 0) * (max_utilization or 0) / 100
    if phase == THREE_PHASE:
        watts *= 3 ** 0.5
    return round(watts)


def feed_available_power(feed):
    return available_power(feed.voltage, feed.amperage, feed.max_utilization, feed.phase)


def percentage(part, whole):
    """part as a percentage of whole, rounded to one decimal; None when whole is unknown or zero."""
    if not whole:
        return None
    return round(part * 100 / whole, 1)


@dataclass
class PowerDraw:
    """Summed draw of some power ports."""

    allocated: int = 0
    maximum: int = 0
    port_count: int = 0

    def add(self, port):
        self.allocated += port.allocated_draw or 0
        self.maximum += port.maximum_draw or 0
        self.port_count += 1


@dataclass
class LegDraw:
    """The draw on one leg (A, B or C) of a three-phase PDU, against a third of the feed."""

    leg: str
    draw: PowerDraw
    available: int | None = None

    @property
    def utilisation(self):
        return percentage(self.draw.allocated, self.available)


@dataclass
class PortPower:
    """What a (PDU) power port supplies through its outlets, and the feed it draws from, if any."""

    port: object
    draw: PowerDraw
    outlet_count: int = 0
    feed: object = None
    legs: list = field(default_factory=list)

    @property
    def available(self):
        return self.feed.available_power if self.feed is not None else None

    @property
    def utilisation(self):
        return percentage(self.draw.allocated, self.available)


def _reference(obj):
    from django.contrib.contenttypes.models import ContentType

    return f'{ContentType.objects.get_for_model(obj).pk}:{obj.pk}'


def connected_power_ports(outlets):
    """{outlet ID: [power ports]} — the ports whose cable path ends at each outlet (complete paths only)."""
    from django.db.models import Q

    from .models import PowerPort

    references = {_reference(outlet): outlet.pk for outlet in outlets}
    if not references:
        return {}
    condition = Q()
    for reference in references:
        condition |= Q(_path__path__contains=[[reference]])
    fed = defaultdict(list)
    for port in PowerPort.objects.filter(condition, _path__is_complete=True).select_related('_path'):
        for reference in port._path.path[-1]:
            if reference in references:
                fed[references[reference]].append(port)
    return dict(fed)


def upstream_feed(port):
    """The power feed a power port's cable path ends at, or None."""
    from .models import PowerFeed

    if not getattr(port, '_path_id', None):
        return None
    return next((end for end in port.connected_endpoints if isinstance(end, PowerFeed)), None)


def power_port_power(port, downstream=connected_power_ports, feed=None):
    """The draw of the power ports fed by `port`'s outlets (outlets of the same device linked to it), in total
    and per feed leg. `feed` defaults to the feed the port is connected to; three-phase legs get a third of it."""
    outlets = list(port.poweroutlets.all())
    fed = downstream(outlets)
    total = PowerDraw()
    by_leg = {}
    for outlet in outlets:
        for consumer in fed.get(outlet.pk, ()):
            total.add(consumer)
            if outlet.feed_leg:
                by_leg.setdefault(outlet.feed_leg, PowerDraw()).add(consumer)
    feed = feed if feed is not None else upstream_feed(port)
    result = PortPower(port=port, draw=total, outlet_count=len(outlets), feed=feed)
    three_phase = feed is not None and feed.phase == THREE_PHASE
    if three_phase or by_leg:
        per_leg = round(feed.available_power / 3) if three_phase else None
        result.legs = [LegDraw(leg, by_leg.get(leg, PowerDraw()), per_leg) for leg in FEED_LEGS]
    return result


# Racks

def port_draw_expression(prefix=''):
    """A port's expected draw: allocated draw, or the maximum draw when no allocation is set."""
    return Coalesce(f'{prefix}allocated_draw', f'{prefix}maximum_draw', 0)


def rack_allocated_draw(rack):
    """Watts the devices in a rack are expected to draw: each power port's allocated draw, or its maximum."""
    from .models import PowerPort

    total = PowerPort.objects.filter(device__rack=rack).aggregate(total=Sum(port_draw_expression()))['total']
    return total or 0


@dataclass
class FeedLoad:
    feed: object
    allocated: int

    @property
    def available(self):
        return self.feed.available_power

    @property
    def utilisation(self):
        return percentage(self.allocated, self.available)


@dataclass
class RackPower:
    """A rack's expected draw against each of its feeds and against all of them together."""

    allocated: int
    feeds: list

    @property
    def available(self):
        return sum(load.available for load in self.feeds)

    @property
    def utilisation(self):
        return percentage(self.allocated, self.available)


def rack_power(rack):
    """The rack's draw, per feed (as if that feed carried it all, as on failover) and overall."""
    allocated = rack_allocated_draw(rack)
    feeds = [FeedLoad(feed, allocated) for feed in rack.powerfeeds.order_by('name')]
    return RackPower(allocated=allocated, feeds=feeds)


# Feeds

@dataclass
class FeedPower:
    """What the power feed panel shows: available power and, when known, the expected draw on it."""

    feed: object
    allocated: int | None = None
    # Where the draw comes from: 'port' (the PDU port connected to the feed) or 'rack' (devices in its rack).
    source: str | None = None
    legs: list = field(default_factory=list)

    @property
    def available(self):
        return self.feed.available_power

    @property
    def utilisation(self):
        return percentage(self.allocated, self.available) if self.allocated is not None else None


def feed_power(feed, downstream=connected_power_ports):
    """The draw on a feed: through the power port connected to it when there is one (what that PDU's outlets
    feed, or the port's own draw), else the draw of the devices in the feed's rack."""
    from .models import PowerPort

    ports = [end for end in (feed.connected_endpoints if feed._path_id else []) if isinstance(end, PowerPort)]
    if ports:
        allocated, legs = 0, []
        for port in ports:
            port_power = power_port_power(port, downstream=downstream, feed=feed)
            own = port.allocated_draw or port.maximum_draw or 0
            allocated += port_power.draw.allocated if port_power.draw.port_count else own
            legs = legs or port_power.legs
        return FeedPower(feed=feed, allocated=allocated, source='port', legs=legs)
    if feed.rack_id:
        return FeedPower(feed=feed, allocated=rack_allocated_draw(feed.rack_id), source='rack')
    return FeedPower(feed=feed)
