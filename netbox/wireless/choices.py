"""Choice values of wireless fields (NetBox 4.7's values and labels)."""

WIRELESS_LAN_STATUS = (('active', 'Active'), ('reserved', 'Reserved'), ('disabled', 'Disabled'),
                       ('deprecated', 'Deprecated'))
WIRELESS_LINK_STATUS = (('connected', 'Connected'), ('planned', 'Planned'), ('decommissioning', 'Decommissioning'))
AUTH_TYPE = (('open', 'Open'), ('wep', 'WEP'), ('wpa-personal', 'WPA Personal (PSK)'),
             ('wpa-enterprise', 'WPA Enterprise'))
AUTH_CIPHER = (('auto', 'Auto'), ('tkip', 'TKIP'), ('aes', 'AES'))
DISTANCE_UNIT = (('km', 'Kilometers'), ('m', 'Meters'), ('mi', 'Miles'), ('ft', 'Feet'))
