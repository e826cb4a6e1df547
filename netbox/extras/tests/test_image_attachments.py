"""Image attachments: uploaded by multipart (REST) or on the Images tab, checked to be images within the size
limit, stored through Django's storage under MEDIA_ROOT (a temporary directory here), served under /media/ only to
users who may view the attachment, and deleted from storage with the attachment or its object."""
import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from extras.models import ImageAttachment
from netbox.testing import client_for, grant, sample_png
from netbox.tests.test_browser import browser, page  # noqa: F401  (the browser test's fixtures)
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

ATTACHMENTS = '/api/extras/image-attachments/'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / 'media')
    return tmp_path / 'media'


@pytest.fixture
def tenant():
    return Tenant.objects.create(name='Acme', slug='acme')


def png(name='rack.png', width=6, height=4):
    return SimpleUploadedFile(name, sample_png(width, height), content_type='image/png')


def upload(api, tenant, image, **extra):
    return api.post(ATTACHMENTS, {'object_type': 'tenancy.tenant', 'object_id': tenant.pk, 'image': image, **extra},
                    format='multipart')


def attach(tenant, name='front'):
    return ImageAttachment.objects.create(object_type=ContentType.objects.get_for_model(Tenant), object_id=tenant.pk,
                                          name=name, image=png())


def test_multipart_upload_computes_dimensions_and_stores_the_file(api, tenant, media_root):
    response = upload(api, tenant, png(width=6, height=4), name='Front', description='the front')
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data['image_width'], data['image_height']) == (6, 4)
    assert data['image_size'] == len(sample_png(6, 4))
    assert data['image'].startswith('http://testserver/media/image-attachments/tenant_')
    assert data['parent']['id'] == tenant.pk and data['object_type'] == 'tenancy.tenant'
    assert 'display_url' not in data and data['display'] == 'Front'
    attachment = ImageAttachment.objects.get()
    assert os.path.isfile(media_root / attachment.image.name)
    # Dimensions are read-only: a PATCH of other fields keeps them.
    response = api.patch(f'{ATTACHMENTS}{attachment.pk}/', {'name': 'Renamed', 'image_width': 1}, format='json')
    assert response.status_code == 200 and response.json()['image_width'] == 6


def test_non_image_is_a_400_naming_image(api, tenant):
    fake = SimpleUploadedFile('evil.png', b'<?php echo 1; ?>', content_type='image/png')
    response = upload(api, tenant, fake)
    assert response.status_code == 400 and 'image' in response.json(), response.content
    assert not ImageAttachment.objects.exists()


def test_too_large_is_a_400_naming_image(api, tenant, settings):
    settings.IMAGE_ATTACHMENT_MAX_SIZE = 50
    response = upload(api, tenant, png())
    assert response.status_code == 400 and 'at most 50 bytes' in str(response.json()['image'])


def test_missing_object_or_type_is_a_400(api, tenant):
    response = api.post(ATTACHMENTS, {'object_type': 'tenancy.tenant', 'object_id': 999999, 'image': png()},
                        format='multipart')
    assert response.status_code == 400 and 'object_id' in response.json()
    response = api.post(ATTACHMENTS, {'object_type': 'extras.tag', 'object_id': 1, 'image': png()},
                        format='multipart')
    assert response.status_code == 400 and 'object_type' in response.json()


def test_images_tab_shows_thumbnails_and_uploads(admin_client, tenant):
    attachment = attach(tenant)
    detail = admin_client.get(f'/tenancy/tenants/{tenant.pk}/').content.decode()
    assert f'/tenancy/tenants/{tenant.pk}/images/' in detail
    response = admin_client.get(f'/tenancy/tenants/{tenant.pk}/images/')
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<img src="/media/{attachment.image.name}"' in html and 'enctype="multipart/form-data"' in html
    response = admin_client.post(f'/tenancy/tenants/{tenant.pk}/images/', {'image': png('new.png'), 'name': 'Rear'})
    assert response.status_code == 302
    assert ImageAttachment.objects.filter(name='Rear', object_id=tenant.pk).exists()
    response = admin_client.post(f'/tenancy/tenants/{tenant.pk}/images/',
                                 {'image': SimpleUploadedFile('x.png', b'not an image'), 'name': 'Bad'})
    assert response.status_code == 400 and response.context['form'].errors['image']


def test_media_is_served_only_to_users_who_may_view_the_attachment(client, plain_user, tenant):
    attachment = attach(tenant)
    url = f'/media/{attachment.image.name}'
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(plain_user)
    assert client.get(url).status_code == 404  # no permission: as if it did not exist
    grant(plain_user, ImageAttachment, ['view'], constraints={'name': 'front'})
    response = client.get(url)
    assert response.status_code == 200 and response['Content-Type'] == 'image/png'
    assert b''.join(response.streaming_content) == sample_png(6, 4)
    assert client.get('/media/image-attachments/unknown.png').status_code == 404
    assert client.get('/media/../netbox/settings.py').status_code == 404
    other = attach(tenant, name='hidden')
    assert client.get(f'/media/{other.image.name}').status_code == 404  # outside the constraint


def test_deleting_an_attachment_deletes_its_file(api, tenant, media_root, django_capture_on_commit_callbacks):
    attachment = attach(tenant)
    path = media_root / attachment.image.name
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f'{ATTACHMENTS}{attachment.pk}/').status_code == 204
    assert not path.exists()


def test_deleting_the_object_deletes_its_attachments_and_files(tenant, media_root,
                                                                django_capture_on_commit_callbacks):
    path = media_root / attach(tenant).image.name
    with django_capture_on_commit_callbacks(execute=True):
        tenant.delete()
    assert not ImageAttachment.objects.exists() and not path.exists()


def test_api_view_needs_permission(plain_user, tenant):
    attach(tenant)
    api = client_for(plain_user)
    assert api.get(ATTACHMENTS).status_code == 403
    grant(plain_user, ImageAttachment, ['view'])
    assert api.get(ATTACHMENTS).json()['count'] == 1
    assert upload(api, tenant, png()).status_code == 403


def test_a_new_image_replaces_the_file(api, tenant, media_root, django_capture_on_commit_callbacks):
    attachment = attach(tenant)
    old = media_root / attachment.image.name
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f'{ATTACHMENTS}{attachment.pk}/', {'image': png('big.png', 8, 8)}, format='multipart')
    assert response.status_code == 200, response.content
    assert response.json()['image_width'] == 8 and not old.exists()
    attachment.refresh_from_db()
    assert (media_root / attachment.image.name).is_file()


def test_generic_edit_form_renames_and_list_shows_it(admin_client, tenant):
    attachment = attach(tenant)
    response = admin_client.post(f'/extras/image-attachments/{attachment.pk}/edit/', {
        'object_type': ContentType.objects.get_for_model(Tenant).pk, 'object_id': tenant.pk, 'name': 'Renamed',
        'description': 'new'})
    assert response.status_code == 302, response.context['form'].errors
    attachment.refresh_from_db()
    assert attachment.name == 'Renamed' and attachment.image_width == 6
    assert 'Renamed' in admin_client.get('/extras/image-attachments/').content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_upload_shows_the_thumbnail_and_journal_entry(page, live_server, tmp_path, settings):  # noqa: F811
    """In Chromium: an image uploaded on the Images tab shows as a loaded thumbnail (served from /media/ to the
    logged-in user); a journal entry written on the Journal tab shows its Markdown, without the script."""
    tenant = Tenant.objects.create(name='Acme', slug='acme')
    base = f'{live_server.url}/tenancy/tenants/{tenant.pk}'
    picture = tmp_path / 'front.png'
    picture.write_bytes(sample_png(30, 20))
    page.goto(f'{base}/images/')
    page.set_input_files('#id_image', str(picture))
    page.fill('#id_name', 'Front')
    page.get_by_role('button', name='Upload').click()
    page.wait_for_url(f'{base}/images/')
    thumbnail = page.locator('.image-thumb img')
    thumbnail.wait_for()
    page.wait_for_function('img => img.complete && img.naturalWidth > 0', arg=thumbnail.element_handle())
    assert thumbnail.evaluate('img => img.naturalWidth') == 30

    page.goto(f'{base}/journal/')
    page.fill('#id_comments', 'Rack **moved** <script>document.title = "pwned"</script>')
    page.get_by_role('button', name='Save').click()
    page.wait_for_url(f'{base}/journal/')
    assert page.locator('.journal-entry .markdown strong').inner_text() == 'moved'
    assert page.title() != 'pwned' and page.locator('.journal-entry script').count() == 0
