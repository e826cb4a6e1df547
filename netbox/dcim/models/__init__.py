"""DCIM models, split by topic; import them from `dcim.models` as usual."""
from .cables import Cable, CableBundle, CablePath, CableTermination, resolve_references
from .components import (
    ConsolePort,
    ConsoleServerPort,
    DeviceBay,
    FrontPort,
    Interface,
    InventoryItem,
    InventoryItemRole,
    ModuleBay,
    PortMapping,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from .cooling import CoolingFeed, CoolingIntake, CoolingOutflow, CoolingSource
from .device_types import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    CoolingIntakeTemplate,
    CoolingOutflowTemplate,
    DeviceBayTemplate,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    Manufacturer,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    PortTemplateMapping,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)
from .devices import Device, DeviceRole, MACAddress, Module, Platform, VirtualChassis, VirtualDeviceContext
from .power import PowerFeed, PowerPanel
from .racks import Rack, RackGroup, RackReservation, RackRole, RackType
from .sites import Location, Region, Site, SiteGroup

__all__ = (
    'Cable', 'CableBundle', 'CablePath', 'CableTermination', 'ConsolePort', 'ConsolePortTemplate', 'ConsoleServerPort',
    'ConsoleServerPortTemplate', 'CoolingFeed', 'CoolingIntake', 'CoolingIntakeTemplate', 'CoolingOutflow',
    'CoolingOutflowTemplate', 'CoolingSource', 'Device', 'DeviceBay', 'DeviceBayTemplate', 'DeviceRole', 'DeviceType',
    'FrontPort', 'FrontPortTemplate', 'Interface', 'InterfaceTemplate', 'InventoryItem', 'InventoryItemRole',
    'InventoryItemTemplate', 'Location', 'MACAddress', 'Manufacturer', 'Module', 'ModuleBay', 'ModuleBayTemplate',
    'ModuleBayType', 'ModuleType', 'ModuleTypeProfile', 'Platform', 'PortMapping', 'PortTemplateMapping', 'PowerFeed',
    'PowerOutlet', 'PowerOutletTemplate', 'PowerPanel', 'PowerPort', 'PowerPortTemplate', 'Rack', 'RackGroup',
    'RackReservation',
    'RackRole', 'RackType', 'RearPort', 'RearPortTemplate', 'Region', 'resolve_references', 'Site', 'SiteGroup',
    'VirtualChassis', 'VirtualDeviceContext',
)
