#!/bin/sh
#
# Daily housekeeping for NetBox: deletes expired sessions, change log records and job results older than their
# retention periods, and other stale data (see docs/administration/housekeeping.md).
#
# Install it for cron, for example:
#     ln -s /opt/netbox/contrib/netbox-housekeeping.sh /etc/cron.daily/netbox-housekeeping
# or add a crontab line (as the user NetBox runs as):
#     30 4 * * * NETBOX_ROOT=/opt/netbox /opt/netbox/contrib/netbox-housekeeping.sh
#
# NETBOX_ROOT is the checkout (holding manage.py and venv/); by default, the folder above this script's real location.
set -eu

if [ -z "${NETBOX_ROOT:-}" ]; then
    script="$(readlink -f "$0")"
    NETBOX_ROOT="$(cd "$(dirname "$script")/.." && pwd)"
fi

if [ ! -x "$NETBOX_ROOT/venv/bin/python" ] || [ ! -f "$NETBOX_ROOT/manage.py" ]; then
    echo "netbox-housekeeping: no venv/bin/python or manage.py in $NETBOX_ROOT (set NETBOX_ROOT)" >&2
    exit 1
fi

exec "$NETBOX_ROOT/venv/bin/python" "$NETBOX_ROOT/manage.py" housekeeping
