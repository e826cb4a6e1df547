"""UI pages for cabling: connect a component, trace its path (drawn as SVG), and connection lists."""
from xml.sax.saxutils import escape, quoteattr

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views import View

from netbox.permissions import has_permission, object_permitted

from .cabling import COMPATIBLE, attach_cable_data, trace_segments
from .choices import CABLE_STATUS, CABLE_TYPE
from .models import Cable, Device

BOX_WIDTH, BOX_HEIGHT, CABLE_HEIGHT, MARGIN = 320, 56, 70, 20


def _label(obj):
    device = getattr(obj, 'device', None) or getattr(obj, 'power_panel', None)
    return f'{device} — {obj}' if device is not None else str(obj)


def _box(x, y, objects, fill, kind):
    names = ', '.join(str(o) for o in objects) or 'Not connected'
    parent = ''
    if objects:
        holder = getattr(objects[0], 'device', None) or getattr(objects[0], 'power_panel', None) or \
            getattr(objects[0], 'circuit', None)
        parent = str(holder) if holder is not None else ''
    href = objects[0].get_absolute_url() if objects else ''
    text = (f'<text x="{x + BOX_WIDTH / 2}" y="{y + 22}" text-anchor="middle" font-weight="bold">{escape(parent)}'
            f'</text><text x="{x + BOX_WIDTH / 2}" y="{y + 42}" text-anchor="middle">{escape(names)}</text>')
    rect = (f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" stroke="#555" '
            f'class="trace-box trace-{kind}"/>')
    return f'<a href={quoteattr(href)}>{rect}{text}</a>' if href else rect + text


def _link(x, y, label, colour, dash):
    centre = x + BOX_WIDTH / 2
    return (f'<line x1="{centre}" y1="{y}" x2="{centre}" y2="{y + CABLE_HEIGHT}" stroke="{colour}" stroke-width="4"'
            f'{dash}/><text x="{centre + 12}" y="{y + CABLE_HEIGHT / 2 + 4}">{label}</text>')


def trace_svg(segments):
    """The path drawn top to bottom: a box per set of terminations, a line per cable with its label."""
    x, y = MARGIN, MARGIN
    parts = []
    for index, (near, cable, far) in enumerate(segments):
        parts.append(_box(x, y, near, '#e8f0fe', 'near'))
        y += BOX_HEIGHT
        if cable is None:
            if far:  # a circuit ending on a provider network: no cable, the network is the far end
                parts.append(_link(x, y, escape(str(far[0])), '#777', ' stroke-dasharray="2,4"'))
                parts.append(_box(x, y + CABLE_HEIGHT, far, '#e6f4ea', 'end'))
                y += CABLE_HEIGHT + BOX_HEIGHT
            break
        colour = f'#{cable.color}' if cable.color else '#333'
        dash = '' if cable.status == 'connected' else ' stroke-dasharray="6,4"'
        centre = x + BOX_WIDTH / 2
        parts.append(f'<a href={quoteattr(cable.get_absolute_url())}><line x1="{centre}" y1="{y}" x2="{centre}" '
                     f'y2="{y + CABLE_HEIGHT}" stroke="{colour}" stroke-width="4"{dash}/>'
                     f'<text x="{centre + 12}" y="{y + CABLE_HEIGHT / 2 + 4}">{escape(str(cable))} '
                     f'({escape(cable.get_status_display())})</text></a>')
        y += CABLE_HEIGHT
        parts.append(_box(x, y, far, '#fef7e0', 'far'))
        y += BOX_HEIGHT
        circuit = getattr(far[0], 'circuit', None) if far else None
        if circuit is not None and index + 1 < len(segments):  # the path crosses the circuit to its other end
            parts.append(_link(x, y, f'Circuit {escape(str(circuit))}', '#1a73e8', ' stroke-dasharray="10,4"'))
            y += CABLE_HEIGHT
        else:
            y += 16
    height = y + MARGIN
    width = BOX_WIDTH + 2 * MARGIN + 200
    # class="cable-trace": netbox.css recolours the boxes and text for the dark theme.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="cable-trace" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">{"".join(parts)}</svg>')


class CableTraceView(View):
    """The path of one component, drawn and listed."""

    model = None

    def get(self, request, pk):
        obj = get_object_or_404(self.model.objects.restrict(request.user, 'view'), pk=pk)
        path = obj._path if getattr(obj, '_path_id', None) else None
        if path is None:
            from .api_cables import first_path_through

            path = first_path_through(obj)
        segments = trace_segments(path) if path is not None else [([obj], None, [])]
        return render(request, 'dcim/cable_trace.html', {
            'object': obj,
            'segments': segments,
            'svg': mark_safe(trace_svg(segments)),  # built from escaped text only
            'path': path,
        })


def _content_type(label):
    try:
        app_label, model = label.lower().split('.')
        return ContentType.objects.get_by_natural_key(app_label, model)
    except (ValueError, AttributeError, ContentType.DoesNotExist):
        raise Http404(f'Unknown object type {label!r}')


class CableConnectView(View):
    """Connect a component to another: choose the far end's type, device and component, then create the cable."""

    def get_a_side(self, request):
        content_type = _content_type(request.GET.get('a_type', ''))
        model = content_type.model_class()
        if content_type.model not in COMPATIBLE:
            raise Http404('This kind of object cannot be cabled.')
        return get_object_or_404(model.objects.restrict(request.user, 'view'), pk=request.GET.get('a_id'))

    def context(self, request, a_side, errors=None):
        b_types = sorted(COMPATIBLE[a_side._meta.model_name] - {'circuittermination'})
        b_type = request.POST.get('b_type') or request.GET.get('b_type') or b_types[0]
        if b_type not in b_types:
            b_type = b_types[0]
        device_id = request.POST.get('b_device') or request.GET.get('b_device')
        device = Device.objects.restrict(request.user, 'view').filter(pk=device_id).first() if device_id else None
        candidates = []
        if device is not None:
            model = ContentType.objects.get_by_natural_key('dcim', b_type).model_class()
            candidates = model.objects.restrict(request.user, 'view').filter(device=device, cable__isnull=True)
            if b_type == 'interface':
                candidates = candidates.exclude(type__in=('virtual', 'bridge', 'lag'))
            candidates = candidates.exclude(pk=a_side.pk) if model is type(a_side) else candidates
        return {
            'a_side': a_side, 'b_types': b_types, 'b_type': b_type, 'device': device,
            'devices_api': '/api/dcim/devices/', 'candidates': candidates, 'errors': errors or {},
            'status_choices': CABLE_STATUS, 'type_choices': CABLE_TYPE,
            'return_url': request.GET.get('return_url') or a_side.get_absolute_url(),
        }

    def get(self, request):
        if not has_permission(request.user, Cable, 'add'):
            raise PermissionDenied
        if not request.GET.get('a_id'):
            return self.choose_a_side(request)
        a_side = self.get_a_side(request)
        return render(request, 'dcim/cable_connect.html', self.context(request, a_side))

    def choose_a_side(self, request):
        """Started from the menu rather than a component: first pick the near end."""
        a_types = sorted(set(COMPATIBLE) - {'circuittermination'})
        a_type = request.GET.get('a_kind') if request.GET.get('a_kind') in a_types else 'interface'
        device_id = request.GET.get('a_device')
        device = Device.objects.restrict(request.user, 'view').filter(pk=device_id).first() if device_id else None
        candidates = []
        if device is not None:
            model = ContentType.objects.get_by_natural_key('dcim', a_type).model_class()
            candidates = model.objects.restrict(request.user, 'view').filter(device=device, cable__isnull=True)
        return render(request, 'dcim/cable_start.html', {
            'a_types': a_types, 'a_type': a_type, 'device': device, 'candidates': candidates,
            'devices_api': '/api/dcim/devices/',
        })

    def post(self, request):
        if not has_permission(request.user, Cable, 'add'):
            raise PermissionDenied
        a_side = self.get_a_side(request)
        context = self.context(request, a_side)
        ids = request.POST.getlist('b_terminations')
        b_side = [obj for obj in context['candidates'] if str(obj.pk) in ids] if context['candidates'] else []
        cable = Cable(status=request.POST.get('status') or 'connected', type=request.POST.get('type') or None,
                      label=request.POST.get('label', ''), color=request.POST.get('color', '').lstrip('#'))
        cable.a_terminations = [a_side]
        cable.b_terminations = b_side
        try:
            with transaction.atomic():
                if not b_side:
                    raise ValidationError({'b_terminations': 'Choose at least one component to connect to.'})
                cable.full_clean()
                cable.save()
                if not object_permitted(request.user, cable, 'add'):
                    raise PermissionDenied('You may not create this cable.')
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, 'error_dict') else {'__all__': exc.messages}
            return render(request, 'dcim/cable_connect.html', self.context(request, a_side, errors), status=400)
        messages.success(request, f'Connected {_label(a_side)} to {", ".join(_label(b) for b in b_side)}.')
        return redirect(context['return_url'])


class ConnectionListView(View):
    """Every cabled endpoint of one kind with what it reaches at the far end."""

    model = None
    per_page = 50

    def get(self, request):
        queryset = (self.model.objects.restrict(request.user, 'view').filter(cable__isnull=False)
                    .select_related('device', 'cable', '_path').order_by('device__name', 'name'))
        if request.GET.get('device_id'):
            queryset = queryset.filter(device_id=request.GET['device_id'])
        page = Paginator(queryset, self.per_page).get_page(request.GET.get('page'))
        rows = [(row, row._connected_endpoints or [], row._connected_reachable)
                for row in attach_cable_data(list(page.object_list))]
        return render(request, 'dcim/connections_list.html', {
            'title': f'{self.model._meta.verbose_name.title()} connections', 'rows': rows, 'page': page,
        })


def component_ui_routes(model):
    trace = type(f'{model.__name__}TraceUIView', (CableTraceView,), {'model': model})
    return (('<int:pk>/trace/', trace.as_view(), 'trace'),)


def connection_routes(model):
    listing = type(f'{model.__name__}ConnectionsView', (ConnectionListView,), {'model': model})
    return (('connections/', listing.as_view(), 'connections'),)


def cable_cell(obj):
    """A component's cable in tables and pages: a link to it, or a Connect button for a free component."""
    from django.urls import reverse
    from django.utils.html import format_html

    if obj.cable_id:
        return format_html('<a href="{}">{}</a>', obj.cable.get_absolute_url(), obj.cable)
    if obj.mark_connected:
        return format_html('<span class="muted">{}</span>', 'Marked connected')
    url = f'{reverse("dcim:cable_connect")}?a_type=dcim.{obj._meta.model_name}&a_id={obj.pk}'
    return format_html('<a class="btn btn-primary btn-sm" href="{}">{}</a>', url, 'Connect')
