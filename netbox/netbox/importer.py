"""
Copying every object of a running NetBox 4.x into this one over its REST API (`manage.py import_netbox`).

Reading: one pooled HTTP session pages through each model's list (`?limit=1000&ordering=id`, devices and virtual
machines without their rendered config context). Writing: each model's objects go through our own REST serializers
(`validate_many`/`create_many`: the API's rules, set-wise SQL), the source's IDs of related objects replaced by
ours. Models follow each other in dependency order, worked out from our models' relations and from the generic
relations the data uses; a relation that closes a cycle (a device's primary IP, a chassis' master) is written in a
second pass, once its target exists. Nothing is written to the change log (no change context is active), and new
devices and modules get no components from their type's templates (their components are copied as they are).
Every copy is remembered in core.ImportedObject, so that `--update` finds it again. Verification compares the
source's JSON of every object with our own REST representation of its copy (read through our viewsets), IDs mapped.
"""
import datetime
import json
import re
import secrets
import time
from collections import defaultdict

import requests
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField
from tqdm import tqdm

from .registry import registry

PAGE = 1000
CHUNK = 500
MINIMUM_VERSION = (4, 0)

# Models whose objects are not copied, and why (shown in the summary; the documentation repeats it).
NOT_COPIED = {
    'core.objectchange': "the change log stays in the source; imported objects get no change records",
    'core.job': "background job records belong to the source's own runs",
    'core.datafile': 'data files come from syncing their data source; sync the imported data sources',
    'users.token': 'API token secrets cannot be read over the API; create new tokens',
    'extras.script': "scripts are code in files on the source's disk; upload the script modules again",
}
# Built in or derived from other objects (tags on objects, a cable's ends): never written, matched to ours by what
# they consist of so that they are verified too.
DERIVED = ('core.objecttype', 'extras.taggeditem', 'dcim.cabletermination')
# Objects that may already exist here under the same name (the administrator running the import): matched by it.
NATURAL_KEYS = {'users.user': 'username', 'users.group': 'name'}
# IDs inside the values of serializer fields that are not relations: {(model, field): (key, target model)}.
INNER_REFS = {
    ('dcim.frontport', 'rear_ports'): ('rear_port', 'dcim.rearport'),
    ('dcim.rearport', 'front_ports'): ('front_port', 'dcim.frontport'),
    ('dcim.frontporttemplate', 'rear_ports'): ('rear_port', 'dcim.rearporttemplate'),
    ('dcim.rearporttemplate', 'front_ports'): ('front_port', 'dcim.frontporttemplate'),
}
# Both sides show a port mapping; it is written from the front side only.
MIRRORED = {('dcim.rearport', 'front_ports'), ('dcim.rearporttemplate', 'front_ports')}
# Plain integer fields that hold the ID of a related object: {(model, field): target model}.
ID_FIELDS = {('dcim.cabletermination', 'cable'): 'dcim.cable'}
# Fields never compared: links to the server itself, and uploaded files (stored under a new name).
UNCOMPARED = {'url', 'display_url', 'image'}
# Edge strengths for breaking dependency cycles: the weakest edges of a cycle are written in the second pass.
ONE_TO_ONE, OPTIONAL, GENERIC, REQUIRED = range(4)


class ImportError_(Exception):
    """A problem that stops the import: one line for the operator."""


class ObjectFailure(Exception):
    """One object cannot be written; the reason is reported with the object."""


def _label(model):
    return model._meta.label_lower


def _api_path(declaration):
    """The list endpoint's path, the same here and at the source (a plugin's under /api/plugins/<base_url>/)."""
    from netbox.api.fields import api_list_path

    return api_list_path(declaration.model) or f'/api/{declaration.app_label()}/{declaration.slug()}/'


def _parse_version(text):
    numbers = [int(part) for part in re.findall(r'\d+', text or '')[:2]]
    return tuple(numbers + [0] * (2 - len(numbers)))


class Source:
    """The NetBox objects are read from: one requests session (keep-alive, pooled connections) with the token."""

    def __init__(self, url, token, timeout=60):
        self.base = url.rstrip('/').removesuffix('/api')
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=4, max_retries=2)
        self.session.mount('http://', adapter)
        self.session.mount('https://', adapter)
        scheme = 'Bearer' if token.startswith('nbt_') else 'Token'
        self.session.headers.update({'Authorization': f'{scheme} {token}', 'Accept': 'application/json'})
        self.timeout = timeout

    def get(self, path, params=None, absolute=False):
        url = path if absolute else f'{self.base}{path}'
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            reason = exc.__class__.__name__
            raise ImportError_(f'Cannot reach {self.base}: {reason}.') from exc
        return response

    def check(self):
        """The source's NetBox version, after checking that it answers, accepts the token and is 4.0 or later."""
        response = self.get('/api/status/')
        if response.status_code in (401, 403):
            raise ImportError_(f'{self.base} refused the token ({response.status_code}): give a valid API token.')
        try:
            status = response.json()
        except ValueError:
            status = None
        if response.status_code != 200 or not isinstance(status, dict) or 'netbox-version' not in status:
            raise ImportError_(f'{self.base} is not a NetBox API (GET /api/status/ answered {response.status_code}).')
        version = str(status['netbox-version'])
        if _parse_version(version) < MINIMUM_VERSION:
            raise ImportError_(f'{self.base} runs NetBox {version}; importing needs NetBox 4.0 or later.')
        probe = self.get('/api/extras/tags/', {'limit': 1, 'brief': 1})
        if probe.status_code in (401, 403):
            raise ImportError_(f'{self.base} refused the token ({probe.status_code}): give a valid API token.')
        return version

    def fetch(self, declaration, progress=None):
        """Every object of a model as the source shows it, or None when the source has no such endpoint."""
        path = _api_path(declaration)
        objects, offset, total = [], 0, None
        while total is None or offset < total:
            response = self.get(path, {'limit': PAGE, 'offset': offset, 'ordering': 'id',
                                       'exclude': 'config_context'})
            if response.status_code == 404 and total is None:
                return None
            if response.status_code != 200:
                raise ImportError_(f'GET {path} answered {response.status_code}: {response.text[:200]}')
            body = response.json()
            results = body.get('results', []) if isinstance(body, dict) else body
            total = body.get('count', len(results)) if isinstance(body, dict) else len(results)
            if progress is not None and progress.total != total:
                progress.total = total
                progress.refresh()
            objects.extend(results)
            if progress is not None:
                progress.update(len(results))
            if not results:
                break
            offset += len(results)
        return objects

    def download(self, url):
        response = self.get(url, absolute=True)
        if response.status_code != 200:
            raise ObjectFailure(f'cannot download {url} ({response.status_code})')
        return response.content


def _importing_user():
    """The (unsaved) superuser in whose name objects are written and read: nothing it does is recorded."""
    from users.models import User

    return User(username='import_netbox', is_superuser=True, is_active=True)


def _request(user):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get('/'))
    request.user = user
    return request


# How each serializer field is written

class FieldPlan:
    """How one writable serializer field of a model is copied: kind and, for relations, the target model."""

    def __init__(self, name, kind, target=None, many=False, nullable=True, extra=None):
        self.name, self.kind, self.target, self.many, self.nullable, self.extra = (
            name, kind, target, many, nullable, extra)


def _field_plans(declaration, serializer):
    model = declaration.model
    label = declaration.label()
    generic = {f.fk_field: f.ct_field for f in model._meta.private_fields if hasattr(f, 'fk_field')}
    plans = []
    for name, field in serializer.fields.items():
        if field.read_only or name in ('id',) or (label, name) in MIRRORED:
            continue
        source = field.source or name
        try:
            model_field = model._meta.get_field(source)
        except Exception:
            model_field = None
        if model_field is not None and model_field.auto_created and not model_field.concrete:
            continue  # the other side of a relation (a user's permissions): written with that side
        if model_field is not None and _set_by_cable(model_field):
            continue
        nullable = model_field is None or getattr(model_field, 'null', True) or model_field.many_to_many
        kind_name = type(field).__name__
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if name == 'tags' and kind_name == 'TagListField':
            plans.append(FieldPlan(name, 'tags', 'extras.tag', many=True))
        elif kind_name == 'CustomFieldsField':
            plans.append(FieldPlan(name, 'custom_fields'))
        elif hasattr(relation, 'related_model') and relation.related_model is not None and \
                relation.related_model is not ContentType and not issubclass(relation.related_model, ContentType):
            plans.append(FieldPlan(name, 'ref', _label(relation.related_model), many=isinstance(field,
                                                                                                ManyRelatedField),
                                   nullable=nullable))
        elif isinstance(relation, PrimaryKeyRelatedField) and relation.queryset is not None:
            plans.append(FieldPlan(name, 'ref', _label(relation.queryset.model),
                                   many=isinstance(field, ManyRelatedField), nullable=nullable))
        elif name in generic:
            plans.append(FieldPlan(name, 'generic_id', extra=generic[name], nullable=nullable))
        elif kind_name == 'TerminationsField':
            plans.append(FieldPlan(name, 'terminations', nullable=False))
        elif (label, name) in INNER_REFS:
            key, target = INNER_REFS[(label, name)]
            plans.append(FieldPlan(name, 'inner', target, extra=key, nullable=False))
        elif isinstance(field, serializers.FileField) or kind_name == 'ImageFileField':
            plans.append(FieldPlan(name, 'file'))
        else:
            plans.append(FieldPlan(name, 'plain'))
    return plans


class Deferred(Exception):
    """A reference to an object of a model not written yet: the field waits for the second pass."""


class Importer:
    """One run of the import: fetch, write, recompute, verify. `out(line)` reports; `progress` shows bars."""

    def __init__(self, url, token, update=False, verify_only=False, out=print, progress=True):
        self.source = Source(url, token)
        self.source_key = self.source.base
        self.update = update
        self.verify_only = verify_only
        self.out = out
        self.progress = progress
        self.user = _importing_user()
        self.request = _request(self.user)
        self.data = {}                       # {label: [source objects]}
        self.mapping = defaultdict(dict)     # {label: {source id: local id}}
        self.done = set()                    # labels whose objects have been written
        self.deferred = defaultdict(dict)    # {label: {source id: {field: source value}}}
        self.failures = []                   # (label, source id, display, reason)
        self.created = defaultdict(int)
        self.updated = defaultdict(int)
        self.custom_fields = {}              # {name: (type, related model label)} of the source
        self.custom_field_models = {}        # {name: {model label}}: the models a custom field is on
        self.timings = {}

    # Progress bars

    def bar(self, label, total=None, unit='obj'):
        return tqdm(total=total, desc=f'{label:<36}', unit=unit, leave=False, disable=not self.progress,
                    dynamic_ncols=True)

    # The run

    def run(self):
        from dcim.components import components_from_templates

        self.version = self.source.check()
        self.out(f'Source: {self.source.base} (NetBox {self.version}).')
        self.load_mapping()
        if self.mapping and not (self.update or self.verify_only):
            raise ImportError_(f'Objects of {self.source_key} were imported before: give --update to re-run the '
                               f'import (objects are matched by their source IDs), or --verify to compare only.')
        started = time.monotonic()
        self.fetch_all()
        self.timings['fetch'] = time.monotonic() - started
        if not self.verify_only:
            started = time.monotonic()
            with components_from_templates(False):
                self.write_all()
            self.timings['write'] = time.monotonic() - started
        self.match_derived()
        started = time.monotonic()
        report = self.verify()
        self.timings['verify'] = time.monotonic() - started
        return report

    def load_mapping(self):
        from core.models import ImportedObject

        types = {ct.pk: f'{ct.app_label}.{ct.model}' for ct in ContentType.objects.all()}
        for type_id, source_id, local_id in ImportedObject.objects.filter(source=self.source_key).values_list(
                'object_type', 'source_id', 'local_id'):
            self.mapping[types[type_id]][source_id] = local_id
        # A copy deleted here since is made again.
        for label, pairs in list(self.mapping.items()):
            declaration = registry.get(label)
            if declaration is None:
                continue
            present = set(declaration.model._default_manager.filter(pk__in=list(pairs.values())).values_list(
                'pk', flat=True))
            self.mapping[label] = {s: local for s, local in pairs.items() if local in present}

    # Fetching

    def fetch_all(self):
        for declaration in registry:
            label = declaration.label()
            if label in NOT_COPIED:
                continue
            with self.bar(f'Fetching {label}') as bar:
                objects = self.source.fetch(declaration, bar)
            if objects is None:
                self.out(f'{label}: the source has no such endpoint; nothing to copy.')
                continue
            self.data[label] = objects
        for item in self.data.get('extras.customfield', ()):
            kind = item.get('type')
            kind = kind.get('value') if isinstance(kind, dict) else kind
            self.custom_fields[item['name']] = (kind, item.get('related_object_type'))
            self.custom_field_models[item['name']] = set(item.get('object_types') or ())

    # Dependency order

    def edges(self):
        """{label: {target label: strength}} for the models fetched."""
        edges = {label: {} for label in self.data}

        def add(source, target, strength):
            if target != source and target in edges:
                edges[source][target] = max(edges[source].get(target, -1), strength)

        for label in self.data:
            declaration = registry.get(label)
            model = declaration.model
            for field in list(model._meta.concrete_fields) + list(model._meta.many_to_many):
                if not field.is_relation or field.related_model is None or _set_by_cable(field):
                    continue
                target = _label(field.related_model)
                if field.many_to_many:
                    add(label, target, OPTIONAL)
                elif field.one_to_one and field.null:
                    add(label, target, ONE_TO_ONE)
                else:
                    add(label, target, OPTIONAL if field.null else REQUIRED)
            if declaration.has_custom_fields():
                add(label, 'extras.customfield', REQUIRED)
            if declaration.has_tags():
                add(label, 'extras.tag', REQUIRED)
            generic = [(f.ct_field, model._meta.get_field(f.fk_field).null) for f in model._meta.private_fields
                       if hasattr(f, 'fk_field')]
            for item in self.data[label]:
                for ct_field, nullable in generic:
                    if isinstance(item.get(ct_field), str):
                        add(label, item[ct_field], GENERIC if nullable else REQUIRED)
                for end in ('a_terminations', 'b_terminations'):
                    for termination in item.get(end) or ():
                        if isinstance(termination, dict) and isinstance(termination.get('object_type'), str):
                            add(label, termination['object_type'], REQUIRED)
            for (owner, name), (_, target) in INNER_REFS.items():
                if owner == label and (owner, name) not in MIRRORED:
                    add(label, target, REQUIRED)
        for name, (kind, target) in self.custom_fields.items():
            if kind in ('object', 'multiobject') and target:
                for label in self.custom_field_models[name] & set(edges):
                    add(label, target, GENERIC)
        return edges

    def order(self):
        edges = self.edges()
        active = {label: dict(targets) for label, targets in edges.items()}
        self.broken = []
        while True:
            cycle = _find_cycle(active)
            if cycle is None:
                break
            # The cycle's weakest relation waits for the second pass (of equals, the one from the later model).
            source, target = min(reversed(cycle), key=lambda edge: active[edge[0]][edge[1]])
            if active[source][target] == REQUIRED:
                raise ImportError_(f'Models depend on each other in a cycle: {", ".join(a for a, _ in cycle)}.')
            del active[source][target]
            self.broken.append((source, target))
        placed, order = set(), []
        labels = [d.label() for d in registry if d.label() in active]
        while len(order) < len(labels):
            for label in labels:
                if label not in placed and all(t in placed for t in active[label]):
                    placed.add(label)
                    order.append(label)
                    break
        return order

    # Writing

    def write_all(self):
        for label in self.order():
            if label in DERIVED:
                self.done.add(label)
                continue
            self.write_model(label)
            self.done.add(label)
        self.write_deferred()
        self.rebuild_paths()
        self.match_derived()
        self.copy_timestamps()

    def serializer(self, declaration, **kwargs):
        return declaration.serializer()(context={'request': self.request}, **kwargs)

    def write_model(self, label):
        declaration = registry.get(label)
        items = self.data[label]
        plans = _field_plans(declaration, self.serializer(declaration))
        self_refs = [plan.name for plan in plans if plan.kind == 'ref' and plan.target == label]
        self.match_natural_keys(label, items)
        pending = list(items)
        with self.bar(f'Writing {label}', total=len(items)) as bar:
            while pending:
                # Objects whose parents (same model) are written come first, in waves.
                ready = [item for item in pending if self._parents_written(label, item, self_refs, pending)]
                force = not ready
                if force:  # a cycle within the model: its self-references wait for the second pass
                    ready = pending
                waiting = {id(item) for item in ready}
                pending = [item for item in pending if id(item) not in waiting]
                self.write_items(declaration, plans, ready, defer_self=force)
                bar.update(len(ready))

    def _parents_written(self, label, item, self_refs, pending):
        mapped = self.mapping[label]
        for name in self_refs:
            for ref in _ids(item.get(name)):
                if ref not in mapped and ref != item['id']:
                    return False
        return True

    def match_natural_keys(self, label, items):
        key = NATURAL_KEYS.get(label)
        if key is None:
            return
        model = registry.get(label).model
        mapped = self.mapping[label]
        wanted = {item[key]: item['id'] for item in items if item['id'] not in mapped and item.get(key)}
        rows = model._default_manager.filter(**{f'{key}__in': list(wanted)}).values_list(key, 'pk')
        self.remember(label, [(wanted[name], pk) for name, pk in rows])

    def write_items(self, declaration, plans, items, defer_self=False):
        label = declaration.label()
        mapped = self.mapping[label]
        new, existing = [], []
        for item in items:
            try:
                payload, later = self.payload(declaration, plans, item, defer_self=defer_self)
            except ObjectFailure as exc:
                self.fail(label, item, str(exc))
                continue
            if later:
                self.deferred[label][item['id']] = later
            if item['id'] in mapped:
                existing.append((item, payload))
            else:
                new.append((item, payload))
        for start in range(0, len(new), CHUNK):
            self.create(declaration, new[start:start + CHUNK])
        for start in range(0, len(existing), CHUNK):
            self.change(declaration, existing[start:start + CHUNK])

    def create(self, declaration, pairs):
        label = declaration.label()
        try:
            with transaction.atomic():
                serializer = self.serializer(declaration)
                validated, errors = serializer.validate_many([payload for _, payload in pairs])
                good = [index for index, error in enumerate(errors) if not error]
                if len(good) != len(pairs):
                    for index, error in enumerate(errors):
                        if error:
                            self.fail(label, pairs[index][0], _reason(error))
                    serializer._set_instances = [serializer._set_instances[index] for index in good]
                instances = serializer.create_many([validated[index] for index in good]) if good else []
                self.after_create(label, instances)
                self.remember(label, [(pairs[index][0]['id'], instance.pk)
                                      for index, instance in zip(good, instances, strict=True)], record=True)
                self.created[label] += len(instances)
        except ImportError_:
            raise
        except Exception as exc:
            if len(pairs) == 1:
                self.fail(label, pairs[0][0], f'{type(exc).__name__}: {exc}')
                return
            # Something only the database noticed: each object on its own, to name the ones that fail.
            self.failures = [f for f in self.failures if not (f[0] == label and f[1] in {p[0]['id'] for p in pairs})]
            for pair in pairs:
                self.create(declaration, [pair])

    def change(self, declaration, pairs):
        """Re-apply the source's values to objects copied before (--update): unchanged objects are not saved."""
        from netbox.api.serializers import field_values
        from netbox.changelog import related_values

        label = declaration.label()
        mapped = self.mapping[label]
        try:
            with transaction.atomic():
                stored = declaration.model._default_manager.in_bulk([mapped[item['id']] for item, _ in pairs])
                instances = [stored[mapped[item['id']]] for item, _ in pairs]
                serializer = self.serializer(declaration, partial=True)
                related_before = related_values(instances)
                originals = [field_values(instance) for instance in instances]
                validated, errors = serializer.validate_many([payload for _, payload in pairs], instances)
                if any(errors):
                    for index, error in enumerate(errors):
                        if error:
                            self.fail(label, pairs[index][0], _reason(error))
                    keep = [index for index, error in enumerate(errors) if not error]
                    instances = [instances[index] for index in keep]
                    validated = [validated[index] for index in keep]
                    originals = [originals[index] for index in keep]
                before = [dict(original) for original in originals]
                serializer.update_many(instances, validated, originals, related_before)
                after = related_values(instances)
                for instance, original in zip(instances, before, strict=True):
                    if field_values(instance, like=original) != original or \
                            _relations_differ(after.get(instance.pk), related_before.get(instance.pk)):
                        self.updated[label] += 1
        except Exception as exc:
            if len(pairs) == 1:
                self.fail(label, pairs[0][0], f'{type(exc).__name__}: {exc}')
                return
            for pair in pairs:
                self.change(declaration, [pair])

    def after_create(self, label, instances):
        if label == 'users.user' and instances:
            from django.contrib.auth.hashers import make_password

            # Passwords are never copied: the accounts cannot log in with one until it is set here.
            type(instances[0]).objects.filter(pk__in=[u.pk for u in instances]).update(password=make_password(None))

    def remember(self, label, pairs, record=False):
        from core.models import ImportedObject

        if not pairs:
            return
        mapped = self.mapping[label]
        mapped.update(pairs)
        content_type = ContentType.objects.get_by_natural_key(*label.split('.'))
        ImportedObject.objects.bulk_create(
            [ImportedObject(source=self.source_key, object_type=content_type, source_id=source_id, local_id=local_id)
             for source_id, local_id in pairs],
            update_conflicts=True, unique_fields=('source', 'object_type', 'source_id'),
            update_fields=('local_id', 'imported'))

    def fail(self, label, item, reason):
        self.failures.append((label, item.get('id'), item.get('display') or '', reason))

    # Payloads

    def stored_instance(self, item):
        model = registry.get(self.current).model
        return model._default_manager.get(pk=self.mapping[self.current][item['id']])

    def payload(self, declaration, plans, item, defer_self=False, only=None):
        """The write body for one source object (our IDs), and {field: source value} of the fields that wait."""
        label = self.current = declaration.label()
        body, later = {}, {}
        for plan in plans:
            if plan.name not in item or (only is not None and plan.name not in only):
                continue
            value = item[plan.name]
            if defer_self and plan.kind == 'ref' and plan.target == label and value:
                later[plan.name] = value
                body[plan.name] = [] if plan.many else None
                continue
            try:
                converted = self.convert(plan, value, item)
            except Deferred:
                if not plan.nullable:
                    raise ObjectFailure(f'{plan.name}: refers to an object not copied yet')
                later[plan.name] = value
                if plan.kind == 'custom_fields':
                    converted = self.convert_custom_fields(value, partial=True)
                elif plan.kind == 'generic_id':
                    body[plan.extra] = None
                    converted = None
                else:
                    converted = [] if plan.many else None
            if plan.kind == 'file' and converted is None:
                continue
            body[plan.name] = converted
        if label == 'users.user' and item['id'] not in self.mapping[label]:
            body['password'] = secrets.token_urlsafe(24)  # replaced by an unusable password once created
        return body, later

    def local_id(self, target, source_id, nullable=True):
        """Our ID for a source object of model `target`; Deferred while that model is still to be written."""
        if source_id is None:
            return None
        mapped = self.mapping.get(target, {}).get(source_id)
        if mapped is not None:
            return mapped
        if target in self.data and target not in self.done:
            raise Deferred()
        if target in NOT_COPIED:
            raise ObjectFailure(f'refers to {target} #{source_id}, which is not copied ({NOT_COPIED[target]})')
        raise ObjectFailure(f'refers to {target} #{source_id}, which could not be copied')

    def convert(self, plan, value, item):
        if plan.kind == 'ref' or plan.kind == 'tags':
            if plan.many:
                return [self.local_id(plan.target, ref) for ref in _ids(value)]
            refs = _ids(value)
            return self.local_id(plan.target, refs[0]) if refs else None
        if plan.kind == 'generic_id':
            type_label = item.get(plan.extra)
            if value is None or not isinstance(type_label, str):
                return value
            return self.local_id(type_label, value)
        if plan.kind == 'custom_fields':
            return self.convert_custom_fields(value)
        if plan.kind == 'terminations':
            return [{'object_type': end['object_type'], 'object_id': self.local_id(end['object_type'],
                                                                                   end['object_id'])}
                    for end in value or ()]
        if plan.kind == 'inner':
            return [{**row, plan.extra: self.local_id(plan.target, _ids(row.get(plan.extra))[0])}
                    for row in value or ()]
        if plan.kind == 'file':
            if not value:
                return None
            from django.core.files.uploadedfile import SimpleUploadedFile

            content = self.source.download(value)
            if item['id'] in self.mapping[self.current]:
                # Copied before: the stored file stays unless the source's differs.
                stored = getattr(self.stored_instance(item), plan.name)
                try:
                    with stored.open('rb') as handle:
                        if handle.read() == content:
                            return None
                except (OSError, ValueError):
                    pass
            return SimpleUploadedFile(value.rsplit('/', 1)[-1], content)
        return _plain(value)

    def convert_custom_fields(self, values, partial=False):
        """Custom field values with object IDs mapped; `partial` leaves out the ones that must wait."""
        out = {}
        for name, value in (values or {}).items():
            kind, target = self.custom_fields.get(name, (None, None))
            try:
                if kind == 'object' and value is not None:
                    value = self.local_id(target, _ids(value)[0])
                elif kind == 'multiobject' and value is not None:
                    value = [self.local_id(target, ref) for ref in _ids(value)]
                else:
                    value = _plain(value)
            except Deferred:
                if partial:
                    continue
                raise
            out[name] = value
        return out

    def write_deferred(self):
        """The second pass: the relations that waited for their targets."""
        for label in self.order():
            waiting = self.deferred.get(label)
            if not waiting:
                continue
            declaration = registry.get(label)
            plans = _field_plans(declaration, self.serializer(declaration))
            mapped = self.mapping[label]
            pairs = []
            for source_id, fields in waiting.items():
                if source_id not in mapped:
                    continue
                item = dict(fields, id=source_id)
                original = next((obj for obj in self.data[label] if obj['id'] == source_id), item)
                for plan in plans:  # a generic relation's type travels with its ID
                    if plan.kind == 'generic_id' and plan.name in fields:
                        item[plan.extra] = original.get(plan.extra)
                try:
                    payload, later = self.payload(declaration, plans, item, only=set(item))
                except ObjectFailure as exc:
                    self.fail(label, original, str(exc))
                    continue
                pairs.append((original, payload))
            with self.bar(f'Linking {label}', total=len(pairs)) as bar:
                for start in range(0, len(pairs), CHUNK):
                    self.change(declaration, pairs[start:start + CHUNK])
                    bar.update(len(pairs[start:start + CHUNK]))

    def rebuild_paths(self):
        """Cable paths are worked out here from the copied cables, not copied."""
        from dcim.cabling import rebuild_all

        with self.bar('Recomputing cable paths', unit='endpoint') as bar, transaction.atomic():
            rebuild_all(progress=bar.update)

    def copy_timestamps(self):
        """Creation and change times as the source has them (writes here set them to now)."""
        from .bulk import update_rows

        for label, items in self.data.items():
            model = registry.get(label).model
            fields = [f for f in model._meta.concrete_fields if f.name in ('created', 'last_updated')]
            mapped = self.mapping[label]
            if not fields:
                continue
            rows = []
            for item in items:
                if item['id'] not in mapped or not all(f.name in item for f in fields):
                    continue
                row = model(pk=mapped[item['id']])
                for field in fields:
                    setattr(row, field.attname, _datetime(item[field.name]))
                rows.append(row)
            if rows:
                with transaction.atomic():
                    update_rows(model, rows, fields)

    # Derived objects

    def match_derived(self):
        """Our IDs of the source's built-in and derived objects, found by what they consist of."""
        if 'core.objecttype' in self.data:
            ours = {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()}
            self.mapping['core.objecttype'] = {
                item['id']: ours[(item['app_label'], item['model'])]
                for item in self.data['core.objecttype'] if (item.get('app_label'), item.get('model')) in ours}
        if 'extras.taggeditem' in self.data:
            from extras.models import TaggedItem

            ours = {(tag, f'{app}.{model}', object_id): pk for pk, tag, app, model, object_id in
                    TaggedItem.objects.values_list('pk', 'tag_id', 'content_type__app_label', 'content_type__model',
                                                   'object_id')}
            found = {}
            for item in self.data['extras.taggeditem']:
                tag = self.mapping['extras.tag'].get(_ids(item.get('tag'))[0] if item.get('tag') else None)
                target = self.mapping.get(item.get('object_type'), {}).get(item.get('object_id'))
                key = (tag, item.get('object_type'), target)
                if key in ours:
                    found[item['id']] = ours[key]
            self.mapping['extras.taggeditem'] = found
        if 'dcim.cabletermination' in self.data:
            from dcim.models import CableTermination

            ours = {(cable, end, f'{app}.{model}', termination): pk for pk, cable, end, app, model, termination in
                    CableTermination.objects.values_list('pk', 'cable_id', 'cable_end', 'termination_type__app_label',
                                                         'termination_type__model', 'termination_id')}
            found = {}
            for item in self.data['dcim.cabletermination']:
                cable = self.mapping['dcim.cable'].get(_ids(item.get('cable'))[0] if item.get('cable') else None)
                target = self.mapping.get(item.get('termination_type'), {}).get(item.get('termination_id'))
                key = (cable, item.get('cable_end'), item.get('termination_type'), target)
                if key in ours:
                    found[item['id']] = ours[key]
            self.mapping['dcim.cabletermination'] = found

    # Verification

    def local_objects(self, declaration, ids):
        """Our REST representation of the objects with these IDs, read through our own viewset: {id: JSON}."""
        from rest_framework.test import APIRequestFactory, force_authenticate

        from .api.viewsets import viewset_for

        view = viewset_for(declaration).as_view({'get': 'list'})
        factory = APIRequestFactory()
        wanted = sorted(set(ids))
        found = {}
        for start in range(0, len(wanted), PAGE):
            chunk = wanted[start:start + PAGE]
            request = factory.get(_api_path(declaration), {'id': chunk, 'limit': PAGE, 'exclude': 'config_context'})
            force_authenticate(request, user=self.user)
            response = view(request)
            response.render()  # through the API's own JSON renderer, as a client would read it
            body = json.loads(response.content)
            for obj in body.get('results', []) if isinstance(body, dict) else body:
                found[obj['id']] = obj
        return found

    def verify(self):
        report = Report()
        with self.bar('Verifying', total=len(self.data), unit='model') as bar:
            for declaration in registry:
                label = declaration.label()
                if label in NOT_COPIED:
                    report.not_copied.append((label, NOT_COPIED[label]))
                    continue
                items = self.data.get(label)
                if items is None:
                    continue
                mapped = self.mapping.get(label, {})
                local = self.local_objects(declaration, [mapped[i['id']] for i in items if i['id'] in mapped])
                row = report.model(label, len(items))
                for item in items:
                    local_id = mapped.get(item['id'])
                    if local_id is None or local_id not in local:
                        row['missing'] += 1
                        report.differences.append((label, item['id'], None, item.get('display', ''),
                                                   [('(object)', 'present', 'missing')]))
                        continue
                    row['copied'] += 1
                    differences = self.compare(label, item, local[local_id])
                    if differences:
                        row['different'] += 1
                        report.differences.append((label, item['id'], local_id, item.get('display', ''),
                                                   differences))
                    else:
                        row['equal'] += 1
                bar.update(1)
        report.failures = list(self.failures)
        return report

    def compare(self, label, source, local):
        differences = []
        declaration = registry.get(label)
        # Counts of objects that are not copied (a data source's files) cannot match.
        uncounted = {name for name, counter in declaration.counts.items()
                     if counter.model_label.lower() in NOT_COPIED}
        for name, value in source.items():
            if name in UNCOMPARED or name in uncounted:
                continue
            expected = self.normalise(label, name, value, side='source', owner=source)
            actual = self.normalise(label, name, local.get(name, _ABSENT), side='local', owner=local)
            if expected != actual:
                differences.append((name, _short(value), _short(local.get(name, '(absent)'))))
        return differences

    def normalise(self, label, name, value, side, owner):
        if value is _ABSENT:
            return '(absent)'
        if name == 'id':
            return self._map(label, value, side)
        if (label, name) in ID_FIELDS:
            return self._map(ID_FIELDS[(label, name)], _ids(value)[0] if value is not None else None, side)
        if (label, name) in INNER_REFS:
            key, target = INNER_REFS[(label, name)]
            rows = [{**row, key: self._map(target, _ids(row.get(key))[0], side)} for row in value or ()]
            return _canonical(rows)
        if name == 'custom_fields' and isinstance(value, dict):
            out = {}
            for cf_name, cf_value in value.items():
                kind, target = self.custom_fields.get(cf_name, (None, None))
                if kind == 'object' and cf_value is not None:
                    cf_value = ('ref', target, self._map(target, _ids(cf_value)[0], side))
                elif kind == 'multiobject' and cf_value is not None:
                    cf_value = sorted(('ref', target, self._map(target, ref, side)) for ref in _ids(cf_value))
                else:
                    cf_value = self._walk(cf_value, side)
                out[cf_name] = cf_value
            return out
        type_name = name[:-2] + 'type' if name.endswith('_id') else None
        if name == 'object_id':
            type_name = 'object_type'
        if type_name and isinstance(owner.get(type_name), str) and '.' in owner[type_name] and value is not None:
            return self._map(owner[type_name], value, side)
        return self._walk(value, side)

    def _map(self, label, value, side):
        if value is None or side == 'local':
            return ('ref', label, value)
        return ('ref', label, self.mapping.get(label, {}).get(value, f'unmapped source #{value}'))

    def _walk(self, value, side):
        if isinstance(value, dict):
            target = _url_model(value.get('url'))
            out = {}
            for key, inner in value.items():
                if key in UNCOMPARED:
                    continue
                if key == 'id' and target is not None:
                    out[key] = self._map(target, inner, side)
                    continue
                type_name = key[:-2] + 'type' if key.endswith('_id') else None
                if key == 'object_id':
                    type_name = 'object_type'
                if type_name and isinstance(value.get(type_name), str) and '.' in value[type_name]:
                    out[key] = self._map(value[type_name], inner, side)
                    continue
                out[key] = self._walk(inner, side)
            return out
        if isinstance(value, list):
            return _canonical([self._walk(inner, side) for inner in value])
        return value


class Report:
    """Per model: source objects, copies found, equal, different, missing; every difference and failure."""

    def __init__(self):
        self.rows = {}
        self.differences = []   # (label, source id, local id, display, [(field, source value, our value)])
        self.failures = []
        self.not_copied = []

    def model(self, label, count):
        row = self.rows[label] = {'source': count, 'copied': 0, 'equal': 0, 'different': 0, 'missing': 0}
        return row

    @property
    def all_equal(self):
        return all(row['equal'] == row['source'] for row in self.rows.values())

    def totals(self):
        keys = ('source', 'copied', 'equal', 'different', 'missing')
        return {key: sum(row[key] for row in self.rows.values()) for key in keys}

    def lines(self):
        yield f'{"Model":<38}{"Source":>8}{"Copied":>8}{"Equal":>8}{"Differ":>8}{"Missing":>8}'
        for label, row in self.rows.items():
            yield (f'{label:<38}{row["source"]:>8}{row["copied"]:>8}{row["equal"]:>8}{row["different"]:>8}'
                   f'{row["missing"]:>8}')
        totals = self.totals()
        yield (f'{"Total":<38}{totals["source"]:>8}{totals["copied"]:>8}{totals["equal"]:>8}'
               f'{totals["different"]:>8}{totals["missing"]:>8}')
        for label, reason in self.not_copied:
            yield f'Not copied: {label}: {reason}.'
        if self.failures:
            yield f'{len(self.failures)} objects could not be copied:'
            for label, source_id, display, reason in self.failures:
                yield f'  {label} #{source_id} "{display}": {reason}'
        if self.differences:
            yield f'{len(self.differences)} objects differ from the source:'
            for label, source_id, local_id, display, fields in self.differences:
                yield f'  {label} #{source_id} "{display}" (here #{local_id}):'
                for name, expected, actual in fields:
                    yield f'    {name}: source {expected} / here {actual}'


_ABSENT = object()
_URL = re.compile(r'(?P<list>/api/(?:[a-z0-9_-]+/)+)\d+/?$')
_URL_MODELS = {}


def _url_model(url):
    """The model label of an API object URL (…/api/dcim/devices/5/), or None."""
    if not isinstance(url, str):
        return None
    match = _URL.search(url.split('?')[0])
    if not match:
        return None
    if not _URL_MODELS:
        for declaration in registry:
            _URL_MODELS[_api_path(declaration)] = declaration.label()
    return _URL_MODELS.get(match['list'])


def _set_by_cable(field):
    """A component's cable: set by the cable's terminations when the cable is written, never directly."""
    return field.name == 'cable' and field.related_model is not None and _label(field.related_model) == 'dcim.cable'


def _ids(value):
    """The IDs in a reference value: a nested object, a bare ID, or a list of either."""
    if value is None:
        return []
    if isinstance(value, list):
        return [ref for item in value for ref in _ids(item)]
    if isinstance(value, dict):
        return [value['id']] if 'id' in value else []
    return [value]


def _plain(value):
    """A read value as it is written: a choice's {value, label} as its value."""
    if isinstance(value, dict) and set(value) == {'value', 'label'}:
        return value['value']
    return value


def _canonical(items):
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def _short(value, limit=160):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + '…'


def _reason(error):
    if isinstance(error, dict):
        return '; '.join(f'{name}: {" ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))}'
                         for name, messages in error.items())
    return str(error)


def _relations_differ(after, before):
    after, before = after or {}, before or {}
    return any(sorted(map(str, after.get(key, ()))) != sorted(map(str, before.get(key, ())))
               for key in set(after) | set(before))


def _datetime(value):
    if not isinstance(value, str):
        return value
    try:
        return datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        return datetime.date.fromisoformat(value)


def _find_cycle(edges):
    """One cycle of {node: {target: strength}} as [(node, target), ...], or None."""
    state, path = {}, []

    def visit(node):
        state[node] = 'open'
        path.append(node)
        for target in edges[node]:
            if state.get(target) == 'open':
                start = path.index(target)
                nodes = path[start:] + [target]
                return list(zip(nodes, nodes[1:], strict=False))
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 'done'
        return None

    for node in edges:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _components(edges):
    """Strongly connected components of {node: {target: strength}} (Tarjan's algorithm)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            result.append(component)

    for node in edges:
        if node not in index:
            visit(node)
    return result



