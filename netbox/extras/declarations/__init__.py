"""How the extras app's models are exposed: one module per feature, imported here so that they register."""
from . import customfields, notifications, savedfilters, taggeditems, templates  # noqa: F401
