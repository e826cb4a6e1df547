"""Rendering configuration templates: Jinja2 in a sandbox, inside a transaction that is always rolled back.

The sandbox refuses access to private attributes (`__class__`, `_meta`...) and calls to methods that alter data
(Django marks save, delete and the queryset writes `alters_data`); the rolled-back transaction makes sure that
nothing a template reaches can be written anyway. Errors are reported as RenderError, which the API answers with a
400 naming the problem (and, with the template's `debug`, where it is).
"""
import json

from django.db import DatabaseError, transaction
from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


class RenderError(Exception):
    """A template could not be rendered: its syntax, a refused operation, or an error while rendering."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line


def environment_for(params):
    """The sandboxed environment with the template's options (ValueError, TypeError or AssertionError when Jinja2
    refuses them)."""
    return _environment(params)


class StrictSandbox(SandboxedEnvironment):
    """The sandbox, refusing unsafe attribute access at once: Jinja2's own gives an undefined value that prints as
    nothing, which would hide the refusal from the template's author."""

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f'access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.')


def _environment(params):
    environment = StrictSandbox(undefined=Undefined, **(params or {}))
    environment.filters['tojson'] = lambda value, indent=None: json.dumps(value, indent=indent, default=str)
    return environment


def render_template(config_template, context):
    """The rendered text of `config_template` given `context` (a dict)."""
    try:
        environment = _environment(config_template.environment_params)
    except (TypeError, ValueError, AssertionError) as error:
        raise RenderError(f'Invalid environment options: {error or "conflicting delimiters or newline sequence"}')
    try:
        template = environment.from_string(config_template.template_code)
    except TemplateSyntaxError as error:
        raise RenderError(f'Template syntax error: {error.message}', error.lineno)
    except TemplateError as error:
        raise RenderError(f'Template error: {error.message or error}')
    try:
        with transaction.atomic():
            try:
                return template.render(**context)
            finally:
                transaction.set_rollback(True)
    except SecurityError as error:
        raise RenderError(f'Refused by the template sandbox: {error}')
    except TemplateError as error:
        raise RenderError(f'Template error: {error.message or error}', getattr(error, 'lineno', None))
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError,
            DatabaseError) as error:
        raise RenderError(f'Error while rendering: {type(error).__name__}: {error}')
