"""NetBox's `utilities.forms` import paths, for plugins' forms."""
