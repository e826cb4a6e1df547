"""Webhooks: an HTTP request sent to another system when an event rule fires (see extras.webhooks for the
delivery)."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import NetBoxModel

HTTP_METHODS = (('GET', 'GET'), ('POST', 'POST'), ('PUT', 'PUT'), ('PATCH', 'PATCH'), ('DELETE', 'DELETE'))


class Webhook(NetBoxModel):
    """Where and how to send an event: the URL, method, content type, headers and body (all Jinja2 templates but
    the method), an optional secret signing the body (X-Hook-Signature) and the TLS options."""

    name = models.CharField(max_length=150, unique=True)
    description = models.CharField(max_length=200, blank=True)
    payload_url = models.CharField(
        max_length=500, verbose_name='URL',
        help_text='The URL called; a Jinja2 template rendered with the event, like the body')
    http_method = models.CharField(max_length=30, choices=HTTP_METHODS, default='POST', verbose_name='HTTP method')
    http_content_type = models.CharField(max_length=100, default='application/json',
                                         verbose_name='HTTP content type')
    additional_headers = models.TextField(
        blank=True, help_text='Headers sent besides Content-Type, one "Name: value" per line; a Jinja2 template')
    body_template = models.TextField(
        blank=True, help_text='A Jinja2 template of the body, given the event (event, timestamp, model, username, '
                              'request_id, data, snapshots...); empty sends the event as JSON')
    secret = models.CharField(
        max_length=255, blank=True,
        help_text='When set, the body is signed: X-Hook-Signature carries its HMAC-SHA512 hex digest keyed by this')
    ssl_verification = models.BooleanField(default=True, verbose_name='SSL verification',
                                           help_text="Verify the server's certificate")
    ca_file_path = models.CharField(max_length=4096, blank=True, null=True, verbose_name='CA file path',
                                    help_text='CA bundle verifying the certificate (the system store when empty)')
    timeout = models.PositiveIntegerField(
        blank=True, null=True, validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text='Seconds to wait for the server (10 when empty)')
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.ca_file_path and not self.ssl_verification:
            raise ValidationError({'ca_file_path': 'A CA file applies only when SSL verification is on.'})
        from ..rendering import RenderError, compile_template

        for field in ('payload_url', 'additional_headers', 'body_template'):
            try:
                compile_template(getattr(self, field) or '')
            except RenderError as error:
                raise ValidationError({field: f'Invalid template: {error.message}'}) from None
        from ..webhooks import parse_headers

        try:
            parse_headers(self.additional_headers or '', strict_template=True)
        except ValueError as error:
            raise ValidationError({'additional_headers': str(error)}) from None
