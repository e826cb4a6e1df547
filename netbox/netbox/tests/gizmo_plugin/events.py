"""The gizmo plugin's events pipeline step: it keeps the events it is given (the tests read them)."""

received = []


def record_events(events):
    received.extend(events)
