"""NetBox-style views for plugins (netbox.views.generic), served by the generic views of netbox.ui."""
