"""A fresh install works with pynetbox: the configuration scripts/serve writes has a pepper, and without one
provisioning falls back to v1 tokens."""
import runpy
import subprocess
import sys
from pathlib import Path

import pynetbox
import pytest
from django.test import override_settings

REPO = Path(__file__).resolve().parents[3]


def write_configuration(tmp_path, existing=None):
    """Run the bootstrap's nb_ensure_configuration against a scratch checkout; return the file it leaves."""
    (tmp_path / 'netbox' / 'netbox').mkdir(parents=True)
    generator = REPO / 'netbox' / 'generate_secret_key.py'
    (tmp_path / 'netbox' / 'generate_secret_key.py').write_text(generator.read_text())
    config = tmp_path / 'netbox' / 'netbox' / 'configuration.py'
    if existing is not None:
        config.write_text(existing)
    ensure_configuration(tmp_path)
    return config


def ensure_configuration(root):
    script = f'source {REPO}/scripts/lib/bootstrap.sh; NB_REPO={root}; nb_ensure_configuration'
    subprocess.run(['bash', '-c', script], check=True, capture_output=True,
                   env={'PATH': '/usr/bin:/bin', 'NB_VENV': str(Path(sys.executable).parents[1])})


def test_generated_configuration_has_a_random_pepper(tmp_path, monkeypatch):
    monkeypatch.delenv('API_TOKEN_PEPPERS', raising=False)
    config = write_configuration(tmp_path)
    peppers = runpy.run_path(str(config))['API_TOKEN_PEPPERS']
    assert list(peppers) == [1] and len(peppers[1]) >= 50
    other = runpy.run_path(str(write_configuration(tmp_path / 'other')))['API_TOKEN_PEPPERS']
    assert other[1] != peppers[1]


def test_environment_peppers_win_over_the_generated_one(tmp_path, monkeypatch):
    config = write_configuration(tmp_path)
    monkeypatch.setenv('API_TOKEN_PEPPER_1', 'p' * 60)
    assert runpy.run_path(str(config))['API_TOKEN_PEPPERS'] == {1: 'p' * 60}


def test_older_generated_configuration_gets_a_pepper_once(tmp_path):
    old = '"""Local configuration written by scripts/serve: settings come from the environment."""\nSECRET_KEY = "k"\n'
    config = write_configuration(tmp_path, existing=old)
    text = config.read_text()
    assert text.startswith(old) and text.count('API_TOKEN_PEPPERS =') == 1
    ensure_configuration(tmp_path)
    assert config.read_text() == text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize('peppers, version', [({1: 'x' * 50}, 2), ({}, 1)], ids=['with-peppers', 'without'])
def test_pynetbox_create_token_list_create_and_save(live_server, superuser, peppers, version):
    with override_settings(API_TOKEN_PEPPERS=peppers):
        nb = pynetbox.api(live_server.url)
        token = nb.create_token('root', 'Root-pass-123')
        assert token.version == version
        assert nb.token.startswith('nbt_') == (version == 2)
        assert list(nb.tenancy.tenants.all()) == []
        tenant = nb.tenancy.tenants.create(name='Acme', slug='acme')
        tenant.description = 'changed'
        assert tenant.save()
        assert nb.tenancy.tenants.get(slug='acme').description == 'changed'
