"""Template tags of the core app: the latest background jobs of an object, as the requesting user may see them."""
from django import template
from django.contrib.contenttypes.models import ContentType

register = template.Library()


@register.simple_tag(takes_context=True)
def recent_jobs(context, obj, count=5):
    """The object's `count` latest jobs the user may view (none without the permission)."""
    from core.models import Job

    request = context.get('request')
    if request is None:
        return []
    content_type = ContentType.objects.get_for_model(type(obj))
    return list(Job.objects.restrict(request.user, 'view').filter(object_type=content_type, object_id=obj.pk)
                .select_related('user').order_by('-created')[:count])


JOB_BADGES = {'completed': 'badge-green', 'errored': 'badge-red', 'failed': 'badge-red', 'running': 'badge-blue'}
LOG_BADGES = {'success': 'badge-green', 'warning': 'badge-yellow', 'failure': 'badge-red', 'info': 'badge-blue'}


@register.filter
def job_unfinished(job):
    """Whether the job may still change (its page keeps polling)."""
    return job.status in ('pending', 'scheduled', 'running')


@register.filter
def job_badge(job):
    return JOB_BADGES.get(job.status, 'badge-neutral')


@register.filter
def log_badge(level):
    return LOG_BADGES.get(level, 'badge-neutral')
