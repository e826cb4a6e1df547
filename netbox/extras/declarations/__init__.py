"""How the extras app's models are exposed: one module per feature, imported here so that they register."""
from . import attachments, configcontexts, customfields, exporttemplates, journal, templates  # noqa: F401
