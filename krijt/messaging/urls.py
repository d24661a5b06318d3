from django.urls import path

from krijt.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("archive/", views.archive, name="archive"),
    path("search/", views.search, name="search"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("new/", views.compose, name="compose"),
    path("new/recipients/", views.recipients, name="recipients"),
    path("new/preview/", views.preview, name="preview"),
    path("new/body-preview/", views.body_preview, name="body_preview"),
    path("settings/", views.policy, name="policy"),
    path("<int:message_id>/", views.message, name="message"),
    path("<int:message_id>/progress/", views.progress, name="progress"),
    path("<int:message_id>/reply/", views.reply, name="reply"),
    path("<int:message_id>/archive/", views.archive_toggle, name="archive_toggle"),
    path("<int:message_id>/edit/", views.edit, name="edit"),
    path("<int:message_id>/cancel/", views.cancel, name="cancel"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
