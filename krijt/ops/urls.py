from django.urls import path

from krijt.ops import views

app_name = "ops"

urlpatterns = [
    path("health/", views.health_view, name="health"),
    path("ready/", views.ready_view, name="ready"),
    path("metrics", views.metrics_view, name="metrics"),
    path("status/", views.status_page, name="status"),
    path("status.json", views.status_json, name="status_json"),
    path("status/incidents/", views.incident_list, name="incident_list"),
    path("status/incidents/new/", views.incident_new, name="incident_new"),
    path("status/incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("status/incidents/<int:incident_id>/update/", views.incident_update, name="incident_update"),
]
