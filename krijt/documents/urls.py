from django.urls import path

from krijt.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("search/", views.search, name="search"),
    path("course/<int:course_id>/", views.course, name="course"),
    path("course/<int:course_id>/sharing/", views.sharing, name="sharing"),
    path("folder/<int:folder_id>/", views.folder, name="folder"),
    path("document/<int:document_id>/", views.document, name="document"),
    path("document/<int:document_id>/open/", views.open_document, name="open"),
    path("f/<str:token>/<str:name>", views.file, name="file"),
]
