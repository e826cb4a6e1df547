"""Template tags for DCIM power panels: {% feed_power object as power %}."""
from django import template

from dcim.power import feed_power as compute_feed_power

register = template.Library()


@register.simple_tag
def feed_power(feed):
    """The available power and expected draw of a power feed (dcim.power.FeedPower)."""
    return compute_feed_power(feed)
