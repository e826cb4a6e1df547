"""UI URL patterns: home, login/logout, the user's pages, and list/detail/edit/delete/import/bulk pages per model."""
from django.urls import include, path

from extras import personal
from netbox.registry import is_plugin_app, registry

from . import account, views
from .login import LoginView
from .search import SearchView
from .tabs import object_routes


def model_urlpatterns(declaration):
    name = declaration.model_name()
    slug = declaration.slug()
    model_views = views.views_for(declaration)
    extra = [path(f'{slug}/{suffix}', view, name=f'{name}_{route_name}')
             for suffix, view, route_name in object_routes(declaration)]
    return extra + [
        path(f'{slug}/', model_views['list'], name=f'{name}_list'),
        path(f'{slug}/add/', model_views['edit'], name=f'{name}_add'),
        path(f'{slug}/import/', model_views['import'], name=f'{name}_import'),
        path(f'{slug}/edit/', model_views['bulk_edit'], name=f'{name}_bulk_edit'),
        path(f'{slug}/delete/', model_views['bulk_delete'], name=f'{name}_bulk_delete'),
        path(f'{slug}/<int:pk>/', model_views['detail'], name=name),
        path(f'{slug}/<int:pk>/edit/', model_views['edit'], name=f'{name}_edit'),
        path(f'{slug}/<int:pk>/delete/', model_views['delete'], name=f'{name}_delete'),
        path(f'{slug}/<int:pk>/changelog/', model_views['changelog'], name=f'{name}_changelog'),
    ] + registered_view_patterns(declaration)


def registered_view_patterns(declaration):
    """The views registered for the model with utilities.views.register_model_view, under its UI path (after its
    own pages, which they can't replace)."""
    from utilities.urls import get_model_urls

    slug = declaration.slug()
    patterns = []
    for detail, prefix in ((True, f'{slug}/<int:pk>/'), (False, f'{slug}/')):
        for pattern in get_model_urls(declaration.app_label(), declaration.model_name(), detail=detail):
            patterns.append(path(f'{prefix}{pattern.pattern}', pattern.callback, pattern.default_args,
                                 name=pattern.name))
    return patterns


account_patterns = [
    path('profile/', account.ProfileView.as_view(), name='profile'),
    path('preferences/', account.PreferencesView.as_view(), name='preferences'),
    path('password/', account.PasswordView.as_view(), name='password'),
    path('theme/', account.ThemeView.as_view(), name='theme'),
    path('api-tokens/', account.TokensView.as_view(), name='tokens'),
    path('api-tokens/<int:pk>/delete/', account.TokenDeleteView.as_view(), name='token_delete'),
    path('bookmarks/', personal.BookmarksView.as_view(), name='bookmarks'),
    path('bookmarks/toggle/', personal.BookmarkToggleView.as_view(), name='bookmark_toggle'),
    path('subscriptions/', personal.SubscriptionsView.as_view(), name='subscriptions'),
    path('subscriptions/toggle/', personal.SubscriptionToggleView.as_view(), name='subscription_toggle'),
    path('notifications/', personal.NotificationsView.as_view(), name='notifications'),
    path('notifications/<int:pk>/', personal.NotificationOpenView.as_view(), name='notification_open'),
]


def ui_urlpatterns(extras=None):
    """`extras`: {app: [URL patterns]} of pages that belong to no declared model, in the app's namespace."""
    extras = extras or {}
    patterns = [
        path('', views.HomeView.as_view(), name='home'),
        path('search/', SearchView.as_view(), name='search'),
        path('login/', LoginView.as_view(), name='login'),
        path('logout/', views.LogoutView.as_view(), name='logout'),
        path('user/', include((account_patterns, 'account'))),
    ]
    for app in registry.apps:
        if is_plugin_app(app):  # under /plugins/ (netbox.plugins.urls)
            continue
        app_patterns = []
        for declaration in registry.for_app(app):
            app_patterns += model_urlpatterns(declaration)
        app_patterns = list(extras.get(app, ())) + app_patterns
        patterns.append(path(f'{app}/', include((app_patterns, app))))
    return patterns
