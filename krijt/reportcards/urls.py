from django.urls import path

from krijt.reportcards import views

app_name = "reportcards"

urlpatterns = [
    path("", views.home, name="home"),
    path("periods/<int:period_id>/classes/<int:class_id>/", views.class_overview, name="class_overview"),
    path("periods/<int:period_id>/classes/<int:class_id>/release/", views.release, name="release"),
    path(
        "periods/<int:period_id>/classes/<int:class_id>/courses/<int:course_id>/",
        views.course_comments,
        name="course_comments",
    ),
    path("periods/<int:period_id>/students/<int:student_id>/", views.card, name="card"),
    path("periods/<int:period_id>/students/<int:student_id>/pdf/", views.card_pdf, name="card_pdf"),
    path("periods/<int:period_id>/students/<int:student_id>/mentor/", views.mentor_entry, name="mentor_entry"),
    path("cards/<int:card_id>/conversation/held/", views.conversation_held, name="conversation_held"),
    path("cards/<int:card_id>/conversation/schedule/", views.conversation_schedule, name="conversation_schedule"),
]
