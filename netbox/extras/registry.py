"""The application registry at the path NetBox's plugins import it from (`from extras.registry import registry`):
the same object as netbox.registry.registry."""
from netbox.registry import registry

__all__ = ('registry',)
