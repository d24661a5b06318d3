from django.urls import path

from krijt.care import views

app_name = "care"

urlpatterns = [
    path("", views.home, name="home"),
    path("write/", views.write, name="write"),
    path("students/<int:student_id>/", views.student, name="student"),
    path("notes/<int:note_id>/", views.note, name="note"),
    path("notes/<int:note_id>/correct/", views.correct, name="correct"),
    path("notes/<int:note_id>/close/", views.close, name="close"),
    path("files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("overview/", views.overview, name="overview"),
    path("classes/<int:class_id>/", views.class_overview, name="class"),
    path("students/<int:student_id>/consent/", views.consent, name="consent"),
    path("students/<int:student_id>/keep/", views.hold, name="hold"),
    path("settings/", views.settings_page, name="settings"),
    path("mine/parents/", views.sharing, name="sharing"),
]
