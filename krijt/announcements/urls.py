from django.urls import path

from krijt.announcements import views

app_name = "announcements"

urlpatterns = [
    path("", views.home, name="home"),
    path("write/", views.write, name="write"),
    path("manage/", views.manage, name="manage"),
    path("<int:announcement_id>/", views.detail, name="detail"),
    path("<int:announcement_id>/change/", views.change, name="change"),
    path("<int:announcement_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:announcement_id>/answers/", views.answers, name="answers"),
    path("<int:announcement_id>/files/<int:file_id>/", views.attachment, name="file"),
]
