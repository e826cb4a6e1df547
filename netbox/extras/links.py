"""Rendering the custom links of an object's page: one query for the links of its type, each text and URL rendered
in the template sandbox (all inside one rolled-back transaction), grouped for the page."""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.contenttypes.models import ContentType

from netbox.ui.schemes import url_allowed

from .models import CustomLink
from .rendering import RenderError, compile_template, render_compiled, rolled_back

# URL schemes that would run code in the browser rather than lead somewhere.
REFUSED_SCHEMES = ('javascript', 'data', 'vbscript')


class LinkButton:
    """One rendered link: its text, URL, colour and target, or the error that kept it from rendering."""

    def __init__(self, link, text='', url='', error=None):
        self.name = link.name
        self.text = text
        self.url = url
        self.button_class = link.button_class
        self.new_window = link.new_window
        self.error = error


def _render_link(link, context):
    try:
        text = render_compiled(compile_template(link.link_text), context).strip()
        if not text:
            return None  # empty text hides the link (conditional links)
        url = render_compiled(compile_template(link.link_url), context).strip()
    except RenderError as error:
        return LinkButton(link, error=f'Custom link "{link.name}": {error.message}')
    scheme = urlsplit(url).scheme.lower() if url else ''
    refused = scheme in REFUSED_SCHEMES or any(url.lower().lstrip().startswith(f'{s}:') for s in REFUSED_SCHEMES)
    if refused or not url_allowed(url):
        return LinkButton(link, error=f'Custom link "{link.name}": the URL scheme "{scheme}" is refused '
                                      f'(ALLOWED_URL_SCHEMES).')
    return LinkButton(link, text=text, url=url)


def custom_links_for(obj, request):
    """[(group name or '', [LinkButton])] for the page of `obj`, in weight order: an ungrouped link is an entry of
    its own, the links of a group share one entry (a dropdown) placed where its lightest link falls."""
    content_type = ContentType.objects.get_for_model(type(obj))
    links = list(CustomLink.objects.filter(object_types=content_type, enabled=True).order_by('weight', 'name'))
    if not links:
        return []
    user = request.user
    context = {'object': obj, 'obj': obj, 'debug': settings.DEBUG, 'request': request, 'user': user,
               'perms': PermWrapper(user)}
    entries, groups = [], {}
    with rolled_back():
        for link in links:
            button = _render_link(link, context)
            if button is None:
                continue
            if not link.group_name:
                entries.append(('', [button]))
            elif link.group_name in groups:
                groups[link.group_name].append(button)
            else:
                groups[link.group_name] = [button]
                entries.append((link.group_name, groups[link.group_name]))
    return entries
