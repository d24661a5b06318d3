from django.urls import path

from krijt.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge", views.badge, name="badge"),
    path("read-all", views.notification_read_all, name="read_all"),
    path("<int:notification_id>/open", views.notification_open, name="open"),
    path("<int:notification_id>/read", views.notification_read, name="read"),
    path("policy", views.policy_page, name="policy"),
    path("preferences", views.preferences, name="preferences"),
    path("failed", views.failed_list, name="failed"),
    path("urgent", views.urgent_log, name="urgent_log"),
    path("failed/<int:delivery_id>/retry", views.failed_retry, name="failed_retry"),
]
