"""ALLOWED_URL_SCHEMES: which links the UI renders as links. Anything else is shown as plain text."""
from urllib.parse import urlsplit

from netbox.dynamic_config import get_config


def allowed_url_schemes():
    return {scheme.lower() for scheme in get_config().ALLOWED_URL_SCHEMES}


def url_allowed(value):
    """Whether `value` may be an href: relative, or with a scheme in ALLOWED_URL_SCHEMES."""
    # urlsplit drops leading controls and embedded tabs/newlines the way browsers do ("java\\tscript:" included).
    scheme = urlsplit(str(value).strip()).scheme.lower()
    return not scheme or scheme in allowed_url_schemes()
