"""Syncing a data source: its files read into DataFile rows, then the objects that follow those files updated.

Only local directories are read for now; other source types are refused with a message saying so.
"""
import fnmatch
import hashlib
import logging
import os
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger('netbox.datasync')
# Files larger than this are skipped: data files hold templates and the like, not bulk data.
MAX_FILE_SIZE = 10 * 1024 * 1024


def local_root(source):
    """The directory a local source reads, from its URL (a path, or file:///path)."""
    url = source.source_url.strip()
    path = url[len('file://'):] if url.startswith('file://') else url
    if not os.path.isabs(path):
        raise ValidationError({'source_url': f'Give an absolute directory path (got "{source.source_url}").'})
    if not os.path.isdir(path):
        raise ValidationError({'source_url': f'{path} is not a directory this server can read.'})
    return os.path.realpath(path)


def ignored(relative_path, rules):
    name = os.path.basename(relative_path)
    return any(fnmatch.fnmatchcase(relative_path, rule) or fnmatch.fnmatchcase(name, rule) for rule in rules)


def read_local_files(source):
    """{relative path: (bytes, modification time)} of the regular files under the source's directory."""
    root = local_root(source)
    rules = [line.strip() for line in source.ignore_rules.splitlines() if line.strip() and
             not line.strip().startswith('#')]
    files = {}
    for directory, subdirectories, names in os.walk(root):
        # Hidden directories (.git) are never data.
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith('.'))
        for name in sorted(names):
            full = os.path.join(directory, name)
            relative = os.path.relpath(full, root)
            # Links are not followed: they could point outside the directory.
            if os.path.islink(full) or not os.path.isfile(full) or ignored(relative, rules):
                continue
            stat = os.stat(full)
            if stat.st_size > MAX_FILE_SIZE:
                continue
            with open(full, 'rb') as handle:
                files[relative] = (handle.read(), datetime.fromtimestamp(stat.st_mtime, tz=UTC))
    return files


def sync_data_source(source):
    """Replace the source's DataFile rows with its current files, in one transaction."""
    from .models import DataFile

    if source.type != 'local':
        raise ValidationError({'type': f'Syncing {source.get_type_display()} data sources is not supported yet; '
                                       f'only local directories are.'})
    try:
        files = read_local_files(source)
    except (ValidationError, OSError) as error:
        type(source).objects.filter(pk=source.pk).update(status='failed')
        source.status = 'failed'
        if isinstance(error, OSError):
            raise ValidationError({'source_url': f'Cannot read {source.source_url}: {error.strerror or error}.'})
        raise
    with transaction.atomic():
        existing = {row.path: row for row in DataFile.objects.filter(source=source)}
        DataFile.objects.filter(source=source).exclude(path__in=list(files)).delete()
        created, changed = [], []
        for path, (content, modified) in files.items():
            digest = hashlib.sha256(content).hexdigest()
            row = existing.get(path)
            if row is None:
                created.append(DataFile(source=source, path=path, data=content, hash=digest, size=len(content),
                                        last_updated=modified))
            elif row.hash != digest:
                row.data, row.hash, row.size, row.last_updated = content, digest, len(content), modified
                changed.append(row)
        DataFile.objects.bulk_create(created)
        if changed:
            DataFile.objects.bulk_update(changed, ['data', 'hash', 'size', 'last_updated'])
        source.status = 'completed'
        source.last_synced = timezone.now()
        type(source).objects.filter(pk=source.pk).update(status=source.status, last_synced=source.last_synced)
        sync_followers(source)


def sync_followers(source):
    """Objects set to follow a file of this source automatically take its new content."""
    from .models import synced_data_models

    for model in synced_data_models():
        for follower in model.objects.filter(data_source=source, auto_sync_enabled=True,
                                             data_file__isnull=False).select_related('data_file'):
            # A file that no longer fits its object (a config context's data breaking its profile's schema) leaves
            # that object as it was; the source's sync goes on.
            try:
                follower.sync_data()
            except ValidationError as error:
                logger.warning('%s %s keeps its content: %s', model._meta.verbose_name, follower, error)
                continue
            follower.save()
