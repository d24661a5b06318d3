from django.urls import path

from krijt.webpush import views

app_name = "webpush"

urlpatterns = [
    path("key", views.public_key, name="public_key"),
    path("subscribe", views.subscribe, name="subscribe"),
    path("unsubscribe", views.unsubscribe, name="unsubscribe"),
    path("devices", views.devices, name="devices"),
    path("devices/<int:subscription_id>/delete", views.device_delete, name="device_delete"),
    path("sw.js", views.service_worker, name="service_worker"),
]
