"""The event rule form: event types are offered as checkboxes (a list of choices), conditions are checked, and an
edited rule shows its event types ticked; EVENTS_PIPELINE is a documented parameter with NetBox's default."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Site
from extras.models import EventRule, Webhook

pytestmark = pytest.mark.django_db

ADD = '/extras/event-rules/add/'


def test_the_form_offers_event_types_as_checkboxes(admin_client):
    webhook = Webhook.objects.create(name='hook', payload_url='https://example.com/hook')
    page = admin_client.get(ADD).content.decode()
    for value in ('object_created', 'object_updated', 'object_deleted', 'job_failed'):
        assert f'type="checkbox" name="event_types" value="{value}"' in page
    form = {'name': 'From the UI', 'enabled': 'on', 'event_types': ['object_created', 'object_deleted'],
            'object_types': [ContentType.objects.get_for_model(Site).pk], 'action_type': 'webhook',
            'action_object_type': ContentType.objects.get_for_model(Webhook).pk, 'action_object_id': webhook.pk,
            'conditions': '{"attr": "status.value", "value": "active"}', 'action_data': ''}
    response = admin_client.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    rule = EventRule.objects.get()
    assert rule.event_types == ['object_created', 'object_deleted'] and rule.action_object == webhook
    assert rule.conditions == {'attr': 'status.value', 'value': 'active'}
    edit = admin_client.get(f'/extras/event-rules/{rule.pk}/edit/').content.decode()
    assert 'value="object_deleted" id="id_event_types_2" checked' in edit
    assert 'value="object_updated" id="id_event_types_1" checked' not in edit


@pytest.mark.parametrize('change, message', [
    ({'event_types': ['object_renamed']}, 'Select a valid choice'),
    ({'event_types': []}, 'This field is required'),
    ({'conditions': '{"or": []}'}, 'non-empty list'),
])
def test_the_form_refuses_bad_values(admin_client, change, message):
    webhook = Webhook.objects.create(name='hook', payload_url='https://example.com/hook')
    form = {'name': 'Bad', 'enabled': 'on', 'event_types': ['object_created'],
            'object_types': [ContentType.objects.get_for_model(Site).pk], 'action_type': 'webhook',
            'action_object_type': ContentType.objects.get_for_model(Webhook).pk, 'action_object_id': webhook.pk,
            'conditions': '', 'action_data': '', **change}
    response = admin_client.post(ADD, form)
    assert response.status_code == 200 and message in response.content.decode()
    assert not EventRule.objects.exists()


def test_events_pipeline_defaults_to_the_event_rules(settings):
    from netbox.configuration_loader import OPTIONAL_DEFAULTS

    assert OPTIONAL_DEFAULTS['EVENTS_PIPELINE'] == ['extras.events.process_event_queue']
    # The test settings install a plugin whose events_pipeline step follows (netbox/tests/gizmo_plugin).
    assert settings.EVENTS_PIPELINE == ['extras.events.process_event_queue',
                                        'netbox.tests.gizmo_plugin.events.record_events']
