"""Renderers: JSON through orjson, and the browsable API without its HTML forms (rendering them would load every
related table)."""
import orjson
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.utils import encoders


class FormlessBrowsableAPIRenderer(BrowsableAPIRenderer):
    def show_form_for_method(self, *args, **kwargs):
        return False

    def get_filter_form(self, data, view, request):
        return None


class FastJSONRenderer(JSONRenderer):
    """
    JSON through orjson: the same document DRF's renderer writes (compact, UTF-8, U+2028/U+2029 escaped), several
    times faster for big lists. Values orjson has no form for (decimals, lazy strings, datetimes, which DRF writes
    with a 'Z') go through DRF's own encoder; what orjson refuses outright (an integer beyond 64 bits) and indented
    output fall back to DRF's renderer.
    """

    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b''
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                output = orjson.dumps(data, default=_encode_other, option=self.options)
            except (orjson.JSONEncodeError, TypeError, ValueError):
                pass
            else:
                if b'\xe2\x80\xa8' in output or b'\xe2\x80\xa9' in output:
                    output = output.replace(b'\xe2\x80\xa8', b'\\u2028').replace(b'\xe2\x80\xa9', b'\\u2029')
                return output
        return super().render(data, accepted_media_type, renderer_context)


_encode_other = encoders.JSONEncoder().default


class PlainTextRenderer(BaseRenderer):
    """Text as it is (a rendered configuration), for clients that ask for text/plain; anything else as JSON."""

    media_type = 'text/plain'
    format = 'txt'
    charset = 'utf-8'

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return FastJSONRenderer().render(data, accepted_media_type, renderer_context)
