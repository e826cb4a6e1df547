"""What runscript and runreport share: a run in this process, recorded as a Job, its log printed."""
from django.core.management.base import CommandError
from django.db import transaction

STYLES = {'success': 'SUCCESS', 'warning': 'WARNING', 'failure': 'ERROR'}


def resolve_user(username):
    from users.models import User

    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f'No user {username!r}.')
    return user


def run_now(command, script, user, data, commit):
    """Run `script` synchronously as `user`; print its log; returns the Job."""
    from django.contrib.contenttypes.models import ContentType

    from core.jobs import run_job
    from core.models import Job

    with transaction.atomic():
        job = Job.objects.create(name=script.full_name, user=user, object_type=ContentType.objects.get_for_model(
            type(script)), object_id=script.pk, queue_name='', status='pending')
    run_job(job.pk, 'extras.scripts.run_script_job', {'data': data, 'commit': commit, 'request': None})
    job.refresh_from_db()
    for entry in (job.data or {}).get('log', []):
        style = getattr(command.style, STYLES.get(entry['status'], 'NOTICE'))
        subject = f' [{entry["object"]}]' if entry.get('object') else ''
        command.stdout.write(style(f'{entry["status"]:<8}{subject} {entry["message"]}'))
    output = (job.data or {}).get('output')
    if output:
        command.stdout.write(output)
    if job.status != 'completed' and job.error and not (job.data or {}).get('log'):
        command.stderr.write(job.error)
    command.stdout.write(f'{script.full_name}: {job.get_status_display().lower()}')
    return job
