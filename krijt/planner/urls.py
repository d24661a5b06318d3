from django.urls import path

from krijt.planner import views

app_name = "planner"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    path("child/<int:student_id>/", views.child, name="child"),
    path("teacher/", views.teacher, name="teacher"),
    path("class/<int:class_id>/", views.class_week, name="class_week"),
    path("class/<int:class_id>/month/", views.class_month, name="class_month"),
    path("new/", views.item_new, name="item_new"),
    path("check/", views.item_check, name="item_check"),
    path("item/<int:item_id>/", views.item_detail, name="item_detail"),
    path("item/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("item/<int:item_id>/cancel/", views.item_cancel, name="item_cancel"),
    path("item/<int:item_id>/done/", views.item_done, name="item_done"),
    path("item/<int:item_id>/file/<int:attachment_id>/", views.attachment, name="attachment"),
    path("workload/", views.workload, name="workload"),
    path("settings/", views.policy_settings, name="settings"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
