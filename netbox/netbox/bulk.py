"""
Set-wise writes: many objects of one model, validated one by one but written with a few statements.

A bulk REST write (a list body) validates each object with the model's own rules, as a single write does, but
makes the database checks of that validation once for the whole set (`check_set`), and saves the set with one
INSERT or UPDATE (`create_set`, `update_set`) or one collector (`delete_set`), inside a `write_batch()` that writes
the change-log records with one INSERT and runs deferred domain work (a prefix hierarchy update, cable path
rebuilds) once.

Which models are saved set-wise:

- a model whose save() is Django's own and which has no pre_save/post_save receivers of its own is saved set-wise
  (`bulk_create`/`bulk_update`);
- a model whose save() or receivers do domain work is saved one object at a time (its save() and signals run as
  ever, only the change log is batched) unless it declares `set_wise_save = True` on itself: it then promises
  classmethods `before_set_save(instances, created)` and/or `after_set_save(instances, created)` that do for the
  whole set what its save() and receivers do for one object;
- `set_wise_save = False` keeps a model on the one-by-one path whatever it looks like.

Model validation done with queries can be made set-wise too: a model's clean() skips those checks while
`deferred_checks(self)` is true, and its classmethod `clean_set(instances)` makes them for the whole set, returning
one {field: [message, ...]} (or {}) per instance.
"""
import contextlib
import re
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, connections, models, router, transaction
from django.db.models import Q, UniqueConstraint
from django.db.models.deletion import Collector
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch.dispatcher import _make_id
from django.utils import timezone

from .changelog import _is_logged, flush_batch, log_saved, start_batch, take_snapshots
from .models import has_tag_manager
from .request_context import current_change_context

_current_batch = ContextVar('write_batch', default=None)
# OR-ed lookups per query when checking composite keys.
CHUNK = 500


# Batches and deferred work

class _Batch:
    def __init__(self):
        self.deferred = {}


@contextlib.contextmanager
def write_batch():
    """
    One set-wise write: change-log records are collected and inserted together at the end, and work passed to
    defer() runs once, set-wise, before that. Nested batches join the outer one. Runs in a transaction.
    """
    if _current_batch.get() is not None:
        yield _current_batch.get()
        return
    batch = _Batch()
    token = _current_batch.set(batch)
    context = current_change_context()
    collecting = context is not None and start_batch(context)
    done = False
    try:
        with transaction.atomic(savepoint=False):
            yield batch
            while batch.deferred:
                key = next(iter(batch.deferred))
                run, items = batch.deferred.pop(key)
                run(items)
            done = True
            if collecting:
                collecting = False
                flush_batch(context)
    finally:
        _current_batch.reset(token)
        if collecting:
            flush_batch(context, write=done)


def in_batch():
    return _current_batch.get() is not None


def defer(key, run, items):
    """Call run(items) once at the end of the current batch with the items of every call under `key`; outside a
    batch, at once."""
    batch = _current_batch.get()
    if batch is None:
        run(list(items))
        return
    batch.deferred.setdefault(key, (run, []))[1].extend(items)


# Which path a model takes

def _own_receivers(model, *signals):
    key = _make_id(model)
    return any(sender_key == key for signal in signals for (_, sender_key), *_ in signal.receivers)


def saves_set_wise(model):
    """Whether instances of `model` can be inserted/updated set-wise (see the module docstring)."""
    declared = model.__dict__.get('set_wise_save')
    if declared is not None:
        return bool(declared)
    for klass in model.__mro__:
        if klass is models.Model:
            break
        if 'save' in klass.__dict__:
            return False
    return not _own_receivers(model, pre_save, post_save)


def deferred_checks(instance):
    """True while `instance` is validated as part of a set: its clean() leaves its clean_set() checks to the set."""
    return getattr(instance, '_checks_deferred', False)


# Set-wise validation

def clean_one(instance, exclude):
    """
    full_clean() of one object of a set without its database checks (foreign keys, unique fields and constraints,
    the model's clean_set() checks), which check_set() makes for the whole set. Returns its errors as a dict.
    """
    exclude = set(exclude)
    foreign_keys = [f for f in instance._meta.concrete_fields
                    if f.is_relation and f.many_to_one and f.name not in exclude and not f.generated]
    errors = {}
    try:
        instance.clean_fields(exclude=exclude | {f.name for f in foreign_keys})
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for field in foreign_keys:  # Django's clean of the field, less the existence query
        raw = getattr(instance, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        try:
            value = field.to_python(raw)
            models.Field.validate(field, value, instance)
            field.run_validators(value)
            setattr(instance, field.attname, value)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
    instance._checks_deferred = True
    try:
        instance.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    finally:
        instance._checks_deferred = False
    if not errors and hasattr(instance, 'content_type'):  # CUSTOM_VALIDATORS, after the model's own rules
        from extras.validators import run_custom_validators

        try:
            run_custom_validators(instance)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    return errors


def check_set(model, instances, excludes, errors):
    """
    The database checks of full_clean() for a set of objects validated with clean_one(): foreign keys exist (and
    fit limit_choices_to), unique fields, unique_together and unique constraints hold against the stored rows and
    within the set, and the model's clean_set() checks. `excludes` are the per-object field exclusions, `errors` the
    per-object error dicts from clean_one(), extended in place (a field that already failed is not checked again,
    as in full_clean()).
    """
    excludes = [set(exclude) | {name for name in error if name != NON_FIELD_ERRORS}
                for exclude, error in zip(excludes, errors, strict=True)]
    _check_foreign_keys(model, instances, excludes, errors)
    _check_unique(model, instances, excludes, errors)
    clean_set = getattr(model, 'clean_set', None)
    # Like clean(), which stops at its first error, the model's own checks only judge objects without errors.
    clean = [index for index, error in enumerate(errors) if not error]
    if clean_set is not None and clean:
        for index, extra in zip(clean, clean_set([instances[index] for index in clean]), strict=True):
            for name, messages in (extra or {}).items():
                errors[index].setdefault(name, []).extend(messages if isinstance(messages, list) else [messages])
    return errors


def _check_foreign_keys(model, instances, excludes, errors):
    for field in model._meta.concrete_fields:
        if not (field.is_relation and field.many_to_one) or field.remote_field.parent_link:
            continue
        wanted = {}
        for index, instance in enumerate(instances):
            if field.name in excludes[index]:
                continue
            value = getattr(instance, field.attname)
            if value is not None and value not in field.empty_values:
                wanted.setdefault(value, []).append(index)
        if not wanted:
            continue
        target = field.remote_field.field_name
        found = set(field.remote_field.model._base_manager.filter(**{f'{target}__in': list(wanted)})
                    .complex_filter(field.get_limit_choices_to()).values_list(target, flat=True))
        for value, indexes in wanted.items():
            if value in found:
                continue
            for index in indexes:
                error = ValidationError(field.error_messages['invalid'], code='invalid', params={
                    'model': field.remote_field.model._meta.verbose_name, 'pk': value, 'field': target,
                    'value': value})
                errors[index].setdefault(field.name, []).extend(error.error_list)


def _unique_rules(instance, exclude, memo):
    """(unique checks, date checks, constraints) of an object: they depend on its class and exclusions only."""
    key = (type(instance), frozenset(exclude))
    if key not in memo:
        checks, date_checks = instance._get_unique_checks(exclude=exclude)
        memo[key] = (checks, date_checks, instance.get_constraints())
    return memo[key]


def _unique_keys(model, instances, excludes, memo):
    """{(kind, model class, fields or constraint): [index, ...]} for every unique rule that plain keys decide."""
    rules = {}
    for index, instance in enumerate(instances):
        checks, _, constraints = _unique_rules(instance, excludes[index], memo)
        for model_class, fields in checks:
            rules.setdefault(('check', model_class, tuple(fields)), []).append(index)
        for model_class, model_constraints in constraints:
            for constraint in model_constraints:
                if _simple_unique(constraint) and not any(name in excludes[index] for name in constraint.fields):
                    rules.setdefault(('constraint', model_class, _Hashed(constraint)), []).append(index)
    return rules


class _Hashed:
    """A constraint as a dict key (constraints compare by value but are not hashable)."""

    def __init__(self, constraint):
        self.constraint = constraint

    def __hash__(self):
        return hash(self.constraint.name)

    def __eq__(self, other):
        return isinstance(other, _Hashed) and other.constraint == self.constraint


def _simple_unique(constraint):
    return isinstance(constraint, UniqueConstraint) and constraint.fields and not constraint.condition and \
        not constraint.expressions and constraint.nulls_distinct is not False


def _check_unique(model, instances, excludes, errors):
    memo = {}
    rules = _unique_keys(model, instances, excludes, memo)
    for (kind, model_class, rule), indexes in rules.items():
        rule = rule.constraint if kind == 'constraint' else rule
        fields = rule.fields if kind == 'constraint' else rule
        clashing = _clashes(model_class, fields, [(index, instances[index]) for index in indexes])
        for index in sorted(clashing):
            instance = instances[index]
            if kind == 'check':
                key = fields[0] if len(fields) == 1 else NON_FIELD_ERRORS
                errors[index].setdefault(key, []).append(instance.unique_error_message(model_class, fields))
                continue
            if rule.violation_error_message == rule.default_violation_error_message:
                message = instance.unique_error_message(model_class, fields)
                error = ValidationError(message, code=message.code)
            else:
                error = ValidationError(rule.get_violation_error_message(), code=rule.violation_error_code)
            if getattr(error, 'code', None) == 'unique' and len(fields) == 1:
                errors[index].setdefault(fields[0], []).append(error)
            else:
                errors[index] = error.update_error_dict(errors[index])
    # Rules Django checks that are not plain unique keys: one object at a time, as full_clean() does.
    for index, instance in enumerate(instances):
        _, date_checks, constraints = _unique_rules(instance, excludes[index], memo)
        if date_checks:
            for name, messages in instance._perform_date_checks(date_checks).items():
                errors[index].setdefault(name, []).extend(messages)
        for model_class, model_constraints in constraints:
            for constraint in model_constraints:
                if _simple_unique(constraint):
                    continue
                try:
                    constraint.validate(model_class, instance, exclude=excludes[index],
                                        using=router.db_for_write(model))
                except ValidationError as exc:
                    if getattr(exc, 'code', None) == 'unique' and len(constraint.fields) == 1:
                        errors[index].setdefault(constraint.fields[0], []).append(exc)
                    else:
                        errors[index] = exc.update_error_dict(errors[index])


def _normalised(field, value):
    try:
        return field.to_python(value)
    except ValidationError:
        return value


def _clashes(model_class, names, candidates):
    """Indexes of `candidates` [(index, instance)] whose values of `names` are taken by a stored row (other than
    the object itself) or by an earlier object of the set."""
    fields = [model_class._meta.get_field(name) for name in names]
    keyed = []
    for index, instance in candidates:
        values = []
        for field in fields:
            value = getattr(instance, field.attname)
            if value is None or (value == '' and connection.features.interprets_empty_strings_as_nulls):
                break
            if field in model_class._meta.pk_fields and not instance._state.adding:
                break
            values.append(_normalised(field, value))
        else:
            own_pk = instance._get_pk_val(model_class._meta) if not instance._state.adding else None
            keyed.append((index, tuple(values), own_pk))
    if not keyed:
        return set()
    stored = {}
    attnames = [field.attname for field in fields]
    manager = model_class._default_manager
    if len(fields) == 1:
        batches = [manager.filter(**{f'{fields[0].name}__in': list({values[0] for _, values, _ in keyed})})]
    else:
        batches = []
        for start in range(0, len(keyed), CHUNK):
            condition = Q()
            for _, values, _ in keyed[start:start + CHUNK]:
                condition |= Q(**dict(zip([field.name for field in fields], values, strict=True)))
            batches.append(manager.filter(condition))
    for queryset in batches:
        for row in queryset.order_by().values_list('pk', *attnames):
            key = tuple(_normalised(field, value) for field, value in zip(fields, row[1:], strict=True))
            stored.setdefault(key, set()).add(row[0])
    clashing, seen = set(), set()
    for index, values, own_pk in keyed:
        if stored.get(values, set()) - {own_pk}:
            clashing.add(index)
        elif values in seen:
            clashing.add(index)
        seen.add(values)
    return clashing


# Set-wise saves

def _hook(model, name, instances, created):
    hook = getattr(model, name, None)
    if hook is not None and instances:
        hook(instances, created=created)


def create_set(model, instances, relations):
    """
    Insert validated, unsaved instances with their many-to-many values (`relations`: one {name: objects} per
    instance, tags included): set-wise where the model allows it, else one save() each.
    """
    with write_batch():
        if not saves_set_wise(model):
            for instance, related in zip(instances, relations, strict=True):
                instance.save()
                for name, values in related.items():
                    getattr(instance, name).set(values)
            return instances
        _hook(model, 'before_set_save', instances, True)
        model._default_manager.bulk_create(instances)
        written = any(values for related in relations for values in related.values())
        log_saved(instances, created=True, relations_written=written)
        write_relations(model, instances, relations, current={})
        _hook(model, 'after_set_save', instances, True)
    return instances


def update_set(model, instances, originals, relations, related_before):
    """
    Save stored instances that validated values were applied to. `originals` are their stored field values (see
    netbox.api.serializers.field_values), `relations` the many-to-many values given per instance and
    `related_before` their stored ones ({pk: {name: [pk, ...], 'tags': [name, ...]}}). An object whose fields and
    relations are unchanged is not saved and gets no change record.
    """
    from .api.serializers import field_values

    with write_batch():
        changed = [instance for instance, original in zip(instances, originals, strict=True)
                   if field_values(instance, like=original) != original]
        relinked = [(instance, _changed_relations(instance, related, related_before.get(instance.pk, {})))
                    for instance, related in zip(instances, relations, strict=True)]
        relinked = [(instance, related) for instance, related in relinked if related]
        if not saves_set_wise(model):
            for instance in changed:
                instance.save()
            for instance, related in relinked:
                for name, values in related.items():
                    getattr(instance, name).set(values)
            return
        _hook(model, 'before_set_save', changed, False)
        by_pk = dict(zip([instance.pk for instance in instances], originals, strict=True))
        names = set()
        for instance in changed:
            now = field_values(instance, like=by_pk[instance.pk])
            names.update(name for name, value in now.items() if value != by_pk[instance.pk].get(name))
        stamps = [field for field in model._meta.concrete_fields if getattr(field, 'auto_now', False)]
        if changed:
            moment = timezone.now()
            for instance in changed:
                for field in stamps:
                    setattr(instance, field.attname, moment)
            fields = [model._meta.get_field(name) for name in sorted(names)] + stamps
            update_rows(model, changed, [field for field in fields if not field.primary_key])
        logged = {instance.pk: instance for instance in changed}
        logged.update({instance.pk: instance for instance, _ in relinked})
        ordered = [instance for instance in instances if instance.pk in logged]
        log_saved(ordered, created=False, prechanges=[getattr(i, '_prechange_snapshot', None) for i in ordered])
        write_relations(model, [i for i, _ in relinked], [r for _, r in relinked], current=related_before)
        _hook(model, 'after_set_save', changed, False)


def update_rows(model, instances, fields):
    """
    Write `fields` of saved instances with one UPDATE ... FROM (VALUES ...) per thousand rows. Django's bulk_update
    builds a CASE WHEN per field and object, whose compilation costs more than the write for hundreds of objects.
    """
    using = router.db_for_write(model)
    conn = connections[using]
    if conn.vendor != 'postgresql' or not fields:
        model._default_manager.db_manager(using).bulk_update(instances, [field.name for field in fields])
        return
    quote = conn.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    # Typed placeholders (VALUES columns have no type of their own); text is cast without a length, so that a value
    # too long fails on assignment rather than being cut.
    types = [re.sub(r'^(varchar|character varying)\(\d+\)$', r'\1', field.cast_db_type(conn)) for field in columns]
    row = '(' + ', '.join(f'%s::{kind}' for kind in types) + ')'
    assignments = ', '.join(f'{quote(field.column)} = v.{quote(field.column)}' for field in fields)
    names = ', '.join(quote(field.column) for field in columns)
    table = quote(model._meta.db_table)
    for start in range(0, len(instances), 1000):
        chunk = instances[start:start + 1000]
        params = [field.get_db_prep_save(getattr(obj, field.attname), conn) for obj in chunk for field in columns]
        sql = (f'UPDATE {table} SET {assignments} FROM (VALUES {", ".join([row] * len(chunk))}) AS v({names}) '
               f'WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}')
        with conn.cursor() as cursor:
            cursor.execute(sql, params)


def _changed_relations(instance, related, before):
    """The given many-to-many values that differ from the stored ones."""
    changed = {}
    for name, values in related.items():
        if name == 'tags' and has_tag_manager(type(instance)):
            if sorted(tag.name for tag in values) != sorted(before.get('tags', ())):
                changed[name] = values
        elif {obj.pk for obj in values} != set(before.get(name, ())):
            changed[name] = values
    return changed


def write_relations(model, instances, relations, current):
    """
    Set many-to-many values (tags included) of saved instances: the links to remove with one DELETE and the new ones
    with one INSERT per relation. A relation whose m2m_changed has receivers of its own (rules on the values) is set
    one object at a time through its manager, so they run. `current` holds the stored values by pk.
    """
    names = {name for related in relations for name in related}
    for name in sorted(names):
        pairs = [(instance, related[name]) for instance, related in zip(instances, relations, strict=True)
                 if name in related]
        if name == 'tags' and has_tag_manager(model):
            from extras.models import TaggedItem

            content_type = ContentType.objects.get_for_model(model)
            stored_names = {pk: set(values.get('tags', ())) for pk, values in current.items()}
            _relink(TaggedItem, 'object_id', 'tag_id', pairs, lambda pk: None, {'content_type': content_type},
                    stored_by_name=stored_names)
            continue
        field = model._meta.get_field(name)
        through = getattr(field.remote_field, 'through', None)
        if not field.many_to_many or through is None or not through._meta.auto_created or \
                _own_receivers(through, m2m_changed):
            for instance, values in pairs:
                getattr(instance, name).set(values)
            continue
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        _relink(through, source, target, pairs, lambda pk, name=name: set(current.get(pk, {}).get(name, ())), {})


def _relink(through, source, target, pairs, stored, fixed, stored_by_name=None):
    """Make each instance's links in `through` exactly its objects: one DELETE, one INSERT."""
    removal = Q()
    rows = []
    if stored_by_name is not None and any(stored_by_name.get(instance.pk) for instance, _ in pairs):
        # Tags are remembered by name; their IDs are read once.
        by_pk = {}
        queryset = through.objects.filter(**fixed, **{f'{source}__in': [instance.pk for instance, _ in pairs]})
        for object_id, tag_id in queryset.values_list(source, target):
            by_pk.setdefault(object_id, set()).add(tag_id)

        def stored(pk):
            return by_pk.get(pk, set())
    for instance, values in pairs:
        wanted = {obj.pk for obj in values}
        have = stored(instance.pk) or set()
        gone = have - wanted
        if gone:
            removal |= Q(**{source: instance.pk, f'{target}__in': sorted(gone)})
        rows.extend(through(**fixed, **{source: instance.pk, target: pk}) for pk in sorted(wanted - have))
    if removal:
        through.objects.filter(**fixed).filter(removal).delete()
    if rows:
        through.objects.bulk_create(rows)


def delete_set(instances):
    """
    Delete objects (and what cascades from them) with one collector: each model's rows go in one DELETE, the change
    log's snapshots of every collected object are taken set-wise, and deferred domain work runs once.
    """
    if not instances:
        return
    with write_batch():
        collector = Collector(using=router.db_for_write(type(instances[0])))
        collector.collect(instances)
        if current_change_context() is not None:
            for model, objects in list(collector.data.items()):
                if _is_logged(model):
                    take_snapshots(list(objects))
        collector.delete()
