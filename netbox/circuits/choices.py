"""Choice values of circuit fields (NetBox 4.7's values)."""

CIRCUIT_STATUS = (
    ('planned', 'Planned'), ('provisioning', 'Provisioning'), ('active', 'Active'), ('offline', 'Offline'),
    ('deprovisioning', 'Deprovisioning'), ('decommissioned', 'Decommissioned'),
)
DISTANCE_UNIT = (('km', 'Kilometers'), ('m', 'Meters'), ('mi', 'Miles'), ('ft', 'Feet'))
TERM_SIDE = (('A', 'A'), ('Z', 'Z'))
PRIORITY = (('primary', 'Primary'), ('secondary', 'Secondary'), ('tertiary', 'Tertiary'), ('inactive', 'Inactive'))
VIRTUAL_TERMINATION_ROLE = (('peer', 'Peer'), ('hub', 'Hub'), ('spoke', 'Spoke'))
