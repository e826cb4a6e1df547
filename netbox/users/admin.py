"""Admin pages for accounts and permissions (staff only)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Group, ObjectPermission, Owner, OwnerGroup, Token, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ('username', 'email', 'first_name', 'last_name', 'is_superuser', 'is_staff', 'is_active')
    filter_horizontal = ('groups',)
    fieldsets = (
        (None, {'fields': ('username', 'password', 'first_name', 'last_name', 'email')}),
        ('Groups', {'fields': ('groups',)}),
        ('Status', {'fields': ('is_active', 'is_staff', 'is_superuser')}),
        ('Important dates', {'fields': ('last_login', 'date_joined')}),
    )


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ('name', 'description')
    search_fields = ('name',)


@admin.register(ObjectPermission)
class ObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ('name', 'enabled', 'actions', 'constraints', 'description')
    list_filter = ('enabled', 'object_types')
    filter_horizontal = ('object_types', 'groups', 'users')
    search_fields = ('name', 'description')


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ('__str__', 'user', 'version', 'write_enabled', 'enabled', 'expires', 'last_used')
    list_filter = ('version', 'write_enabled', 'enabled')
    readonly_fields = ('key', 'pepper_id', 'last_used')
    exclude = ('plaintext', 'digest')


admin.site.register(Owner)
admin.site.register(OwnerGroup)
admin.site.site_header = 'NetBox administration'
