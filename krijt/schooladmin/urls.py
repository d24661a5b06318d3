from django.urls import path

from krijt.schooladmin import views

app_name = "schooladmin"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("school/", views.identity, name="identity"),
    path("classes/", views.class_list_view, name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:class_id>/", views.class_detail, name="class_detail"),
    path("classes/<int:class_id>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:class_id>/timetable/", views.class_timetable, name="class_timetable"),
    path("classes/<int:class_id>/letters/", views.class_letters, name="class_letters"),
    path("classes/<int:class_id>/letters.pdf", views.class_letters_pdf, name="class_letters_pdf"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/roles/add/", views.person_role_add, name="person_role_add"),
    path("people/<int:person_id>/roles/remove/", views.person_role_remove, name="person_role_remove"),
    path("people/<int:person_id>/class/", views.person_enrol, name="person_enrol"),
    path("people/<int:person_id>/parents/remove/", views.person_parent_unlink, name="person_parent_unlink"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:course_id>/delete/", views.course_delete, name="course_delete"),
    path("timetable/", views.timetable, name="timetable"),
    path("timetable/periods/<int:lesson_period_id>/edit/", views.lesson_period_edit, name="lesson_period_edit"),
    path("timetable/periods/<int:lesson_period_id>/delete/", views.lesson_period_delete,
         name="lesson_period_delete"),
    path("timetable/slots/<int:slot_id>/delete/", views.slot_delete, name="slot_delete"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/years/new/", views.year_create, name="year_create"),
    path("calendar/years/<int:year_id>/delete/", views.year_delete, name="year_delete"),
    path("calendar/periods/new/", views.period_create, name="period_create"),
    path("calendar/periods/<int:period_id>/delete/", views.period_delete, name="period_delete"),
    path("calendar/entries/new/", views.entry_create, name="entry_create"),
    path("calendar/entries/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
]
