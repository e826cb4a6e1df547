"""How the extras app's models are exposed: one module per feature, imported here so that they register."""
from . import (  # noqa: F401
    attachments,
    configcontexts,
    customfields,
    eventrules,
    exporttemplates,
    journal,
    notifications,
    savedfilters,
    scripts,
    taggeditems,
    templates,
    webhooks,
)
