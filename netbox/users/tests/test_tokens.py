"""API tokens: both versions, write protection, expiry, source addresses, provisioning and last-used tracking."""
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from netbox.testing import client_for, make_token
from users.models import Token

TENANTS = '/api/tenancy/tenants/'
pytestmark = pytest.mark.django_db


def test_v1_token_authenticates(superuser):
    assert client_for(superuser, version=1).get(TENANTS).status_code == 200


def test_v2_bearer_token_authenticates(superuser):
    client = client_for(superuser, version=2)
    assert client.token.token_value.startswith('nbt_')
    assert client.get(TENANTS).status_code == 200


def test_v2_token_stores_only_a_digest(superuser):
    token = make_token(superuser, version=2)
    secret = token.token_value.split('.', 1)[1]
    stored = Token.objects.get(pk=token.pk)
    assert stored.plaintext is None
    assert secret not in (stored.digest or '') and len(stored.digest) == 64


def test_v2_token_with_wrong_secret_is_rejected(superuser):
    token = make_token(superuser, version=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Bearer nbt_{token.key}.{"0" * 40}')
    response = client.get(TENANTS)
    assert response.status_code == 403
    assert response.json() == {'detail': 'Invalid token'}


def test_unknown_v1_token_is_rejected(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION='Token ' + 'f' * 40)
    assert client.get(TENANTS).status_code == 403


def test_read_only_token_rejects_writes(superuser):
    client = client_for(superuser, write_enabled=False)
    assert client.get(TENANTS).status_code == 200
    response = client.post(TENANTS, {'name': 'x', 'slug': 'x'}, format='json')
    assert response.status_code == 403
    assert 'write' in response.json()['detail']


def test_expired_token_is_rejected(superuser):
    client = client_for(superuser, expires=timezone.now() - timedelta(minutes=1))
    response = client.get(TENANTS)
    assert response.status_code == 403
    assert response.json()['detail'] == 'Token expired'


def test_token_from_a_disallowed_address_is_rejected(superuser):
    client = client_for(superuser, allowed_ips=['192.0.2.0/24'])
    assert client.get(TENANTS, REMOTE_ADDR='198.51.100.7').status_code == 403
    assert client.get(TENANTS, REMOTE_ADDR='192.0.2.10').status_code == 200


def test_disabled_token_is_rejected(superuser):
    assert client_for(superuser, enabled=False).get(TENANTS).status_code == 403


def test_last_used_is_recorded_at_most_once_a_minute(superuser):
    client = client_for(superuser)
    client.get(TENANTS)
    first = Token.objects.get(pk=client.token.pk).last_used
    assert first is not None
    client.get(TENANTS)
    assert Token.objects.get(pk=client.token.pk).last_used == first


def test_last_used_is_not_recorded_in_maintenance_mode(superuser):
    client = client_for(superuser)
    with override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': True}):
        from netbox.dynamic_config import clear_config

        clear_config()
        client.get(TENANTS)
    assert Token.objects.get(pk=client.token.pk).last_used is None


def test_provision_returns_a_new_token_with_its_secret(superuser):
    response = APIClient().post('/api/users/tokens/provision/', {'username': 'root', 'password': 'Root-pass-123'},
                                format='json')
    assert response.status_code == 201, response.content
    assert response.data['user']['username'] == 'root'
    assert response.data['write_enabled'] is True
    assert response.data['version'] == 2
    assert not response.data['token'].startswith('nbt_')
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Bearer nbt_{response.data["key"]}.{response.data["token"]}')
    assert client.get(TENANTS).status_code == 200


def test_provision_with_bad_password_is_refused(superuser):
    response = APIClient().post('/api/users/tokens/provision/', {'username': 'root', 'password': 'nope'},
                                format='json')
    assert response.status_code == 403


def test_v1_secret_is_hidden_unless_retrieval_is_allowed(superuser):
    client = client_for(superuser)
    url = f'/api/users/tokens/{client.token.pk}/'
    assert 'token' not in client.get(url).data
    with override_settings(ALLOW_TOKEN_RETRIEVAL=True):
        assert client.get(url).data['token'] == client.token.token_value


def test_users_manage_only_their_own_tokens(plain_user, superuser):
    mine = make_token(plain_user)
    theirs = make_token(superuser)
    client = client_for(plain_user)
    listed = {row['id'] for row in client.get('/api/users/tokens/').data['results']}
    assert mine.pk in listed and theirs.pk not in listed
    response = client.post('/api/users/tokens/', {'user': superuser.pk, 'version': 1}, format='json')
    assert response.status_code == 403
    assert not Token.objects.filter(user=superuser).exclude(pk=theirs.pk).exists()
    response = client.post('/api/users/tokens/', {'user': plain_user.pk, 'version': 1}, format='json')
    assert response.status_code == 201
    assert len(response.data['token']) == 40


def test_user_password_is_hashed_and_never_returned(api):
    response = api.post('/api/users/users/', {'username': 'bob', 'password': 'Bob-pass-12345'}, format='json')
    assert response.status_code == 201, response.content
    assert 'password' not in response.data
    from users.models import User

    assert User.objects.get(username='bob').check_password('Bob-pass-12345')


# The shapes NetBox 4.7 serves

def test_token_list_shows_the_version_as_an_integer_and_no_secret(superuser):
    client = client_for(superuser, version=2)
    rows = client.get('/api/users/tokens/').json()['results']
    assert [(row['version'], 'token' in row) for row in rows] == [(2, False)]
    assert rows[0]['key'] == client.token.key


def test_created_v2_token_shows_its_bare_secret_once(api, superuser):
    response = api.post('/api/users/tokens/', {'user': superuser.pk, 'version': 2}, format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert body['version'] == 2
    assert len(body['token']) == 40 and not body['token'].startswith('nbt_')
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Bearer nbt_{body["key"]}.{body["token"]}')
    assert client.get(TENANTS).status_code == 200
    with override_settings(ALLOW_TOKEN_RETRIEVAL=True):
        assert 'token' not in api.get(f'/api/users/tokens/{body["id"]}/').json()


def test_token_secret_is_generated_by_the_server(api, superuser):
    chosen = 'a' * 40
    response = api.post('/api/users/tokens/', {'user': superuser.pk, 'version': 1, 'token': chosen}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['token'] != chosen
    assert not Token.objects.filter(plaintext=chosen).exists()


def test_version_of_an_existing_token_cannot_change(api, superuser):
    token = make_token(superuser, version=1)
    response = api.patch(f'/api/users/tokens/{token.pk}/', {'version': 2}, format='json')
    assert response.status_code == 400
    assert 'version' in response.json()


def test_v2_token_sent_with_the_token_keyword_gets_a_hint(superuser):
    token = make_token(superuser, version=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Token {token.token_value}')
    response = client.get(TENANTS)
    assert response.status_code == 403
    assert 'Bearer' in response.json()['detail']


def test_malformed_authorization_header_is_refused(superuser):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION='Bearer nbt_a.b extra')
    response = client.get(TENANTS)
    assert response.status_code == 403
    assert 'Invalid authorization header' in response.json()['detail']


# Installs without API_TOKEN_PEPPERS fall back to v1 tokens

@override_settings(API_TOKEN_PEPPERS={})
def test_provision_without_peppers_gives_a_v1_token(superuser):
    response = APIClient().post('/api/users/tokens/provision/', {'username': 'root', 'password': 'Root-pass-123'},
                                format='json')
    assert response.status_code == 201, response.content
    assert response.data['version'] == 1 and response.data['key'] is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Token {response.data["token"]}')
    assert client.get(TENANTS).status_code == 200


@override_settings(API_TOKEN_PEPPERS={})
def test_token_without_version_or_peppers_is_v1_and_v2_is_refused(api, superuser):
    response = api.post('/api/users/tokens/', {'user': superuser.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['version'] == 1
    response = api.post('/api/users/tokens/', {'user': superuser.pk, 'version': 2}, format='json')
    assert response.status_code == 400
    assert 'API_TOKEN_PEPPERS' in response.json()['version'][0]


def test_token_without_version_is_v2_when_peppers_exist(api, superuser):
    response = api.post('/api/users/tokens/', {'user': superuser.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['version'] == 2


# Peppers from the environment (netbox-docker's variable names)

def test_peppers_from_environment_pairs_json_and_numbered_variables():
    from netbox.configuration_env import env_peppers

    assert env_peppers({}) == {}
    assert env_peppers({'API_TOKEN_PEPPERS': '1:first:with-colon, 2:second'}) == {1: 'first:with-colon', 2: 'second'}
    assert env_peppers({'API_TOKEN_PEPPERS': '{"3": "third"}'}) == {3: 'third'}
    assert env_peppers({'API_TOKEN_PEPPER_1': 'one', 'API_TOKEN_PEPPER_2': ''}) == {1: 'one'}


def test_malformed_peppers_in_environment_name_the_variable():
    from netbox.configuration_env import env_peppers

    for value in ('nocolon', 'x:abc', '{"1": '):
        with pytest.raises(ValueError, match='API_TOKEN_PEPPERS'):
            env_peppers({'API_TOKEN_PEPPERS': value})
