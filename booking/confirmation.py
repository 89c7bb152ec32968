"""The confirmation step of a destructive action, rendered by the server (works without script).

A delete, archive or cancel button posts to its action; without ``confirmed=1`` the view answers
``confirmation_page`` instead, which says what will happen and lists what it will cancel or free,
with the same form again (the values carried as hidden inputs, a fresh CSRF token) and a way back.
Only the second post, with ``confirmed=1``, changes anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

from booking.form_helpers import CsrfOnlyForm


@dataclass
class Confirmation:
    title: str  # the page's heading, e.g. "Delete the blackout 换灯管?"
    action: str  # where the confirmed form posts (the same view)
    back_url: str
    confirm_label: str  # the button, naming the action ("Delete the blackout")
    consequences: list[str] = field(default_factory=list)  # what happens, sentence by sentence
    items_heading: str = ""
    items: list[str] = field(default_factory=list)  # e.g. the dates it cancels
    hidden: dict[str, str] = field(default_factory=dict)  # the first form's values, carried over


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def confirmation_page(confirmation: Confirmation):
    return render_template("confirm.html", c=confirmation, form=CsrfOnlyForm())
