"""
Choice values of DCIM fields (the values are NetBox 4.6's; labels are derived from them).

Each constant is a tuple of (value, label) pairs usable as a model field's `choices`.
"""


def _label(value):
    """A readable label from a choice value: 'front-to-rear' -> 'Front to rear', '1000base-t' -> '1000BASE-T'."""
    text = str(value)
    if any(ch.isdigit() for ch in text) or text.isupper() or len(text) <= 3:
        return text.upper() if 'base' in text or len(text) <= 3 else text
    return text.replace('-', ' ').capitalize()


def choices(*values):
    return tuple((value, _label(value)) for value in values)


CABLE_STATUS = choices(
    'connected', 'planned', 'decommissioning'
)
CABLE_PROFILE = choices(
    'single-1c1p', 'single-1c2p', 'single-1c4p', 'single-1c6p', 'single-1c8p', 'single-1c12p',
    'single-1c16p','trunk-2c1p', 'trunk-2c2p', 'trunk-2c4p', 'trunk-2c4p-shuffle', 'trunk-2c6p', 'trunk-2c8p',
    'trunk-2c12p','trunk-4c1p', 'trunk-4c2p', 'trunk-4c4p', 'trunk-4c4p-shuffle', 'trunk-4c6p', 'trunk-4c8p',
    'trunk-8c4p','breakout-1c2p-2c1p', 'breakout-1c4p-4c1p', 'breakout-1c6p-6c1p',
    'breakout-1c8p-8c1p','breakout-2c4p-8c1p-shuffle'
)
CABLE_LENGTH_UNIT = choices(
    'km', 'm', 'cm', 'mi', 'ft', 'in'
)
CONSOLE_PORT_TYPE = choices(
    'de-9', 'db-25', 'rj-11', 'rj-12', 'rj-45', 'mini-din-8', 'usb-a', 'usb-b', 'usb-c', 'usb-mini-a',
    'usb-mini-b','usb-micro-a', 'usb-micro-b', 'usb-micro-ab', 'other'
)
CONSOLE_PORT_SPEED = choices(
    '1200', '2400', '4800', '9600', '19200', '38400', '57600', '115200'
)
SUBDEVICE_ROLE = choices(
    'parent', 'child'
)
DEVICE_AIRFLOW = choices(
    'front-to-rear', 'rear-to-front', 'left-to-right', 'right-to-left', 'side-to-rear', 'rear-to-side',
    'bottom-to-top', 'top-to-bottom', 'passive', 'mixed'
)
WEIGHT_UNIT = choices(
    'kg', 'g', 'lb', 'oz'
)
RACK_FACE = choices(
    'front', 'rear'
)
DEVICE_STATUS = choices(
    'offline', 'active', 'planned', 'staged', 'failed', 'inventory', 'decommissioning'
)
PORT_TYPE = choices(
    '8p8c', '8p6c', '8p4c', '8p2c', '6p6c', '6p4c', '6p2c', '4p4c', '4p2c', 'gg45', 'tera-4p', 'tera-2p',
    'tera-1p','110-punch', 'bnc', 'f', 'n', 'mrj21', 'fc', 'fc-pc', 'fc-upc', 'fc-apc', 'lc', 'lc-pc', 'lc-upc',
    'lc-apc','mu', 'mu-pc', 'mu-upc', 'mu-apc', 'lsh', 'lsh-pc', 'lsh-upc', 'lsh-apc', 'lx5', 'lx5-pc', 'lx5-upc',
    'lx5-apc','mpo', 'mtrj', 'sc', 'sc-pc', 'sc-upc', 'sc-apc', 'st', 'cs', 'sn', 'mdc', 'sma-905', 'sma-906',
    'urm-p2','urm-p4', 'urm-p8', 'splice', 'usb-a', 'usb-b', 'usb-c', 'usb-mini-a', 'usb-mini-b', 'usb-micro-a',
    'usb-micro-b', 'usb-micro-ab', 'other'
)
INTERFACE_TYPE = choices(
    'virtual', 'bridge', 'lag', 'channel', '100base-fx', '100base-lfx', '100base-tx', '100base-t1',
    '1000base-bx10-d','1000base-bx10-u', '1000base-cwdm', '1000base-cx', '1000base-dwdm', '1000base-ex',
    '1000base-lsx', '1000base-lx', '1000base-lx10', '1000base-sx', '1000base-t', '1000base-tx', '1000base-zx',
    '2.5gbase-t', '5gbase-t','10gbase-br-d', '10gbase-br-u', '10gbase-cu', '10gbase-cx4', '10gbase-er',
    '10gbase-lr', '10gbase-lrm','10gbase-lx4', '10gbase-sr', '10gbase-t', '10gbase-zr', '25gbase-cr', '25gbase-er',
    '25gbase-lr', '25gbase-sr','25gbase-t', '40gbase-cr4', '40gbase-er4', '40gbase-fr4', '40gbase-lr4',
    '40gbase-sr4', '40gbase-sr4-bd','50gbase-cr', '50gbase-er', '50gbase-fr', '50gbase-lr', '50gbase-sr',
    '100gbase-cr1', '100gbase-cr2', '100gbase-cr4', '100gbase-cr10', '100gbase-cwdm4', '100gbase-dr',
    '100gbase-er4', '100gbase-fr1', '100gbase-lr1','100gbase-lr4', '100gbase-sr1', '100gbase-sr1.2', '100gbase-sr2',
    '100gbase-sr4', '100gbase-sr10', '100gbase-zr', '200gbase-cr2', '200gbase-cr4', '200gbase-dr4', '200gbase-er4',
    '200gbase-fr4', '200gbase-lr4', '200gbase-sr2', '200gbase-sr4', '200gbase-vr2', '400gbase-cr4', '400gbase-dr4',
    '400gbase-er8', '400gbase-fr4', '400gbase-fr8', '400gbase-lr4', '400gbase-lr8', '400gbase-sr4',
    '400gbase-sr4_2', '400gbase-sr8', '400gbase-sr16','400gbase-vr4', '400gbase-zr', '800gbase-cr8', '800gbase-dr8',
    '800gbase-sr8', '800gbase-vr8', '1.6tbase-cr8','1.6tbase-dr8', '1.6tbase-dr8-2', '100base-x-sfp',
    '1000base-x-gbic', '1000base-x-sfp', '2.5gbase-x-sfp','10gbase-x-sfpp', '10gbase-x-xenpak', '10gbase-x-xfp',
    '10gbase-x-x2', '25gbase-x-sfp28', '40gbase-x-qsfpp','50gbase-x-sfp28', '50gbase-x-sfp56', '100gbase-x-cfp',
    '100gbase-x-cfp2', '100gbase-x-cfp4', '100gbase-x-cxp','100gbase-x-cpak', '100gbase-x-dsfp',
    '100gbase-x-qsfp28', '100gbase-x-qsfpdd', '100gbase-x-sfpdd', '200gbase-x-cfp2', '200gbase-x-qsfp56',
    '200gbase-x-qsfpdd', '400gbase-x-qsfp112', '400gbase-x-qsfpdd', '400gbase-x-cdfp','400gbase-x-cfp2',
    '400gbase-x-cfp8', '400gbase-x-osfp', '400gbase-x-osfp-rhs', '800gbase-x-osfp', '800gbase-x-qsfpdd',
    '1.6tbase-x-osfp1600', '1.6tbase-x-osfp1600-rhs', '1.6tbase-x-qsfpdd1600', '1000base-kx', '2.5gbase-kx',
    '5gbase-kr', '10gbase-kr', '10gbase-kx4', '25gbase-kr', '40gbase-kr4', '50gbase-kr',
    '100gbase-kp4','100gbase-kr2', '100gbase-kr4', '1.6tbase-kr8', 'ieee802.11a', 'ieee802.11g', 'ieee802.11n',
    'ieee802.11ac','ieee802.11ad', 'ieee802.11ax', 'ieee802.11ay', 'ieee802.11be', 'ieee802.15.1', 'ieee802.15.4',
    'other-wireless', 'gsm', 'cdma', 'lte', '4g', '5g', 'sonet-oc3', 'sonet-oc12', 'sonet-oc48', 'sonet-oc192',
    'sonet-oc768', 'sonet-oc1920', 'sonet-oc3840', '1gfc-sfp', '2gfc-sfp', '4gfc-sfp', '8gfc-sfpp', '16gfc-sfpp',
    '32gfc-sfp28', '32gfc-sfpp', '64gfc-qsfpp', '64gfc-sfpdd', '64gfc-sfpp', '128gfc-qsfp28',
    'infiniband-sdr','infiniband-ddr', 'infiniband-qdr', 'infiniband-fdr10', 'infiniband-fdr', 'infiniband-edr',
    'infiniband-hdr','infiniband-ndr', 'infiniband-xdr', 't1', 'e1', 't3', 'e3', 'xdsl', 'docsis', 'moca', 'bpon',
    'epon','10g-epon', 'gpon', 'xg-pon', 'xgs-pon', 'ng-pon2', '25g-pon', '50g-pon', 'cisco-stackwise',
    'cisco-stackwise-plus', 'cisco-flexstack', 'cisco-flexstack-plus', 'cisco-stackwise-80', 'cisco-stackwise-160',
    'cisco-stackwise-320', 'cisco-stackwise-480', 'cisco-stackwise-1t', 'juniper-vcp', 'extreme-summitstack',
    'extreme-summitstack-128', 'extreme-summitstack-256', 'extreme-summitstack-512', 'other',
    # Added by NetBox 4.7
    '100gbase-x-sfp112', 'infiniband-sdr-4x', 'infiniband-ddr-4x', 'infiniband-qdr-4x', 'infiniband-fdr10-4x',
    'infiniband-fdr-4x', 'infiniband-edr-4x', 'infiniband-hdr-2x', 'infiniband-hdr-4x', 'infiniband-ndr-2x',
    'infiniband-ndr-4x', 'infiniband-xdr-2x', 'infiniband-xdr-4x', 'hpe-synergy-interconnect-link'
)
POE_MODE = choices(
    'pd', 'pse'
)
POE_TYPE = choices(
    'type1-ieee802.3af', 'type2-ieee802.3at', 'type3-ieee802.3bt', 'type4-ieee802.3bt',
    'passive-24v-2pair','passive-24v-4pair', 'passive-48v-2pair', 'passive-48v-4pair'
)
RF_ROLE = choices(
    'ap', 'station'
)
DUPLEX = choices(
    'half', 'full', 'auto'
)
INTERFACE_MODE = choices(
    'access', 'tagged', 'tagged-all', 'q-in-q'
)
RF_CHANNEL = choices(
    '2.4g-1-2412-22', '2.4g-2-2417-22', '2.4g-3-2422-22', '2.4g-4-2427-22', '2.4g-5-2432-22',
    '2.4g-6-2437-22','2.4g-7-2442-22', '2.4g-8-2447-22', '2.4g-9-2452-22', '2.4g-10-2457-22', '2.4g-11-2462-22',
    '2.4g-12-2467-22','2.4g-13-2472-22', '5g-32-5160-20', '5g-34-5170-40', '5g-36-5180-20', '5g-38-5190-40',
    '5g-40-5200-20','5g-42-5210-80', '5g-44-5220-20', '5g-46-5230-40', '5g-48-5240-20', '5g-50-5250-160',
    '5g-52-5260-20','5g-54-5270-40', '5g-56-5280-20', '5g-58-5290-80', '5g-60-5300-20', '5g-62-5310-40',
    '5g-64-5320-20','5g-100-5500-20', '5g-102-5510-40', '5g-104-5520-20', '5g-106-5530-80', '5g-108-5540-20',
    '5g-110-5550-40','5g-112-5560-20', '5g-114-5570-160', '5g-116-5580-20', '5g-118-5590-40', '5g-120-5600-20',
    '5g-122-5610-80','5g-124-5620-20', '5g-126-5630-40', '5g-128-5640-20', '5g-132-5660-20', '5g-134-5670-40',
    '5g-136-5680-20','5g-138-5690-80', '5g-140-5700-20', '5g-142-5710-40', '5g-144-5720-20', '5g-149-5745-20',
    '5g-151-5755-40','5g-153-5765-20', '5g-155-5775-80', '5g-157-5785-20', '5g-159-5795-40', '5g-161-5805-20',
    '5g-163-5815-160','5g-165-5825-20', '5g-167-5835-40', '5g-169-5845-20', '5g-171-5855-80', '5g-173-5865-20',
    '5g-175-5875-40','5g-177-5885-20', '6g-1-5955-20', '6g-3-5965-40', '6g-5-5975-20', '6g-7-5985-80',
    '6g-9-5995-20','6g-11-6005-40', '6g-13-6015-20', '6g-15-6025-160', '6g-17-6035-20', '6g-19-6045-40',
    '6g-21-6055-20','6g-23-6065-80', '6g-25-6075-20', '6g-27-6085-40', '6g-29-6095-20', '6g-31-6105-320',
    '6g-33-6115-20','6g-35-6125-40', '6g-37-6135-20', '6g-39-6145-80', '6g-41-6155-20', '6g-43-6165-40',
    '6g-45-6175-20','6g-47-6185-160', '6g-49-6195-20', '6g-51-6205-40', '6g-53-6215-20', '6g-55-6225-80',
    '6g-57-6235-20','6g-59-6245-40', '6g-61-6255-20', '6g-65-6275-20', '6g-67-6285-40', '6g-69-6295-20',
    '6g-71-6305-80','6g-73-6315-20', '6g-75-6325-40', '6g-77-6335-20', '6g-79-6345-160', '6g-81-6355-20',
    '6g-83-6365-40','6g-85-6375-20', '6g-87-6385-80', '6g-89-6395-20', '6g-91-6405-40', '6g-93-6415-20',
    '6g-95-6425-320','6g-97-6435-20', '6g-99-6445-40', '6g-101-6455-20', '6g-103-6465-80', '6g-105-6475-20',
    '6g-107-6485-40','6g-109-6495-20', '6g-111-6505-160', '6g-113-6515-20', '6g-115-6525-40', '6g-117-6535-20',
    '6g-119-6545-80','6g-121-6555-20', '6g-123-6565-40', '6g-125-6575-20', '6g-129-6595-20', '6g-131-6605-40',
    '6g-133-6615-20','6g-135-6625-80', '6g-137-6635-20', '6g-139-6645-40', '6g-141-6655-20', '6g-143-6665-160',
    '6g-145-6675-20','6g-147-6685-40', '6g-149-6695-20', '6g-151-6705-80', '6g-153-6715-20', '6g-155-6725-40',
    '6g-157-6735-20','6g-159-6745-320', '6g-161-6755-20', '6g-163-6765-40', '6g-165-6775-20', '6g-167-6785-80',
    '6g-169-6795-20','6g-171-6805-40', '6g-173-6815-20', '6g-175-6825-160', '6g-177-6835-20', '6g-179-6845-40',
    '6g-181-6855-20','6g-183-6865-80', '6g-185-6875-20', '6g-187-6885-40', '6g-189-6895-20', '6g-193-6915-20',
    '6g-195-6925-40','6g-197-6935-20', '6g-199-6945-80', '6g-201-6955-20', '6g-203-6965-40', '6g-205-6975-20',
    '6g-207-6985-160','6g-209-6995-20', '6g-211-7005-40', '6g-213-7015-20', '6g-215-7025-80', '6g-217-7035-20',
    '6g-219-7045-40','6g-221-7055-20', '6g-225-7075-20', '6g-227-7085-40', '6g-229-7095-20', '6g-233-7115-20',
    '60g-1-58320-2160','60g-2-60480-2160', '60g-3-62640-2160', '60g-4-64800-2160', '60g-5-66960-2160',
    '60g-6-69120-2160','60g-9-59400-4320', '60g-10-61560-4320', '60g-11-63720-4320', '60g-12-65880-4320',
    '60g-13-68040-4320','60g-17-60480-6480', '60g-18-62640-6480', '60g-19-64800-6480', '60g-20-66960-6480',
    '60g-25-61560-6480','60g-26-63720-6480', '60g-27-65880-6480'
)
MODULE_STATUS = choices(
    'offline', 'active', 'planned', 'staged', 'failed', 'decommissioning'
)
SITE_STATUS = choices(
    'planned', 'staging', 'active', 'decommissioning', 'retired'
)
MODULE_AIRFLOW = choices(
    'front-to-rear', 'rear-to-front', 'left-to-right', 'right-to-left', 'side-to-rear', 'passive'
)
POWERFEED_STATUS = choices(
    'offline', 'active', 'planned', 'failed'
)
POWERFEED_TYPE = choices(
    'primary', 'redundant'
)
POWERFEED_SUPPLY = choices(
    'ac', 'dc'
)
POWERFEED_PHASE = choices(
    'single-phase', 'three-phase'
)
POWER_OUTLET_TYPE = choices(
    'iec-60320-c5', 'iec-60320-c7', 'iec-60320-c13', 'iec-60320-c15', 'iec-60320-c17',
    'iec-60320-c19','iec-60320-c21', 'iec-60309-p-n-e-4h', 'iec-60309-p-n-e-6h', 'iec-60309-p-n-e-9h',
    'iec-60309-2p-e-4h','iec-60309-2p-e-6h', 'iec-60309-2p-e-9h', 'iec-60309-3p-e-4h', 'iec-60309-3p-e-6h',
    'iec-60309-3p-e-9h','iec-60309-3p-n-e-4h', 'iec-60309-3p-n-e-6h', 'iec-60309-3p-n-e-9h', 'iec-60906-1',
    'nbr-14136-10a','nbr-14136-20a', 'nema-1-15r', 'nema-5-15r', 'nema-5-20r', 'nema-5-30r', 'nema-5-50r',
    'nema-6-15r','nema-6-20r', 'nema-6-30r', 'nema-6-50r', 'nema-10-30r', 'nema-10-50r', 'nema-14-20r',
    'nema-14-30r','nema-14-50r', 'nema-14-60r', 'nema-15-15r', 'nema-15-20r', 'nema-15-30r', 'nema-15-50r',
    'nema-15-60r','nema-l1-15r', 'nema-l5-15r', 'nema-l5-20r', 'nema-l5-30r', 'nema-l5-50r', 'nema-l6-15r',
    'nema-l6-20r','nema-l6-30r', 'nema-l6-50r', 'nema-l10-30r', 'nema-l14-20r', 'nema-l14-30r', 'nema-l14-50r',
    'nema-l14-60r','nema-l15-20r', 'nema-l15-30r', 'nema-l15-50r', 'nema-l15-60r', 'nema-l21-20r', 'nema-l21-30r',
    'nema-l22-20r','nema-l22-30r', 'CS6360C', 'CS6364C', 'CS8164C', 'CS8264C', 'CS8364C', 'CS8464C', 'ita-e',
    'ita-f', 'ita-g','ita-h', 'ita-i', 'ita-j', 'ita-k', 'ita-l', 'ita-m', 'ita-n', 'ita-o', 'ita-multistandard',
    'usb-a', 'usb-micro-b', 'usb-c', 'molex-micro-fit-1x2', 'molex-micro-fit-2x2', 'molex-micro-fit-2x3',
    'molex-micro-fit-2x4','dc-terminal', 'eaton-c39', 'hdot-cx', 'saf-d-grid', 'neutrik-powercon-20a',
    'neutrik-powercon-32a', 'neutrik-powercon-true1', 'neutrik-powercon-true1-top', 'ubiquiti-smartpower',
    'hardwired', 'other'
)
FEED_LEG = choices(
    'A', 'B', 'C'
)
POWER_OUTLET_STATUS = choices(
    'enabled', 'disabled', 'faulty'
)
POWER_PORT_TYPE = choices(
    'iec-60320-c6', 'iec-60320-c8', 'iec-60320-c14', 'iec-60320-c16', 'iec-60320-c18',
    'iec-60320-c20','iec-60320-c22', 'iec-60309-p-n-e-4h', 'iec-60309-p-n-e-6h', 'iec-60309-p-n-e-9h',
    'iec-60309-2p-e-4h','iec-60309-2p-e-6h', 'iec-60309-2p-e-9h', 'iec-60309-3p-e-4h', 'iec-60309-3p-e-6h',
    'iec-60309-3p-e-9h','iec-60309-3p-n-e-4h', 'iec-60309-3p-n-e-6h', 'iec-60309-3p-n-e-9h', 'iec-60906-1',
    'nbr-14136-10a','nbr-14136-20a', 'nema-1-15p', 'nema-5-15p', 'nema-5-20p', 'nema-5-30p', 'nema-5-50p',
    'nema-6-15p','nema-6-20p', 'nema-6-30p', 'nema-6-50p', 'nema-10-30p', 'nema-10-50p', 'nema-14-20p',
    'nema-14-30p','nema-14-50p', 'nema-14-60p', 'nema-15-15p', 'nema-15-20p', 'nema-15-30p', 'nema-15-50p',
    'nema-15-60p','nema-l1-15p', 'nema-l5-15p', 'nema-l5-20p', 'nema-l5-30p', 'nema-l5-50p', 'nema-l6-15p',
    'nema-l6-20p','nema-l6-30p', 'nema-l6-50p', 'nema-l10-30p', 'nema-l14-20p', 'nema-l14-30p', 'nema-l14-50p',
    'nema-l14-60p','nema-l15-20p', 'nema-l15-30p', 'nema-l15-50p', 'nema-l15-60p', 'nema-l21-20p', 'nema-l21-30p',
    'nema-l22-20p','nema-l22-30p', 'cs6361c', 'cs6365c', 'cs8165c', 'cs8265c', 'cs8365c', 'cs8465c', 'ita-c',
    'ita-e', 'ita-f','ita-ef', 'ita-g', 'ita-h', 'ita-i', 'ita-j', 'ita-k', 'ita-l', 'ita-m', 'ita-n', 'ita-o',
    'usb-a', 'usb-b','usb-c', 'usb-mini-a', 'usb-mini-b', 'usb-micro-a', 'usb-micro-b', 'usb-micro-ab', 'usb-3-b',
    'usb-3-micro-b','molex-micro-fit-1x2', 'molex-micro-fit-2x2', 'molex-micro-fit-2x3', 'molex-micro-fit-2x4',
    'dc-terminal', 'saf-d-grid', 'neutrik-powercon-20', 'neutrik-powercon-32', 'neutrik-powercon-true1',
    'neutrik-powercon-true1-top','ubiquiti-smartpower', 'hardwired', 'other'
)
RESERVATION_STATUS = choices(
    'pending', 'active', 'stale'
)
RACK_FORM_FACTOR = choices(
    '2-post-frame', '4-post-frame', '4-post-cabinet', 'wall-frame', 'wall-frame-vertical', 'wall-cabinet',
    'wall-cabinet-vertical'
)
RACK_WIDTH = choices(
    '10', '19', '21', '23'
)
DIMENSION_UNIT = choices(
    'mm', 'in'
)
RACK_STATUS = choices(
    'reserved', 'available', 'planned', 'active', 'deprecated'
)
RACK_AIRFLOW = choices(
    'front-to-rear', 'rear-to-front'
)
VDC_STATUS = choices(
    'active', 'planned', 'offline'
)
CABLE_TYPE = choices(
    'cat3', 'cat5', 'cat5e', 'cat6', 'cat6a', 'cat7', 'cat7a', 'cat8', 'mrj21-trunk', 'dac-active', 'dac-passive',
    'coaxial', 'rg-6', 'rg-8', 'rg-11', 'rg-59', 'rg-62', 'rg-213', 'lmr-100', 'lmr-200', 'lmr-400', 'mmf', 'mmf-om1',
    'mmf-om2', 'mmf-om3', 'mmf-om4', 'mmf-om5', 'smf', 'smf-os1', 'smf-os2', 'aoc', 'power', 'usb',
)

# Cooling (NetBox 4.7)
COOLING_METHOD = choices(
    'air', 'liquid', 'hybrid', 'immersion'
)
RACK_COOLING_CAPABILITY = choices(
    'air-only', 'hybrid', 'liquid-only'
)
COOLING_SOURCE_TYPE = (
    ('chiller', 'Chiller'), ('cooling-tower', 'Cooling tower'), ('dry-cooler', 'Dry cooler'), ('crac', 'CRAC'),
    ('crah', 'CRAH'),
)
COOLING_STATUS = choices(
    'offline', 'active', 'planned', 'failed'
)
COOLING_FLUID_TYPE = choices(
    'water', 'water-glycol', 'dielectric', 'refrigerant'
)
COOLING_CONNECTOR_TYPE = (
    ('uqd', 'UQD'), ('uqdb', 'UQDB'), ('qdc', 'QDC'), ('camlock', 'Camlock'), ('npt', 'NPT'), ('bsp', 'BSP'),
    ('proprietary', 'Proprietary'),
)
DIAMETER_UNIT = (
    ('mm', 'Millimetres'), ('cm', 'Centimetres'), ('in', 'Inches'),
)
FLOW_UNIT = (
    ('lpm', 'Litres per minute'), ('m3ph', 'Cubic metres per hour'), ('gpm', 'Gallons per minute'),
)
