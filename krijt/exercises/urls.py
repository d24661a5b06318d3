from django.urls import path

from krijt.exercises import views

app_name = "exercises"

urlpatterns = [
    path("", views.home, name="home"),
    path("bank/", views.bank, name="bank"),
    path("new/", views.exercise_new, name="exercise_new"),
    path("<int:exercise_id>/", views.exercise, name="exercise"),
    path("<int:exercise_id>/edit/", views.exercise_edit, name="exercise_edit"),
    path("<int:exercise_id>/assign/", views.assign, name="assign"),
    path("<int:exercise_id>/import/", views.qti_import, name="qti_import"),
    path("<int:exercise_id>/export/", views.qti_export, name="qti_export"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("assignments/<int:assignment_id>/", views.assignment, name="assignment"),
    path("courses/<int:course_id>/", views.dashboard, name="dashboard"),
    path("practise/<int:assignment_id>/", views.practise, name="practise"),
    path("attempts/", views.attempts, name="attempts"),
]
