"""The browsable API without its HTML forms (rendering them would load every related table)."""
from rest_framework.renderers import BrowsableAPIRenderer


class FormlessBrowsableAPIRenderer(BrowsableAPIRenderer):
    def show_form_for_method(self, *args, **kwargs):
        return False

    def get_filter_form(self, data, view, request):
        return None
