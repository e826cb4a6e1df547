"""IPAM models, split by topic; import them from `ipam.models` as usual."""
from .asns import ASN, ASNRange
from .fhrp import FHRPGroup, FHRPGroupAssignment
from .ip import RIR, VRF, Aggregate, IPAddress, IPRange, Prefix, Role, RouteTarget
from .services import Service, ServiceTemplate
from .vlans import VLAN, VLANGroup, VLANTranslationPolicy, VLANTranslationRule

__all__ = (
    'ASN', 'ASNRange', 'Aggregate', 'FHRPGroup', 'FHRPGroupAssignment', 'IPAddress', 'IPRange', 'Prefix', 'RIR',
    'Role', 'RouteTarget', 'Service', 'ServiceTemplate', 'VLAN', 'VLANGroup', 'VLANTranslationPolicy',
    'VLANTranslationRule', 'VRF',
)
