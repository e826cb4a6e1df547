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
