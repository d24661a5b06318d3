from django.urls import path

from krijt.attendance import views

app_name = "attendance"

urlpatterns = [
    path("", views.home, name="home"),
    path("lessons/<int:course_id>/<str:day>/<int:period>/", views.register, name="register"),
    path("students/<int:student_id>/", views.student, name="student"),
    path("students/<int:student_id>/code/", views.code, name="code"),
    path("report/", views.report_new, name="report"),
    path("reports/<int:report_id>/end/", views.report_end, name="report_end"),
    path("office/", views.office, name="office"),
    path("proofs/<int:proof_id>/", views.proof_file, name="proof"),
    path("mine/parents/", views.sharing, name="sharing"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:review_id>/close/", views.review_close, name="review_close"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up, name="follow_up"),
    path("classes/", views.classes, name="classes"),
    path("settings/", views.settings_page, name="settings"),
    path("classes/<int:class_id>/", views.class_report, name="class_report"),
    path("classes/<int:class_id>/register.<str:fmt>", views.class_export, name="class_export"),
]
