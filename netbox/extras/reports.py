"""
Legacy reports: classes of `test_*` methods that check the data and log what they find, object first:

    from extras.reports import Report

    class DeviceIPsReport(Report):
        description = 'Check that every device has a primary IP address'

        def test_primary_ip(self):
            for device in Device.objects.all():
                if device.primary_ip is None:
                    self.log_failure(device, 'No primary IP address')
                else:
                    self.log_success(device)

A report is run like a script (it is one, without variables): each test method in turn, a failure marking the run
failed. Reports live under REPORTS_ROOT (or SCRIPTS_ROOT) and are listed with the scripts.
"""
from .scripts import BaseScript

__all__ = ('Report',)


class Report(BaseScript):
    """A legacy report: its `test_*` methods run in name order; `log_*(obj, message)` take the object first."""

    class Meta:
        commit_default = False

    def log(self, message):
        """A message tied to no object and no status (shown as info)."""
        self._log(message, None, 'info')

    def log_success(self, obj=None, message=None):
        self._log(message, obj, 'success')

    def log_info(self, obj=None, message=None):
        self._log(message, obj, 'info')

    def log_warning(self, obj=None, message=None):
        self._log(message, obj, 'warning')

    def log_failure(self, obj=None, message=None):
        self._log(message, obj, 'failure')

    def log_debug(self, obj=None, message=None):
        self._log(message, obj, 'debug')

    @property
    def result(self):
        return {'log': self.messages, 'tests': self.tests, 'failed': self.failed}

    def post_run(self):
        """Called after the tests ran (self.failed tells how); override to act on the outcome."""

    def run_tests(self):
        super().run_tests()
        self.post_run()
