"""How webhooks are exposed."""
from netbox.graphql.specs import GenericReverse
from netbox.registry import Declaration, declare

from ..models import Webhook


@declare
class WebhookDeclaration(Declaration):
    model = Webhook
    fields = ('name', 'description', 'payload_url', 'http_method', 'http_content_type', 'additional_headers',
              'body_template', 'secret', 'ssl_verification', 'ca_file_path', 'timeout', 'owner', 'tags',
              'created', 'last_updated')
    brief = ('name', 'description')
    # The event rules whose action is this webhook.
    graphql_filters = {'events': GenericReverse('extras.EventRule', 'action_object')}
    bare_choices = ('http_method',)
    filters = ('name', 'description', 'payload_url', 'http_method', 'http_content_type', 'secret',
               'ssl_verification', 'ca_file_path', 'timeout', 'owner', 'tags', 'created', 'last_updated')
    filter_lookups = {'payload_url': 'exact'}  # NetBox filters the URL exactly only
    search = ('name', 'description', 'payload_url')
    table = ('name', 'http_method', 'payload_url', 'http_content_type', 'ssl_verification', 'timeout',
             'description', 'tags')
    menu = ('Operations', 'Integrations')
