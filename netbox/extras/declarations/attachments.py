"""How image attachments are exposed: REST endpoints (multipart upload), filters, list pages, and the Images tab
of every object that takes attachments (netbox.ui.tabs.register_object_tab)."""
from netbox.registry import Declaration, declare
from netbox.ui.tabs import register_object_tab

from ..api import ImageFileField
from ..models import ImageAttachment, accepts_attachments
from ..ui import ImageAttachmentsTabView


@declare
class ImageAttachmentDeclaration(Declaration):
    model = ImageAttachment
    fields = ('object_type', 'object_id', 'parent', 'name', 'image', 'description', 'image_height', 'image_width',
              'image_size', 'created', 'last_updated')
    exclude = ('display_url',)
    read_only = ('image_height', 'image_width', 'image_size')
    brief = ('name', 'image', 'description')
    serializer_fields = {'image': ImageFileField()}
    select_related = ('object_type',)
    filters = ('object_type', 'object_id', 'name', 'description', 'image_height', 'image_width', 'image_size',
               'created', 'last_updated')
    search = ('name', 'description')
    table = ('name', 'object_type', 'parent', 'image_width', 'image_height', 'image_size', 'created')
    menu = ('Customization', 'Attachments')


register_object_tab('<int:pk>/images/', ImageAttachmentsTabView, 'images',
                    lambda declaration: accepts_attachments(declaration.model))
