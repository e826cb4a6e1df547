"""NetBox's `utilities` import paths, as plugins use them (choices, form fields)."""
