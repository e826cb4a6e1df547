"""JSON errors everywhere in the API, including the ones DRF does not handle itself."""
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger('netbox.api')


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, (ProtectedError, RestrictedError)):
        blocking = getattr(exc, 'protected_objects', None) or getattr(exc, 'restricted_objects', None) or []
        names = ', '.join(sorted({str(obj) for obj in list(blocking)[:10]}))
        return Response(
            {'detail': f'Unable to delete object: {len(blocking)} dependent object(s) would be affected: {names}'},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, 'error_dict') else {'non_field_errors': exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # A value the validation let through but the database refuses (a malformed filter value): the client's error.
        return Response({'detail': f'Invalid value: {exc}'.splitlines()[0]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        return Response({'detail': f'Database integrity error: {exc}'.splitlines()[0]},
                        status=status.HTTP_409_CONFLICT)
    logger.exception('Unhandled API error')
    return Response(
        {'error': str(exc), 'exception': type(exc).__name__},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
