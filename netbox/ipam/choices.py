"""Choice values of IPAM fields (NetBox 4.7's values and labels)."""

IP_FAMILY = ((4, 'IPv4'), (6, 'IPv6'))

PREFIX_STATUS = (('container', 'Container'), ('active', 'Active'), ('reserved', 'Reserved'),
                 ('deprecated', 'Deprecated'))
IP_RANGE_STATUS = (('active', 'Active'), ('reserved', 'Reserved'), ('deprecated', 'Deprecated'))
IP_ADDRESS_STATUS = (('active', 'Active'), ('reserved', 'Reserved'), ('deprecated', 'Deprecated'),
                     ('dhcp', 'DHCP'), ('slaac', 'SLAAC'))
IP_ADDRESS_ROLE = (('loopback', 'Loopback'), ('secondary', 'Secondary'), ('anycast', 'Anycast'), ('vip', 'VIP'),
                   ('vrrp', 'VRRP'), ('hsrp', 'HSRP'), ('glbp', 'GLBP'), ('carp', 'CARP'))
# Roles of addresses shared by several devices: these may repeat in a VRF that enforces uniqueness.
SHARED_IP_ROLES = ('anycast', 'vip', 'vrrp', 'hsrp', 'glbp', 'carp')

VLAN_STATUS = (('active', 'Active'), ('reserved', 'Reserved'), ('deprecated', 'Deprecated'))
VLAN_QINQ_ROLE = (('svlan', 'Service'), ('cvlan', 'Customer'))

FHRP_PROTOCOL = (('vrrp2', 'VRRPv2'), ('vrrp3', 'VRRPv3'), ('carp', 'CARP'), ('clusterxl', 'ClusterXL'),
                 ('hsrp', 'HSRP'), ('glbp', 'GLBP'), ('other', 'Other'))
FHRP_AUTH_TYPE = (('plaintext', 'Plaintext'), ('md5', 'MD5'))

SERVICE_PROTOCOL = (('tcp', 'TCP'), ('udp', 'UDP'), ('sctp', 'SCTP'))

# VLAN IDs and the default range of a VLAN group.
VLAN_VID_MIN = 1
VLAN_VID_MAX = 4094
ASN_MIN = 1
ASN_MAX = 4294967295
