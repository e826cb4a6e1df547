"""
Markdown written by users (comments, journal entries) rendered to HTML that is safe to show: the Markdown is
converted, then the HTML is cleaned by nh3 to an allow-list of tags and attributes. Scripts, event handlers,
links outside ALLOWED_URL_SCHEMES (`javascript:` is never
allowed), styles and embedded frames never survive; links get `rel="noopener noreferrer"`.
"""
import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

from .schemes import allowed_url_schemes

ALLOWED_TAGS = {
    'a', 'abbr', 'b', 'blockquote', 'br', 'code', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'h1', 'h2', 'h3', 'h4',
    'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'ol', 'p', 'pre', 's', 'span', 'strong', 'sub', 'sup',
    'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
}
ALLOWED_ATTRIBUTES = {
    'a': {'href', 'title'},
    'abbr': {'title'},
    'img': {'src', 'alt', 'title', 'width', 'height'},
    'td': {'align'},
    'th': {'align'},
}
# Schemes that run code in the browser, never links whatever the configuration says.
REFUSED_SCHEMES = {'javascript', 'data', 'vbscript'}
EXTENSIONS = ('fenced_code', 'tables', 'sane_lists', 'nl2br')


def render_markdown(text):
    """`text` (Markdown) as safe HTML; an empty text gives an empty string."""
    if not text:
        return mark_safe('')
    # Raw HTML in the source is passed through by Markdown and then cleaned below like the rest.
    html = markdown_lib.markdown(str(text), extensions=EXTENSIONS, output_format='html')
    schemes = allowed_url_schemes() - REFUSED_SCHEMES
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=schemes,
                        link_rel='noopener noreferrer', strip_comments=True)
    return mark_safe(cleaned)  # noqa: S308  (nh3 has just reduced it to the allow-list)


# Banners are HTML written by administrators: simple inline formatting and links only.
BANNER_TAGS = {'a', 'b', 'br', 'code', 'em', 'i', 'p', 's', 'small', 'span', 'strong', 'u'}
BANNER_ATTRIBUTES = {'a': {'href', 'title'}}


def sanitize_banner(html):
    """A banner's HTML reduced to the allow-list: no scripts, event handlers or `javascript:` links survive."""
    if not html:
        return mark_safe('')
    schemes = allowed_url_schemes() - REFUSED_SCHEMES
    cleaned = nh3.clean(str(html), tags=BANNER_TAGS, attributes=BANNER_ATTRIBUTES, url_schemes=schemes,
                        link_rel='noopener noreferrer', strip_comments=True)
    return mark_safe(cleaned)  # noqa: S308  (nh3 has just reduced it to the allow-list)
