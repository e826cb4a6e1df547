"""The configuration loader: required and malformed parameters, defaults, and the environment-driven configuration."""
import importlib
import types
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from netbox import configuration_loader
from netbox.configuration_loader import build_settings, load_configuration_module

VALID_SECRET_KEY = 'k' * 50
DOCS = Path(__file__).resolve().parents[3] / 'docs' / 'configuration'


def make_config(**overrides):
    """A minimal valid configuration; an override of None removes the parameter."""
    params = {
        'ALLOWED_HOSTS': ['netbox.example.com'],
        'DATABASE': {'NAME': 'netbox', 'USER': 'netbox', 'PASSWORD': '', 'HOST': 'localhost', 'PORT': ''},
        'REDIS': {
            'tasks': {'HOST': 'localhost', 'PORT': 6379, 'DATABASE': 0},
            'caching': {'HOST': 'localhost', 'PORT': 6379, 'DATABASE': 1},
        },
        'SECRET_KEY': VALID_SECRET_KEY,
    }
    params.update(overrides)
    return types.SimpleNamespace(**{name: value for name, value in params.items() if value is not None})


def assert_rejected(config, parameter):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build_settings(config)
    assert parameter in str(excinfo.value)


# Required parameters


def test_minimal_configuration_builds():
    settings = build_settings(make_config())
    assert settings['ALLOWED_HOSTS'] == ['netbox.example.com']
    assert settings['DATABASES']['default']['NAME'] == 'netbox'


@pytest.mark.parametrize('parameter', ['ALLOWED_HOSTS', 'DATABASE', 'REDIS', 'SECRET_KEY'])
def test_missing_required_parameter_is_named(parameter):
    assert_rejected(make_config(**{parameter: None}), parameter)


# Malformed parameters


def test_short_secret_key_is_rejected():
    assert_rejected(make_config(SECRET_KEY='too-short'), 'SECRET_KEY')


def test_redis_without_caching_section_is_rejected():
    config = make_config(REDIS={'tasks': {'HOST': 'localhost', 'PORT': 6379, 'DATABASE': 0}})
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build_settings(config)
    assert 'REDIS' in str(excinfo.value)
    assert 'caching' in str(excinfo.value)


def test_redis_database_must_be_an_integer():
    config = make_config(REDIS={
        'tasks': {'HOST': 'localhost', 'PORT': 6379, 'DATABASE': '0'},
        'caching': {'HOST': 'localhost', 'PORT': 6379, 'DATABASE': 1},
    })
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build_settings(config)
    assert 'REDIS' in str(excinfo.value)
    assert 'DATABASE' in str(excinfo.value)


def test_allowed_hosts_must_be_a_list():
    assert_rejected(make_config(ALLOWED_HOSTS='netbox.example.com'), 'ALLOWED_HOSTS')


def test_database_without_name_is_rejected():
    config = make_config(DATABASE={'USER': 'netbox', 'HOST': 'localhost'})
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build_settings(config)
    assert 'DATABASE' in str(excinfo.value)
    assert 'NAME' in str(excinfo.value)


def test_csrf_trusted_origin_without_scheme_is_rejected():
    assert_rejected(make_config(CSRF_TRUSTED_ORIGINS=['netbox.example.com']), 'CSRF_TRUSTED_ORIGINS')


# Defaults of optional parameters


def test_login_required_defaults_to_true():
    assert build_settings(make_config())['LOGIN_REQUIRED'] is True


def test_login_timeout_default_becomes_session_cookie_age():
    settings = build_settings(make_config())
    assert settings['LOGIN_TIMEOUT'] == 1209600
    assert settings['SESSION_COOKIE_AGE'] == 1209600


def test_login_timeout_sets_session_cookie_age():
    assert build_settings(make_config(LOGIN_TIMEOUT=3600))['SESSION_COOKIE_AGE'] == 3600


def test_paginate_count_is_dynamic_not_static():
    settings = build_settings(make_config())
    assert 'PAGINATE_COUNT' not in settings
    assert 'PAGINATE_COUNT' in configuration_loader.DYNAMIC_PARAMETERS


@pytest.mark.parametrize('value, expected', [('netbox', 'netbox/'), ('/netbox/', 'netbox/'), ('', '')])
def test_base_path_is_normalised(value, expected):
    assert build_settings(make_config(BASE_PATH=value))['BASE_PATH'] == expected


def test_exempt_view_permissions_defaults_to_empty_list():
    assert build_settings(make_config())['EXEMPT_VIEW_PERMISSIONS'] == []


def test_default_permissions_let_users_manage_their_own_tokens():
    permissions = build_settings(make_config())['DEFAULT_PERMISSIONS']
    for action in ('view', 'add', 'change', 'delete'):
        assert permissions[f'users.{action}_token'] == ({'user': '$user'},)


def test_every_optional_parameter_gets_its_default():
    settings = build_settings(make_config())
    for name in configuration_loader.OPTIONAL_DEFAULTS:
        assert name in settings


# Dynamic parameters


def test_dynamic_parameter_in_configuration_is_an_override():
    settings = build_settings(make_config(PAGINATE_COUNT=100, MAINTENANCE_MODE=True))
    assert settings['CONFIG_OVERRIDES'] == {'PAGINATE_COUNT': 100, 'MAINTENANCE_MODE': True}


def test_no_overrides_when_no_dynamic_parameter_is_set():
    assert build_settings(make_config())['CONFIG_OVERRIDES'] == {}


# The configuration module


def test_missing_configuration_module_points_to_the_example():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_configuration_module('no_such_module_xyz')
    assert 'configuration_example.py' in str(excinfo.value)


def test_configuration_example_is_a_valid_configuration():
    example = importlib.import_module('netbox.configuration_example')
    config = types.SimpleNamespace(**{name: getattr(example, name) for name in dir(example) if name.isupper()})
    config.SECRET_KEY = VALID_SECRET_KEY  # the example ships an empty key on purpose
    settings = build_settings(config)
    assert settings['DATABASES']['default']['NAME'] == 'netbox'


def test_configuration_example_requires_a_secret_key():
    example = importlib.import_module('netbox.configuration_example')
    assert_rejected(example, 'SECRET_KEY')


# The environment-driven configuration


ENV_VARIABLES = (
    'ALLOWED_HOSTS', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST', 'DB_PORT', 'DB_CONN_MAX_AGE',
    'REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_DATABASE', 'REDIS_SSL',
    'REDIS_CACHE_HOST', 'REDIS_CACHE_PORT', 'REDIS_CACHE_USERNAME', 'REDIS_CACHE_PASSWORD', 'REDIS_CACHE_DATABASE',
    'REDIS_CACHE_SSL', 'SECRET_KEY', 'DEBUG', 'TIME_ZONE',
)


@pytest.fixture
def env_configuration(monkeypatch):
    """Reload netbox.configuration_env after the test has set its environment; restore it afterwards."""
    module = importlib.import_module('netbox.configuration_env')
    for name in ENV_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(module)

    yield load
    monkeypatch.undo()
    importlib.reload(module)


def test_env_configuration_reads_database_settings(env_configuration):
    config = env_configuration(DB_NAME='nb_from_env', DB_HOST='db.example.com')
    assert config.DATABASE['NAME'] == 'nb_from_env'
    assert config.DATABASE['HOST'] == 'db.example.com'


def test_env_configuration_reads_redis_host_for_both_sections(env_configuration):
    config = env_configuration(REDIS_HOST='redis.example.com')
    assert config.REDIS['tasks']['HOST'] == 'redis.example.com'
    assert config.REDIS['caching']['HOST'] == 'redis.example.com'


def test_env_configuration_reads_cache_database_as_integer(env_configuration):
    config = env_configuration(REDIS_CACHE_DATABASE='7')
    assert config.REDIS['caching']['DATABASE'] == 7


def test_env_configuration_splits_allowed_hosts(env_configuration):
    config = env_configuration(ALLOWED_HOSTS='a.example.com, b.example.com')
    assert config.ALLOWED_HOSTS == ['a.example.com', 'b.example.com']


def test_env_configuration_with_secret_key_builds(env_configuration):
    config = env_configuration(SECRET_KEY=VALID_SECRET_KEY, DB_NAME='nb_from_env')
    assert build_settings(config)['DATABASES']['default']['NAME'] == 'nb_from_env'


# The documentation keeps up with the loader


def test_every_optional_parameter_is_documented():
    text = (DOCS / 'optional-parameters.md').read_text()
    missing = [name for name in configuration_loader.OPTIONAL_DEFAULTS if f'`{name}`' not in text]
    assert missing == []


def test_every_dynamic_parameter_is_documented():
    text = (DOCS / 'dynamic-settings.md').read_text()
    missing = [name for name in configuration_loader.DYNAMIC_PARAMETERS if f'`{name}`' not in text]
    assert missing == []


def test_webhook_allowed_networks_default_and_validation():
    assert build_settings(make_config())['WEBHOOK_ALLOWED_NETWORKS'] == []
    assert build_settings(make_config(WEBHOOK_ALLOWED_NETWORKS=('10.1.0.0/16', 'fd00::/8')))[
        'WEBHOOK_ALLOWED_NETWORKS'] == ['10.1.0.0/16', 'fd00::/8']
    assert_rejected(make_config(WEBHOOK_ALLOWED_NETWORKS=['10.1.0.0/33']), 'WEBHOOK_ALLOWED_NETWORKS')
    assert_rejected(make_config(WEBHOOK_ALLOWED_NETWORKS='10.0.0.0/8'), 'WEBHOOK_ALLOWED_NETWORKS')


def test_env_configuration_reads_webhook_allowed_networks(env_configuration, monkeypatch):
    monkeypatch.delenv('WEBHOOK_ALLOWED_NETWORKS', raising=False)
    assert env_configuration().WEBHOOK_ALLOWED_NETWORKS == []
    config = env_configuration(WEBHOOK_ALLOWED_NETWORKS='127.0.0.0/8, 10.1.0.0/16')
    assert config.WEBHOOK_ALLOWED_NETWORKS == ['127.0.0.0/8', '10.1.0.0/16']
