from django.urls import path

from krijt.home import views

urlpatterns = [path("", views.home, name="home")]
