#!/usr/bin/env python
"""
Benchmark cable tracing against a throw-away database.

    venv/bin/python scripts/bench/cable_trace.py [--traces 50] [--keep-db]

Builds interface -> patch panel -> ... -> interface across 5 cables (4 patch panels in the middle), then measures
(a) GET /api/dcim/interfaces/<id>/trace/ (median of --traces requests), (b) recomputing both paths when the middle
cable is replaced (delete + create, median of 10), (c) GET /api/dcim/interfaces/?limit=1000 with every
interface cabled (connected endpoints included), and (d) a trace across a circuit (interface -> patch panel ->
termination A == circuit == termination Z -> patch panel -> interface) with (e) its paths rebuilt when the Z
termination is moved to another circuit and back. Uses the database helpers of dcim_api.py (BENCH_DB_NAME).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)

CABLES = 5


def build_chain():
    """Two interfaces joined by CABLES cables through CABLES - 1 single-position patch panels."""
    from dcim.models import Cable, Device, FrontPort, Interface, PortMapping, RearPort
    from netbox.testing import make

    def cable(a, b):
        new = Cable()
        new.a_terminations, new.b_terminations = [a], [b]
        new.save()
        return new

    left = Interface.objects.create(device=make(Device, name='trace-left'), name='eth0', type='1000base-t')
    right = Interface.objects.create(device=make(Device, name='trace-right'), name='eth0', type='1000base-t')
    panels = []
    for n in range(CABLES - 1):
        panel = make(Device, name=f'panel-{n}')
        front = FrontPort.objects.create(device=panel, name='front', type='lc')
        rear = RearPort.objects.create(device=panel, name='rear', type='lc')
        PortMapping.objects.create(front_port=front, rear_port=rear)
        panels.append((front, rear))
    # left -> front0 | rear0 -> rear1 | front1 -> front2 | rear2 -> rear3 | front3 -> right
    cables = [cable(left, panels[0][0]), cable(panels[0][1], panels[1][1]), cable(panels[1][0], panels[2][0]),
              cable(panels[2][1], panels[3][1]), cable(panels[3][0], right)]
    return left, right, cables, cable


def bench_rebuild(cables, cable):
    import time

    from dcim.models import Cable

    samples = []
    middle = cables[2]
    for _ in range(10):
        a, b = middle.a_terminations, middle.b_terminations
        started = time.perf_counter()
        Cable.objects.get(pk=middle.pk).delete()
        middle = cable(a[0], b[0])
        samples.append((time.perf_counter() - started, 0))
    return samples


def build_circuit(cable):
    """left -> front | rear -> term A == circuit == term Z -> rear | front -> right."""
    from django.contrib.contenttypes.models import ContentType

    from circuits.models import Circuit, CircuitTermination
    from dcim.models import Device, FrontPort, Interface, PortMapping, RearPort, Site
    from netbox.testing import make

    site = make(Site)
    site_type = ContentType.objects.get_for_model(Site)
    circuit = make(Circuit)
    ends = [CircuitTermination.objects.create(circuit=circuit, term_side=side, termination_type=site_type,
                                              termination_id=site.pk) for side in ('A', 'Z')]
    left = Interface.objects.create(device=make(Device, name='circuit-left'), name='eth0', type='1000base-t')
    right = Interface.objects.create(device=make(Device, name='circuit-right'), name='eth0', type='1000base-t')
    ports = []
    for n in range(2):
        panel = make(Device, name=f'circuit-panel-{n}')
        front = FrontPort.objects.create(device=panel, name='front', type='lc')
        rear = RearPort.objects.create(device=panel, name='rear', type='lc')
        PortMapping.objects.create(front_port=front, rear_port=rear)
        ports.append((front, rear))
    cable(left, ports[0][0])
    cable(ports[0][1], ends[0])
    cable(ends[1], ports[1][1])
    cable(ports[1][0], right)
    return left, right, circuit, ends[1]


def bench_circuit_move(circuit, z):
    import time

    from circuits.models import Circuit
    from netbox.testing import make

    spare = make(Circuit, provider=circuit.provider)
    samples = []
    for _ in range(10):
        started = time.perf_counter()
        z.circuit = spare
        z.save()
        z.circuit = circuit
        z.save()
        samples.append((time.perf_counter() - started, 0))
    return samples


def cabled_interfaces(wanted):
    from dcim.models import Cable, Device, Interface
    from netbox.testing import make

    device_a, device_b = make(Device, name='bulk-a'), make(Device, name='bulk-b')
    for n in range(wanted // 2):
        a = Interface.objects.create(device=device_a, name=f'a{n}', type='1000base-t')
        b = Interface.objects.create(device=device_b, name=f'b{n}', type='1000base-t')
        new = Cable()
        new.a_terminations, new.b_terminations = [a], [b]
        new.save()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--traces', type=int, default=50, help='trace requests to time (default 50)')
    parser.add_argument('--keep-db', action='store_true', help=f'leave the {bench.DB_NAME} database in place')
    args = parser.parse_args()

    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        client = bench.api_client()
        left, right, cables, cable = build_chain()
        url = f'/api/dcim/interfaces/{left.pk}/trace/'
        bench.timed(lambda: client.get(url))
        traces = []
        for _ in range(args.traces):
            elapsed, queries, response = bench.timed(lambda: client.get(url))
            if response.status_code != 200 or response.json()[-1][2][0]['id'] != right.pk:
                raise SystemExit(f'trace failed ({response.status_code}): {response.content[:300]}')
            traces.append((elapsed, queries))
        rebuilds = bench_rebuild(cables, cable)
        c_left, c_right, circuit, z_end = build_circuit(cable)
        c_url = f'/api/dcim/interfaces/{c_left.pk}/trace/'
        bench.timed(lambda: client.get(c_url))
        circuit_traces = []
        for _ in range(args.traces):
            elapsed, queries, response = bench.timed(lambda: client.get(c_url))
            if response.status_code != 200 or response.json()[-1][2][0]['id'] != c_right.pk:
                raise SystemExit(f'circuit trace failed ({response.status_code}): {response.content[:300]}')
            circuit_traces.append((elapsed, queries))
        moves = bench_circuit_move(circuit, z_end)
        cabled_interfaces(bench.LIST_SIZE)
        lists, rows = bench.bench_lists(client, 10)
        print()
        bench.report(f'(a) GET trace across {CABLES} cables (n={args.traces})', traces)
        bench.report('(b) replace middle cable, paths rebuilt (n=10)', rebuilds)
        bench.report(f'(c) GET {rows} cabled interfaces (n=10)', lists)
        bench.report(f'(d) GET trace across a circuit and 2 patch panels (n={args.traces})', circuit_traces)
        bench.report('(e) move termination Z away and back, paths rebuilt twice (n=10)', moves)


if __name__ == '__main__':
    main()
