"""Prints the REST conformance summary at the end of the run, whichever process ran the test (xdist or not)."""

SUMMARY_PROPERTY = 'conformance_summary'
_summaries = []


def pytest_runtest_logreport(report):
    # user_properties travel with the report from xdist workers to the controller.
    for name, value in getattr(report, 'user_properties', ()):
        if name == SUMMARY_PROPERTY and report.when == 'call' and value not in _summaries:
            _summaries.append(value)


def pytest_terminal_summary(terminalreporter):
    for summary in _summaries:
        terminalreporter.section('REST conformance with NetBox 4.7.3')
        terminalreporter.write_line(summary)
