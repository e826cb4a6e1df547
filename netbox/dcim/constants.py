"""Names older NetBox code (legacy reports and scripts) imports from dcim.constants."""

# A device's status values.
DEVICE_STATUS_OFFLINE = 'offline'
DEVICE_STATUS_ACTIVE = 'active'
DEVICE_STATUS_PLANNED = 'planned'
DEVICE_STATUS_STAGED = 'staged'
DEVICE_STATUS_FAILED = 'failed'
DEVICE_STATUS_INVENTORY = 'inventory'
DEVICE_STATUS_DECOMMISSIONING = 'decommissioning'

# A port's connection_status: connected (the path is live) or planned.
CONNECTION_STATUS_CONNECTED = True
CONNECTION_STATUS_PLANNED = False
