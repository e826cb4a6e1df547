"""Syncing a data source: its files read into DataFile rows, then the objects that follow those files updated.

Local directories are read in place; git repositories are cloned (shallow, one branch) into a temporary
directory with the system `git` binary and read the same way. Amazon S3 is refused with a message saying so.
A sync asked for through the API or the UI runs as a background job (`enqueue_sync`, `sync_job`).
"""
import base64
import fnmatch
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger('netbox.datasync')
# Files larger than this are skipped: data files hold templates and the like, not bulk data.
MAX_FILE_SIZE = 10 * 1024 * 1024
# How long one git clone may take before it is stopped (seconds).
GIT_TIMEOUT = 120
# URL schemes a git source may use: HTTP(S), and file:// for repositories on this server.
GIT_SCHEMES = ('http', 'https', 'file')


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


def ignore_rules(source):
    return [line.strip() for line in source.ignore_rules.splitlines() if line.strip() and
            not line.strip().startswith('#')]


def read_local_files(source):
    """{relative path: (bytes, modification time)} of the regular files under the source's directory."""
    return read_directory(local_root(source), ignore_rules(source))


def read_directory(root, rules):
    """{relative path: (bytes, modification time)} of the regular files under `root`, less those matching
    `rules` and those in hidden directories (.git)."""
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


def git_parameters(source):
    """(branch, username, password) from the source's parameters, each '' when not given."""
    parameters = source.parameters or {}
    values = []
    for name in ('branch', 'username', 'password'):
        value = parameters.get(name) or ''
        if not isinstance(value, str):
            raise ValidationError({'parameters': f'"{name}" must be a string.'})
        values.append(value)
    branch = values[0]
    if branch.startswith('-') or any(char.isspace() or ord(char) < 32 for char in branch):
        raise ValidationError({'parameters': f'"{branch}" is not a branch name.'})
    return tuple(values)


def check_git_url(url):
    """The repository URL, refused unless HTTP(S) or file:// (no other git transports: ext::, ssh...)."""
    parts = urlsplit(url)
    if parts.scheme not in GIT_SCHEMES or (parts.scheme != 'file' and not parts.hostname):
        raise ValidationError({'source_url': f'Give an http://, https:// or file:// URL of a git repository '
                                             f'(got "{url}").'})
    if parts.username or parts.password:
        raise ValidationError({'source_url': 'Give the credentials as the "username" and "password" parameters, '
                                             'not in the URL.'})
    return url


def git_environment(url, username, password):
    """The environment of the git process: no prompts, no user or system configuration, and HTTP credentials as
    a Basic authorisation header passed through the environment (never on the command line)."""
    env = {
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': tempfile.gettempdir(), 'LANG': 'C',
        'GIT_TERMINAL_PROMPT': '0', 'GIT_ASKPASS': 'true', 'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': os.devnull,
    }
    for name in ('http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'):
        if name in os.environ:
            env[name] = os.environ[name]
    if (username or password) and urlsplit(url).scheme in ('http', 'https'):
        token = base64.b64encode(f'{username}:{password}'.encode()).decode()
        env.update({'GIT_CONFIG_COUNT': '1', 'GIT_CONFIG_KEY_0': 'http.extraHeader',
                    'GIT_CONFIG_VALUE_0': f'Authorization: Basic {token}'})
    return env


def read_git_files(source):
    """{relative path: (bytes, commit time)} of the files of the repository's branch (its default branch unless
    the "branch" parameter names one), from a shallow clone made for this sync and removed after it."""
    url = check_git_url(source.source_url.strip())
    branch, username, password = git_parameters(source)
    git = shutil.which('git')
    if git is None:
        raise ValidationError({'type': 'The git program is not installed on this server.'})
    command = [git, 'clone', '--quiet', '--depth', '1', '--single-branch', '--no-tags', '--no-recurse-submodules']
    if branch:
        command += ['--branch', branch]
    with tempfile.TemporaryDirectory(prefix='netbox-git-') as workdir:
        target = os.path.join(workdir, 'repository')
        try:
            result = subprocess.run([*command, '--', url, target], env=git_environment(url, username, password),
                                    cwd=workdir, capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ValidationError({'source_url': f'Cloning {url} took longer than {GIT_TIMEOUT} seconds.'})
        if result.returncode != 0:
            lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            reason = lines[-1] if lines else f'git exited with status {result.returncode}'
            raise ValidationError({'source_url': f'Cannot clone {url}: {reason[:300]}'})
        return read_directory(target, ignore_rules(source))


READERS = {'local': read_local_files, 'git': read_git_files}


def sync_data_source(source):
    """Replace the source's DataFile rows with its current files, in one transaction."""
    from .models import DataFile

    reader = READERS.get(source.type)
    if reader is None:
        raise ValidationError({'type': f'Syncing {source.get_type_display()} data sources is not supported yet; '
                                       f'local directories and git repositories are.'})
    try:
        files = reader(source)
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


def enqueue_sync(source, user=None):
    """Mark the source `queued` and have a worker sync it (`sync_job`); returns the Job."""
    from .jobs import enqueue_job

    type(source).objects.filter(pk=source.pk).update(status='queued')
    source.status = 'queued'
    return enqueue_job('core.datasync.sync_job', name=f'Sync {source.name}', instance=source, user=user)


def sync_job(job):
    """The background sync of the Job's data source: `syncing` while it runs, then `completed` (with the files
    and followers updated) or `failed` (the Job failed too, saying why)."""
    from .jobs import JobFailed, log
    from .models import DataSource

    source = DataSource.objects.filter(pk=job.object_id).first()
    if source is None:
        raise JobFailed('The data source no longer exists.')
    DataSource.objects.filter(pk=source.pk).update(status='syncing')
    source.status = 'syncing'
    try:
        source.sync()
    except ValidationError as error:
        DataSource.objects.filter(pk=source.pk).update(status='failed')
        messages = '; '.join(f'{field}: {" ".join(texts)}' for field, texts in error.message_dict.items()) \
            if hasattr(error, 'error_dict') else ' '.join(error.messages)
        raise JobFailed(messages)
    except Exception:
        DataSource.objects.filter(pk=source.pk).update(status='failed')
        raise
    count = source.datafiles.count()
    job.data = {'files': count}
    log(job, f'Synced {count} files from {source.source_url}.', 'success')
