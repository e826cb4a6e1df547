"""Keep circuits' A/Z termination pointers and the cable paths crossing circuits current when a termination is
added, moved (another circuit or side) or deleted."""
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Circuit, CircuitTermination


def update_circuit_ends(circuit_ids):
    """Point each circuit's termination_a/termination_z at its current A and Z terminations."""
    for circuit_id in {pk for pk in circuit_ids if pk}:
        ends = dict(CircuitTermination.objects.filter(circuit_id=circuit_id).values_list('term_side', 'pk'))
        Circuit.objects.filter(pk=circuit_id).update(termination_a_id=ends.get('A'), termination_z_id=ends.get('Z'))


def retrace_circuits(circuit_ids, extra=()):
    """Recompute the paths that reach any termination of the circuits (or the given objects)."""
    from dcim.cabling import affected_paths, rebuild_paths

    terminations = list(CircuitTermination.objects.filter(circuit_id__in=[pk for pk in circuit_ids if pk]))
    paths = affected_paths(terminations + list(extra))
    if paths:
        rebuild_paths(paths)


@receiver(pre_save, sender=CircuitTermination)
def remember_place(sender, instance, **kwargs):
    instance._previous = None
    if instance.pk:
        instance._previous = CircuitTermination.objects.filter(pk=instance.pk).values_list(
            'circuit_id', 'term_side', 'termination_type_id', 'termination_id').first()


@receiver(post_save, sender=CircuitTermination)
def termination_saved(sender, instance, created, **kwargs):
    previous = getattr(instance, '_previous', None)
    now = (instance.circuit_id, instance.term_side, instance.termination_type_id, instance.termination_id)
    if previous == now:
        return
    circuits = {instance.circuit_id, previous[0] if previous else None}
    update_circuit_ends(circuits)
    retrace_circuits(circuits, extra=[instance])


@receiver(post_delete, sender=CircuitTermination)
def termination_deleted(sender, instance, **kwargs):
    update_circuit_ends([instance.circuit_id])
    retrace_circuits([instance.circuit_id], extra=[instance])
