"""The sandbox every user-written Jinja2 template renders in (configuration templates, export templates, custom
links), inside a transaction that is always rolled back.

The sandbox refuses, with a SecurityError that names what was refused rather than a silent empty value:
- private and internal attributes (`__class__`, `__globals__`, `_meta`, `mro`, function and frame internals), also
  when reached through `attr()`, `map(attribute=...)` or `str.format()`;
- calls to methods that alter data (Django marks save, delete and the queryset writes `alters_data`);
- the model class behind a queryset or manager (`queryset.model.objects` would read past the user's permissions),
  raw SQL (`raw`, `extra`), and queryset lookups through secrets (`values_list('owner__users__password')`);
- secrets: a user's password hash, a token's key, a data source's parameters, the request's headers, cookies,
  session and environment (only the harmless request attributes in REQUEST_ATTRIBUTES are readable);
- `*` and `**` building huge values.
The rolled-back transaction makes sure that nothing a template reaches can be written anyway. Errors are reported
as RenderError, which callers answer with a 400 naming the problem.
"""
import json
import operator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.http import HttpRequest
from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# Jinja2 environment options a template may set: plain values only. Loaders, extensions, `finalize` and the other
# callables would let a template's author name code to run (CVE-2026-29514 passed "subprocess.getoutput" as
# `finalize`).
ENVIRONMENT_PARAMS = {
    'autoescape': bool, 'trim_blocks': bool, 'lstrip_blocks': bool, 'keep_trailing_newline': bool,
    'optimized': bool, 'newline_sequence': str, 'block_start_string': str, 'block_end_string': str,
    'variable_start_string': str, 'variable_end_string': str, 'comment_start_string': str,
    'comment_end_string': str, 'line_statement_prefix': str, 'line_comment_prefix': str,
}

# The request attributes a template may read (custom links get the request): the rest carries cookies, headers,
# the session and the server's environment.
REQUEST_ATTRIBUTES = frozenset({
    'path', 'path_info', 'method', 'GET', 'user', 'scheme', 'id', 'get_full_path', 'get_host', 'get_port',
    'build_absolute_uri', 'is_secure', 'LANGUAGE_CODE',
})

# Attributes holding secrets, refused on any object, and as a step of a queryset lookup
# (`queryset.values_list('owner__users__password')`).
SECRET_ATTRIBUTES = frozenset({'password', 'set_password', 'check_password', 'digest', 'plaintext', 'token_value',
                               'secret', 'pepper_id'})
SECRET_LOOKUP_STEPS = SECRET_ATTRIBUTES | {'key', 'tokens', 'parameters'}

# Fields holding secrets on particular models: a token's key, a data source's parameters (credentials).
SECRET_FIELDS = {'users.token': frozenset({'key'}), 'core.datasource': frozenset({'parameters'})}

# Queryset and manager attributes refused: the model class (its manager reads past the user's permissions), raw SQL
# and the query internals.
QUERYSET_REFUSED = frozenset({'model', 'db', 'query', 'raw', 'extra', 'using', 'db_manager'})

# The longest string or sequence `*` may build, and the largest exponent `**` may use.
MAX_PRODUCT_LENGTH = 1_000_000
MAX_EXPONENT = 1000


class RenderError(Exception):
    """A template could not be rendered: its options, its syntax, a refused operation, or an error while
    rendering."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line


class StrictSandbox(SandboxedEnvironment):
    """The sandbox, refusing unsafe attribute access at once: Jinja2's own gives an undefined value that prints as
    nothing, which would hide the refusal from the template's author."""

    intercepted_binops = frozenset({'*', '**'})

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if attr in SECRET_ATTRIBUTES:
            return False
        if isinstance(obj, HttpRequest):
            return attr in REQUEST_ATTRIBUTES
        if isinstance(obj, (models.QuerySet, models.Manager)) and attr in QUERYSET_REFUSED:
            return False
        if isinstance(obj, type) and attr == 'objects':
            return False
        if isinstance(obj, models.Model) and attr in SECRET_FIELDS.get(obj._meta.label_lower, ()):
            return False
        return True

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's signature
        owner = getattr(__obj, '__self__', None)
        if isinstance(owner, (models.QuerySet, models.Manager)):
            # Lookups: positional names (values_list, order_by...), keyword names (filter...), in_bulk's field_name.
            for name in [*args, *kwargs, kwargs.get('field_name')]:
                if isinstance(name, str) and SECRET_LOOKUP_STEPS & set(name.lstrip('-').split('__')):
                    raise SecurityError(f'the lookup {name!r} reaches a secret.')
        return super().call(__context, __obj, *args, **kwargs)

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f'access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.')

    def call_binop(self, context, operator_name, left, right):
        if operator_name == '**':
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f'exponent {right} is too large.')
            return operator.pow(left, right)
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(count, int):
                if len(sequence) * count > MAX_PRODUCT_LENGTH:
                    raise SecurityError(f'the result of * would be longer than {MAX_PRODUCT_LENGTH}.')
        return operator.mul(left, right)


def check_environment_params(params):
    """Raise ValueError naming the problem when `params` are not acceptable Jinja2 environment options."""
    if params is None:
        return
    if not isinstance(params, dict):
        raise ValueError('Give the environment options as a JSON object.')
    for key, value in params.items():
        kind = ENVIRONMENT_PARAMS.get(key)
        if kind is None:
            raise ValueError(f'Unknown or refused environment option "{key}"; '
                             f'allowed: {", ".join(sorted(ENVIRONMENT_PARAMS))}.')
        if not isinstance(value, kind) and not (kind is str and value is None):
            raise ValueError(f'"{key}" must be a {kind.__name__}.')
    try:
        _environment(params)
    except (TypeError, ValueError, AssertionError) as error:
        raise ValueError(f'Jinja2 refuses these options: {error or "conflicting delimiters or newline sequence"}.')


def clean_environment_params(params):
    """Model validation of a template's `environment_params` (ValidationError naming the field)."""
    try:
        check_environment_params(params)
    except ValueError as error:
        raise ValidationError({'environment_params': str(error)})


def environment_for(params):
    """The sandboxed environment with the template's options (ValueError when they are not acceptable)."""
    check_environment_params(params)
    return _environment(params)


def _environment(params):
    environment = StrictSandbox(undefined=Undefined, **(params or {}))
    environment.filters['tojson'] = lambda value, indent=None: json.dumps(value, indent=indent, default=str)
    # Filters the administrator adds in the configuration (trusted code; the sandbox still checks what they
    # return when a template reaches into it).
    environment.filters.update(getattr(settings, 'JINJA2_FILTERS', None) or {})
    return environment


def compile_template(code, params=None):
    """The compiled template (RenderError for refused options or bad syntax)."""
    try:
        environment = environment_for(params)
    except ValueError as error:
        raise RenderError(f'Invalid environment options: {error}')
    try:
        return environment.from_string(code)
    except TemplateSyntaxError as error:
        raise RenderError(f'Template syntax error: {error.message}', error.lineno)
    except TemplateError as error:
        raise RenderError(f'Template error: {error.message or error}')
    except (RecursionError, MemoryError) as error:  # a template nested too deeply to compile
        raise RenderError(f'Template error: {type(error).__name__}')


def render_compiled(template, context):
    """`template` rendered with `context`, errors as RenderError; call inside `rolled_back()`."""
    try:
        return template.render(**context)
    except SecurityError as error:
        raise RenderError(f'Refused by the template sandbox: {error}')
    except TemplateError as error:
        raise RenderError(f'Template error: {error.message or error}', getattr(error, 'lineno', None))
    except Exception as error:  # user code: whatever it raises is the template's error, never a server error
        raise RenderError(f'Error while rendering: {type(error).__name__}: {error}')


class rolled_back:  # noqa: N801 - used like transaction.atomic
    """A transaction that is always rolled back: whatever templates rendered inside reach, nothing is written."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        return self

    def __exit__(self, *exc_info):
        transaction.set_rollback(True)
        try:
            self.atomic.__exit__(*exc_info)
        except DatabaseError as error:
            if exc_info[1] is None:
                raise RenderError(f'Error while rendering: {type(error).__name__}: {error}')
        return False


def render_string(code, context, params=None):
    """`code` rendered with `context` in the sandbox, in a rolled-back transaction; raises RenderError."""
    template = compile_template(code, params)
    with rolled_back():
        return render_compiled(template, context)


def render_template(template_object, context):
    """The rendered text of a stored template (config or export template) given `context` (a dict)."""
    return render_string(template_object.template_code, context, template_object.environment_params)
