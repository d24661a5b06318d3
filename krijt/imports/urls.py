from django.urls import path

from krijt.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("template/<str:kind>.csv", views.template_csv, name="template_csv"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/state/", views.job_state, name="job_state"),
    path("<int:job_id>/apply/", views.job_apply, name="job_apply"),
]
