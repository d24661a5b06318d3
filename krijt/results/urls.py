from django.urls import path

from krijt.results import views

app_name = "results"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("mine/parents/", views.sharing, name="sharing"),
    path("policy/", views.policy, name="policy"),
    path("students/<int:student_id>/", views.student_results, name="student"),
    path("courses/<int:course_id>/", views.course_grid, name="course"),
    path("courses/<int:course_id>/evaluations/new/", views.evaluation_new, name="evaluation_new"),
    path("courses/<int:course_id>/export.csv", views.export_csv, name="export_csv"),
    path("courses/<int:course_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:evaluation_id>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:evaluation_id>/delete/", views.evaluation_delete, name="evaluation_delete"),
    path("evaluations/<int:evaluation_id>/publish/", views.evaluation_publish, name="publish"),
    path("evaluations/<int:evaluation_id>/students/<int:student_id>/", views.cell, name="cell"),
    path("scores/<int:score_id>/", views.score_history, name="history"),
]
