from django import forms
from django.contrib import admin
from django.db import models

from cms.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "is_official", "last_checked_at", "last_http_status"]
    list_filter = ["is_official", "last_http_status"]
    search_fields = ["title", "url", "publisher"]
    readonly_fields = ["created_at", "updated_at"]
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}
