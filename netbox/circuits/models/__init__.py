"""Providers, circuits, their terminations, groups and virtual circuits."""
from .circuits import Circuit, CircuitGroup, CircuitGroupAssignment, CircuitTermination, CircuitType
from .providers import Provider, ProviderAccount, ProviderNetwork
from .virtual_circuits import VirtualCircuit, VirtualCircuitTermination, VirtualCircuitType

__all__ = ('Circuit', 'CircuitGroup', 'CircuitGroupAssignment', 'CircuitTermination', 'CircuitType', 'Provider',
           'ProviderAccount', 'ProviderNetwork', 'VirtualCircuit', 'VirtualCircuitTermination', 'VirtualCircuitType')
