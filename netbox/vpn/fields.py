"""REST fields other apps show for VPN data (an interface's or VLAN's L2VPN termination)."""
from django.db.models import Prefetch

from netbox.api.fields import NestedRelatedField


class L2VPNTerminationField(NestedRelatedField):
    """The object's L2VPN termination (at most one), nested; null when it has none."""

    def __init__(self, **kwargs):
        from .models import L2VPNTermination

        kwargs.update(read_only=True, allow_null=True, source='*')
        super().__init__(related_model=L2VPNTermination, **kwargs)

    def get_attribute(self, instance):
        terminations = list(instance.l2vpn_terminations.all())
        return terminations[0] if terminations else None

    def to_representation(self, value):
        return None if value is None else super().to_representation(value)

    def plan_reader(self):
        # The read plan's form (netbox.api.readplan): the page's prefetched terminations read straight from the
        # prefetch cache; building a generic relation manager per row cost more than the rest of the row.
        from netbox.api.readplan import render_nested

        def read(obj, context):
            prefetched = getattr(obj, '_prefetched_objects_cache', {}).get('l2vpn_terminations')
            for termination in prefetched if prefetched is not None else obj.l2vpn_terminations.all():
                return render_nested(termination, context)
            return None
        return read


def l2vpn_termination_field():
    return L2VPNTerminationField()


def l2vpn_termination_prefetch():
    """What the field reads, for a page of objects: one query for the terminations with their L2VPNs."""
    from .models import L2VPNTermination

    prefetch = Prefetch('l2vpn_terminations', queryset=L2VPNTermination.objects.select_related('l2vpn'))
    prefetch.serves = 'l2vpn_termination'  # only lists showing that field need it
    return prefetch
