"""
The plugin framework (netbox.plugins), through the two test plugins the test settings install: gizmo_plugin, written
the NetBox way (NetBox-style model, serializer, viewset, router, filter set, form, table, generic views, menu,
template extension, search index, GraphQL schema, events pipeline, required setting), and native_plugin, declared our
way. Start-up checks are run through the loader and, once each, through `manage.py check` in a subprocess.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from dcim.models import Device
from netbox.plugins import PluginConfig, get_installed_plugins, get_plugin_config, load_plugins, plugin_registry
from netbox.registry import registry
from netbox.testing import client_for, grant, make
from netbox.tests.gizmo_plugin import GizmoConfig
from netbox.tests.gizmo_plugin import events as gizmo_events
from netbox.tests.gizmo_plugin.models import Gizmo, GizmoMount
from netbox.tests.native_plugin.models import Widget

GIZMO = 'netbox.tests.gizmo_plugin'
GIZMOS = '/api/plugins/gizmos/gizmos/'
MOUNTS = '/api/plugins/gizmos/mounts/'
WIDGETS = '/api/plugins/widgets/widgets/'
REPO = Path(__file__).resolve().parents[3]


# Start-up ---------------------------------------------------------------------------------------------------------

def test_settings_apply_the_plugins_defaults():
    assert settings.PLUGINS_CONFIG[GIZMO] == {'inventory_owner': 'Operations', 'panel_title': 'Mounted gizmos'}
    assert get_plugin_config(GIZMO, 'panel_title') == 'Mounted gizmos'
    assert get_plugin_config(GIZMO, 'missing', 'fallback') == 'fallback'
    assert f'{GIZMO}.GizmoConfig' in settings.INSTALLED_APPS
    assert get_installed_plugins() == {GIZMO: '1.2.0', 'netbox.tests.native_plugin': '0.3.1'}


def test_loader_refuses_a_missing_required_setting():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_plugins([GIZMO], {}, '4.7.3')
    message = str(excinfo.value)
    assert message == (f"Plugin {GIZMO} requires 'inventory_owner' to be present in the PLUGINS_CONFIG section of "
                       f"configuration.py.")
    assert '\n' not in message


@pytest.mark.parametrize(('version', 'bound'), [('4.5.2', 'minimum version 4.6.0'), ('4.8.0', 'maximum version 4.7.99'),
                                                ('5.0', 'maximum version 4.7.99')])
def test_loader_refuses_a_version_out_of_range(version, bound):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_plugins([GIZMO], {GIZMO: {'inventory_owner': 'x'}}, version)
    assert str(excinfo.value) == f'Plugin {GIZMO} requires NetBox {bound} (current: {version}).'


def test_loader_refuses_a_plugin_that_is_not_installed():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_plugins(['netbox_no_such_plugin'], {}, '4.7.3')
    assert str(excinfo.value).startswith('Unable to import plugin netbox_no_such_plugin: Module not found.')
    assert '\n' not in str(excinfo.value)


def test_loader_refuses_a_module_without_config():
    with pytest.raises(ImproperlyConfigured, match="Plugin netbox.tests does not provide a 'config' variable"):
        load_plugins(['netbox.tests'], {}, '4.7.3')


def test_loader_returns_apps_middleware_queues_and_settings():
    class Config(GizmoConfig):
        middleware = ['example.Middleware']
        queues = ['slow']
        django_apps = ['django.contrib.sitemaps']

    module = type(sys)('plugin_for_loader_test')
    module.config = Config
    Config.__module__ = 'plugin_for_loader_test'
    sys.modules['plugin_for_loader_test'] = module
    try:
        out = load_plugins(['plugin_for_loader_test'], {'plugin_for_loader_test': {'inventory_owner': 'me'}}, '4.7.3')
    finally:
        del sys.modules['plugin_for_loader_test']
    assert out['apps'] == ['django.contrib.sitemaps', 'plugin_for_loader_test.Config']
    assert out['middleware'] == ['example.Middleware']
    assert out['queues'] == ['plugin_for_loader_test.slow']
    assert out['config']['plugin_for_loader_test'] == {'inventory_owner': 'me', 'panel_title': 'Mounted gizmos'}


def run_check(tmp_path, config_text):
    """`manage.py check` with a configuration of its own: (return code, last line of stderr)."""
    (tmp_path / 'plugin_check_configuration.py').write_text(config_text)
    env = {**os.environ, 'NETBOX_CONFIGURATION': 'plugin_check_configuration',
           'DJANGO_SETTINGS_MODULE': 'netbox.settings_testing',
           'PYTHONPATH': os.pathsep.join([str(tmp_path), str(REPO / 'netbox')])}
    result = subprocess.run([sys.executable, str(REPO / 'manage.py'), 'check'], env=env, capture_output=True,
                            text=True, timeout=300)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode, lines[-1] if lines else ''


def test_start_up_fails_with_one_line_naming_the_plugin(tmp_path):
    code, last = run_check(tmp_path, 'from netbox.configuration_testing import *  # noqa\nPLUGINS_CONFIG = {}\n')
    assert code != 0
    assert last == (f"django.core.exceptions.ImproperlyConfigured: Plugin {GIZMO} requires 'inventory_owner' to be "
                    f"present in the PLUGINS_CONFIG section of configuration.py.")
    code, last = run_check(tmp_path, 'from netbox.configuration_testing import *  # noqa\n'
                                     'PLUGINS = ["netbox_absent_plugin"]\n')
    assert code != 0
    assert last.startswith('django.core.exceptions.ImproperlyConfigured: Unable to import plugin '
                           'netbox_absent_plugin: Module not found.')


def test_plugin_config_is_an_app_config_with_netbox_attributes():
    from django.apps import apps

    config = apps.get_app_config('gizmo_plugin')
    assert isinstance(config, PluginConfig)
    assert (config.base_url, config.version, config.min_version) == ('gizmos', '1.2.0', '4.6.0')
    assert f'{GIZMO}.events.record_events' in settings.EVENTS_PIPELINE


# REST -------------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_installed_plugins_and_status(api, user_api):
    response = api.get('/api/plugins/installed-plugins/')
    assert response.status_code == 200
    assert response.json()[0] == {
        'name': GIZMO, 'package': GIZMO, 'author': 'Test Author', 'author_email': 'author@example.com',
        'description': 'Gizmos, and where they are mounted (a test plugin)', 'verbose_name': 'Gizmo inventory',
        'version': '1.2.0'}
    assert user_api.get('/api/plugins/installed-plugins/').status_code == 403
    assert api.get('/api/status/').json()['plugins'] == {GIZMO: '1.2.0', 'netbox.tests.native_plugin': '0.3.1'}
    assert api.get('/api/').json()['plugins'].endswith('/api/plugins/')
    roots = api.get('/api/plugins/').json()
    assert roots['gizmos'].endswith('/api/plugins/gizmos/') and roots['widgets'].endswith('/api/plugins/widgets/')
    assert set(api.get('/api/plugins/gizmos/').json()) == {'gizmos', 'mounts'}


@pytest.mark.django_db
def test_rest_crud_of_a_netbox_style_plugin_model(api):
    device = make(Device)
    created = api.post(GIZMOS, {'name': 'Fan tray', 'kind': 'fan', 'part_number': 'FT-1', 'tags': []}, format='json')
    assert created.status_code == 201, created.content
    gizmo = created.json()
    # The serializer's Meta.fields, in its order, with the viewset's Count annotation as a counter.
    assert list(gizmo) == ['id', 'url', 'display_url', 'display', 'name', 'kind', 'part_number', 'description',
                           'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated', 'mount_count']
    assert gizmo['url'].endswith(f'/api/plugins/gizmos/gizmos/{gizmo["id"]}/')
    assert gizmo['display_url'].endswith(f'/plugins/gizmos/gizmos/{gizmo["id"]}/')
    assert gizmo['kind'] == {'value': 'fan', 'label': 'Fan'}
    mount = api.post(MOUNTS, {'device': device.pk, 'gizmo': gizmo['id'], 'slot': 2}, format='json')
    assert mount.status_code == 201, mount.content
    assert mount.json()['device']['id'] == device.pk
    duplicate = api.post(MOUNTS, {'device': device.pk, 'gizmo': gizmo['id'], 'slot': 2}, format='json')
    assert duplicate.status_code == 400
    bad = api.post(GIZMOS, {'name': 'Odd', 'kind': 'teapot'}, format='json')
    assert bad.status_code == 400 and 'kind' in bad.json()

    detail = api.get(f'{GIZMOS}{gizmo["id"]}/').json()
    assert detail['mount_count'] == 1
    brief = api.get(GIZMOS, {'brief': 1}).json()['results'][0]
    assert set(brief) == {'id', 'url', 'display', 'name', 'description'}
    changed = api.patch(f'{GIZMOS}{gizmo["id"]}/', {'description': 'Two fans'}, format='json')
    assert changed.status_code == 200 and changed.json()['description'] == 'Two fans'

    # Filters: the filter set's own search() (part number), its declared filter, and derived lookups.
    assert api.get(GIZMOS, {'q': 'FT-'}).json()['count'] == 1
    assert api.get(GIZMOS, {'kind': 'sensor'}).json()['count'] == 0
    assert api.get(GIZMOS, {'name__ic': 'tray'}).json()['count'] == 1
    assert api.get(MOUNTS, {'slot_from': 3}).json()['count'] == 0
    assert api.get(MOUNTS, {'device_id': device.pk}).json()['count'] == 1
    assert api.get(MOUNTS, {'slot': 'x'}).status_code == 400

    # Change log, as for our own models.
    from core.models import ObjectChange

    assert ObjectChange.objects.filter(changed_object_type__app_label='gizmo_plugin').count() >= 3
    assert api.delete(f'{GIZMOS}{gizmo["id"]}/').status_code == 409  # PROTECTed by its mount
    assert api.delete(f'{MOUNTS}{mount.json()["id"]}/').status_code == 204
    assert api.delete(f'{GIZMOS}{gizmo["id"]}/').status_code == 204
    assert not Gizmo.objects.exists()


@pytest.mark.django_db
def test_rest_permissions(plain_user):
    make(Gizmo, name='Seen')
    make(Gizmo, name='Hidden')
    client = client_for(plain_user)
    assert client.get(GIZMOS).status_code == 403
    grant(plain_user, Gizmo, ['view'], constraints={'name': 'Seen'})
    listed = client.get(GIZMOS).json()
    assert [row['name'] for row in listed['results']] == ['Seen']
    assert client.post(GIZMOS, {'name': 'New'}, format='json').status_code == 403
    grant(plain_user, Gizmo, ['add'], constraints={'kind': 'sensor'})
    assert client.post(GIZMOS, {'name': 'Fan', 'kind': 'fan'}, format='json').status_code == 403
    assert client.post(GIZMOS, {'name': 'Probe', 'kind': 'sensor'}, format='json').status_code == 201


@pytest.mark.django_db
def test_rest_crud_of_a_natively_declared_plugin_model(api):
    site = make(registry.get('dcim.site').model)
    created = api.post(WIDGETS, {'name': 'Sprocket', 'size': 3, 'site': site.pk}, format='json')
    assert created.status_code == 201, created.content
    assert created.json()['url'].endswith(f'{WIDGETS}{created.json()["id"]}/')
    assert api.get(WIDGETS, {'size__gte': 2}).json()['count'] == 1
    assert api.get(WIDGETS, {'q': 'sprock'}).json()['count'] == 1
    assert api.delete(f'{WIDGETS}{created.json()["id"]}/').status_code == 204


# UI ---------------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_ui_pages_of_a_netbox_style_plugin_model(root_client):
    device = make(Device, name='edge-1')
    gizmo = make(Gizmo, name='Optic 40G', kind='optic', part_number='')
    make(GizmoMount, device=device, gizmo=gizmo, slot=1)

    listing = root_client.get('/plugins/gizmos/gizmos/').content.decode()
    assert 'Optic 40G' in listing
    page = root_client.get(f'/plugins/gizmos/gizmos/{gizmo.pk}/')
    assert page.status_code == 200
    html = page.content.decode()
    # The plugin's own template (extending generic/object.html), its extra context, and its alert extension.
    assert 'data-gizmo-detail' in html and 'data-gizmo-mounts' in html and 'edge-1' in html
    assert 'data-gizmo-alert' in html
    assert f'/plugins/gizmos/gizmos/{gizmo.pk}/edit/' in html
    children = root_client.get(f'/plugins/gizmos/gizmos/{gizmo.pk}/mounts/').content.decode()
    assert 'edge-1' in children

    # The add form offers the form's Meta.fields only (not the owner).
    form = root_client.get('/plugins/gizmos/gizmos/add/').content.decode()
    assert 'name="part_number"' in form and 'name="owner"' not in form
    created = root_client.post('/plugins/gizmos/gizmos/add/', {'name': 'Fan 2', 'kind': 'fan', 'part_number': 'F2'})
    assert created.status_code == 302, created.content.decode()[:2000]
    new = Gizmo.objects.get(name='Fan 2')
    assert created['Location'] == f'/plugins/gizmos/gizmos/{new.pk}/'
    refused = root_client.post('/plugins/gizmos/gizmos/add/', {'name': 'Fan 2', 'kind': 'fan'})
    assert refused.status_code == 200 and Gizmo.objects.filter(name='Fan 2').count() == 1
    edited = root_client.post(f'/plugins/gizmos/gizmos/{new.pk}/edit/', {'name': 'Fan 3', 'kind': 'fan'})
    assert edited.status_code == 302
    assert 'Fan 3' in root_client.get(f'/plugins/gizmos/gizmos/{new.pk}/changelog/').content.decode()
    deleted = root_client.post(f'/plugins/gizmos/gizmos/{new.pk}/delete/', {'confirm': 'true'})
    assert deleted.status_code == 302 and not Gizmo.objects.filter(pk=new.pk).exists()

    mount_form = root_client.get('/plugins/gizmos/mounts/add/').content.decode()
    assert 'name="device"' in mount_form and 'data-url="/api/dcim/devices/"' in mount_form


@pytest.mark.django_db
def test_ui_permissions(client, plain_user):
    gizmo = make(Gizmo, name='Guarded')
    client.force_login(plain_user)
    assert client.get('/plugins/gizmos/gizmos/').status_code == 403
    assert client.get(f'/plugins/gizmos/gizmos/{gizmo.pk}/').status_code == 403
    grant(plain_user, Gizmo, ['view'])
    assert client.get(f'/plugins/gizmos/gizmos/{gizmo.pk}/').status_code == 200
    assert client.get('/plugins/gizmos/gizmos/add/').status_code == 403


@pytest.mark.django_db
def test_ui_of_a_natively_declared_plugin_model(root_client):
    widget = make(Widget, name='Cog')
    assert 'Cog' in root_client.get('/plugins/widgets/widgets/').content.decode()
    assert root_client.get(f'/plugins/widgets/widgets/{widget.pk}/').status_code == 200
    assert widget.get_absolute_url() == f'/plugins/widgets/widgets/{widget.pk}/'


# Menu -------------------------------------------------------------------------------------------------------------

def menu_of(user):
    from netbox.ui.menu import build_menu

    request = RequestFactory().get('/')
    request.user = user
    return {menu['label']: {group: [(item['label'], item['url'], [b['url'] for b in item.get('buttons', ())])
                                    for item in items] for group, items in menu['groups']}
            for menu in build_menu(request)}


@pytest.mark.django_db
def test_menu_honours_permissions(superuser, plain_user):
    menus = menu_of(superuser)
    assert menus['Gizmos'] == {'Inventory': [('Gizmos', '/plugins/gizmos/gizmos/', ['/plugins/gizmos/gizmos/add/'])]}
    assert ('Gizmo mounts', '/plugins/gizmos/mounts/', []) in menus['Plugins']['Gizmo inventory']
    assert [label for label, _, _ in menus['Plugins']['Widgets']] == ['Widgets']

    assert 'Gizmos' not in menu_of(plain_user)
    grant(plain_user, Gizmo, ['view'])
    plain_user = type(plain_user).objects.get(pk=plain_user.pk)
    menus = menu_of(plain_user)
    assert menus['Gizmos'] == {'Inventory': [('Gizmos', '/plugins/gizmos/gizmos/', [])]}  # no add button
    assert 'Plugins' not in menus


@pytest.mark.django_db
def test_menu_is_rendered(root_client):
    html = root_client.get('/plugins/gizmos/mounts/').content.decode()
    assert 'data-menu="Gizmos"' in html and 'data-plugin-button' in html


def test_plugin_menu_classes_check_their_arguments():
    from netbox.plugins import PluginMenuButton, PluginMenuItem

    with pytest.raises(TypeError):
        PluginMenuItem(link='x', link_text='X', permissions='dcim.view_site')
    with pytest.raises(ValueError):
        PluginMenuButton(link='x', title='X', icon_class='mdi', color='chartreuse')


# Template extensions ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_template_extension_on_the_device_page(root_client):
    device = make(Device, name='core-1')
    make(GizmoMount, device=device, gizmo=make(Gizmo, name='Thermal probe'), slot=4)
    html = root_client.get(f'/dcim/devices/{device.pk}/').content.decode()
    assert 'data-gizmo-panel' in html and 'Mounted gizmos' in html
    assert 'Thermal probe' in html and 'slot 4' in html
    assert 'data-gizmo-button' in html
    # Only where it is registered: not on a site's page.
    assert 'data-gizmo-panel' not in root_client.get(f'/dcim/sites/{device.site_id}/').content.decode()
    assert plugin_registry['template_extensions']['dcim.device']


@pytest.mark.django_db
def test_template_extension_failure_does_not_break_the_page(root_client, monkeypatch):
    from netbox.tests.gizmo_plugin.template_content import DeviceGizmos

    def broken(self):
        raise RuntimeError('boom')

    monkeypatch.setattr(DeviceGizmos, 'right_page', broken)
    device = make(Device)
    response = root_client.get(f'/dcim/devices/{device.pk}/')
    assert response.status_code == 200 and 'data-gizmo-button' in response.content.decode()


# Search -----------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_search_index_puts_the_model_in_the_global_search(root_client, plain_user, client):
    from extras.models import CachedValue
    from netbox.cached_search import is_indexed

    assert is_indexed(Gizmo) and not is_indexed(GizmoMount)
    gizmo = make(Gizmo, name='Coolant pump', part_number='CP-900')
    cached = {row.field: row.weight for row in CachedValue.objects.filter(object_id=gizmo.pk,
                                                                          object_type__model='gizmo')}
    assert cached == {'name': 100, 'part_number': 300}
    html = root_client.get('/search/', {'q': 'CP-900'}).content.decode()
    assert 'Coolant pump' in html
    client.force_login(plain_user)
    assert 'Coolant pump' not in client.get('/search/', {'q': 'CP-900'}).content.decode()


# GraphQL ----------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_graphql(api, user_api):
    device = make(Device, name='agg-1')
    gizmo = make(Gizmo, name='Fan unit', kind='fan')
    make(GizmoMount, device=device, gizmo=gizmo, slot=7)
    query = ('{ gizmo_list(filters: {name: {exact: "Fan unit"}}) '
             '{ id name kind mount_count custom_fields tags { name } mounts { slot device { name } } } '
             'gizmo_mount_list(filters: {slot: {exact: 7}}) { gizmo { name } } gizmo_kinds }')
    response = api.post('/graphql/', {'query': query}, format='json')
    assert response.status_code == 200
    data = response.json()
    assert 'errors' not in data, data
    assert data['data']['gizmo_list'] == [{'id': str(gizmo.pk), 'name': 'Fan unit', 'kind': 'fan', 'mount_count': 1,
                                           'custom_fields': {}, 'tags': [],
                                           'mounts': [{'slot': 7, 'device': {'name': 'agg-1'}}]}]
    assert data['data']['gizmo_mount_list'] == [{'gizmo': {'name': 'Fan unit'}}]
    assert data['data']['gizmo_kinds'] == ['sensor', 'fan', 'optic']  # a query field of the plugin's own schema
    single = api.post('/graphql/', {'query': f'{{ gizmo(id: {gizmo.pk}) {{ name }} }}'}, format='json').json()
    assert single['data']['gizmo'] == {'name': 'Fan unit'}
    hidden = user_api.post('/graphql/', {'query': '{ gizmo_list { name } }'}, format='json').json()
    assert hidden['data']['gizmo_list'] == []


# Events pipeline --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_events_pipeline_receives_the_plugin_models_events(api, django_capture_on_commit_callbacks):
    gizmo_events.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(GIZMOS, {'name': 'Evented', 'kind': 'sensor'}, format='json')
    assert created.status_code == 201
    events = [event for event in gizmo_events.received if event['object_type'] == 'gizmo_plugin.gizmo']
    assert [(event['event_type'], event['object_id'], event['data']['name']) for event in events] == [
        ('object_created', created.json()['id'], 'Evented')]
    gizmo_events.received.clear()


# Application registry and registered model views --------------------------------------------------------------------

def test_registry_stores_hold_what_the_plugins_registered():
    from extras.registry import registry as extras_registry
    from netbox.tests.gizmo_plugin.navigation import menu, menu_items
    from netbox.tests.gizmo_plugin.template_content import DeviceGizmos, GizmoAlert

    assert extras_registry is registry
    plugins = registry['plugins']
    assert plugins is plugin_registry  # the loader's own store, not a copy
    assert plugins['installed'] == ['gizmo_plugin', 'native_plugin']
    assert plugins['menu_items']['Gizmo inventory'] == tuple(menu_items)
    assert menu in plugins['menus']
    assert plugins['template_extensions']['dcim.device'] == [DeviceGizmos]
    assert GizmoAlert in plugins['template_extensions']['gizmo_plugin.gizmo']
    # The seeds' names: views of the same dicts.
    assert extras_registry['plugin_menu_items'] is plugins['menu_items']
    assert extras_registry['plugin_template_extensions'] is plugins['template_extensions']
    # Our own iteration over declarations still works.
    assert registry.get('dcim.device') in list(registry)


def test_registry_stores_cannot_be_replaced_or_deleted():
    with pytest.raises(TypeError):
        registry['plugins'] = {}
    with pytest.raises(TypeError):
        registry['new_store'] = {}
    with pytest.raises(TypeError):
        del registry['model_features']
    with pytest.raises(KeyError):
        registry['no_such_store']
    # A store's contents may change (and the change is seen through every name of it).
    registry['plugin_menu_items']['Temporary'] = ()
    try:
        assert 'Temporary' in registry['plugins']['menu_items']
    finally:
        del registry['plugins']['menu_items']['Temporary']
    assert registry['plugins'] is plugin_registry


def test_registry_model_features_and_models():
    features = registry['model_features']
    for feature in ('custom_fields', 'tags', 'change_logging'):
        assert 'device' in features[feature]['dcim'], feature
        assert 'gizmo' in features[feature]['gizmo_plugin'], feature
    assert 'site' in features['contacts']['dcim']
    assert registry['model_features'] is features
    assert {'device', 'site'} <= registry['models']['dcim']


def test_register_model_view_records_the_views():
    from netbox.tests.gizmo_plugin.views import DeviceGizmosView, GizmoNotesView

    notes = registry['views']['gizmo_plugin']['gizmo']
    assert {'name': 'notes', 'view': GizmoNotesView, 'path': 'notes', 'detail': True, 'kwargs': {}} in notes
    assert registry['views']['dcim']['device'][0]['view'] is DeviceGizmosView

    from utilities.urls import get_model_urls

    patterns = get_model_urls('gizmo_plugin', 'gizmo')
    assert [(str(p.pattern), p.name) for p in patterns] == [('notes/', 'gizmo_notes')]
    assert get_model_urls('gizmo_plugin', 'gizmo', detail=False) == []


def test_view_tab_badge_and_hiding():
    from utilities.views import ViewTab

    assert ViewTab('Things', badge=lambda obj: obj * 2).render(3) == {'label': 'Things', 'badge': 6, 'weight': 1000}
    assert ViewTab('Things', badge=lambda obj: 0, hide_if_empty=True).render(3) is None
    assert ViewTab('Things', badge=0).render(3)['badge'] == 0


@pytest.mark.django_db
def test_registered_tab_on_a_plugin_model(root_client):
    from django.urls import reverse

    gizmo = make(Gizmo, name='Noted', comments='line one\nline two')
    url = reverse('plugins:gizmo_plugin:gizmo_notes', kwargs={'pk': gizmo.pk})
    assert url == f'/plugins/gizmos/gizmos/{gizmo.pk}/notes/'
    page = root_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-gizmo-notes' in html and 'line two' in html
    # The tab is in the header of the gizmo's pages, active on its own page, with its badge (two lines).
    assert f'href="{url}" class="active" data-tab="notes">Notes <span class="badge" data-tab-badge>2</span>' in html
    detail = root_client.get(f'/plugins/gizmos/gizmos/{gizmo.pk}/').content.decode()
    assert f'href="{url}" class="" data-tab="notes">Notes' in detail


@pytest.mark.django_db
def test_registered_tab_on_a_device(client, plain_user):
    from django.urls import reverse

    device = make(Device, name='tabbed-1')
    url = reverse('dcim:device_gizmos', kwargs={'pk': device.pk})
    assert url == f'/dcim/devices/{device.pk}/gizmos/'
    client.force_login(plain_user)
    grant(plain_user, Device, ['view'])
    # hide_if_empty: no mounts, no tab.
    assert 'data-tab="gizmos"' not in client.get(f'/dcim/devices/{device.pk}/').content.decode()
    make(GizmoMount, device=device, gizmo=make(Gizmo, name='Tabbed probe'), slot=7)
    # The tab's permission (view_gizmomount) is not held yet: no tab, and its page refuses.
    assert 'data-tab="gizmos"' not in client.get(f'/dcim/devices/{device.pk}/').content.decode()
    assert client.get(url).status_code == 403
    grant(plain_user, GizmoMount, ['view'])
    grant(plain_user, Gizmo, ['view'])
    html = client.get(f'/dcim/devices/{device.pk}/').content.decode()
    assert f'href="{url}" class="" data-tab="gizmos">Gizmos <span class="badge" data-tab-badge>1</span>' in html
    tab = client.get(url)
    assert tab.status_code == 200
    tab_html = tab.content.decode()
    assert 'data-device-gizmos-tab' in tab_html and 'Tabbed probe' in tab_html and 'slot 7' in tab_html
    assert 'class="active" data-tab="gizmos"' in tab_html
    # The device's own pages are untouched.
    assert client.get(f'/dcim/devices/{device.pk}/changelog/').status_code == 200
