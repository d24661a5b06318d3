from django.urls import path

from krijt.handin import views

app_name = "handin"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tasks/<int:item_id>/", views.hand_in, name="hand_in"),
    path("tasks/<int:item_id>/submissions/", views.task_submissions, name="task_submissions"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_id>/feedback/", views.submission_feedback, name="submission_feedback"),
    path("files/<int:file_id>/", views.file_download, name="file"),
]
