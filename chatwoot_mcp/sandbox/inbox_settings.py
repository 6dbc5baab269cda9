"""An inbox's own columns and its channel's, with the defaults Chatwoot gives them (`inboxes` table, OutOfOffisable's
working hours, Channel::WebWidget), so created, updated and seeded inboxes render alike."""

from __future__ import annotations

import secrets
from typing import Any

API, WEB_WIDGET = "Channel::Api", "Channel::WebWidget"
OFFISABLE_ATTRS = ("day_of_week", "closed_all_day", "open_hour", "open_minutes", "close_hour", "close_minutes")
DELETION_MESSAGE = "Your inbox deletion request will be processed in some time."  # messages.inbox_deletetion_response
NOT_WHATSAPP = "Template sync is only available for WhatsApp channels"
NO_HEALTH = "Health data only available for WhatsApp Cloud API and Twilio SMS channels"
NAME_FORMAT = "Name should not start or end with symbols, and it should not have < > / \\\\ @ characters."


def default_working_hours() -> list[dict[str, Any]]:
    """OutOfOffisable#create_default_working_hours: weekdays 9:00 to 17:00, the weekend closed."""
    days = []
    for day in range(7):
        weekend = day in (0, 6)
        days.append(
            {
                "day_of_week": day,
                "closed_all_day": weekend,
                "open_hour": None if weekend else 9,
                "open_minutes": None if weekend else 0,
                "close_hour": None if weekend else 17,
                "close_minutes": None if weekend else 0,
                "open_all_day": False,
            }
        )
    return days


def default_settings() -> dict[str, Any]:
    """The `inboxes` columns' defaults; the seeded inboxes keep the account's own time zone."""
    return {
        "greeting_enabled": False,
        "greeting_message": None,
        "working_hours_enabled": False,
        "enable_email_collect": True,
        "csat_survey_enabled": False,
        "csat_config": {},
        "enable_auto_assignment": True,
        "auto_assignment_config": {},
        "out_of_office_message": None,
        "working_hours": default_working_hours(),
        "timezone": "America/Sao_Paulo",
        "allow_messages_after_resolved": True,
        "lock_to_single_conversation": False,
        "sender_name_type": "friendly",
        "business_name": None,
        "portal_id": None,
        "active": True,  # AddActiveToInboxes: an administrator disables an inbox without deleting it
    }


def web_widget_channel(params: dict[str, Any]) -> dict[str, Any]:
    """Channel::WebWidget's columns with their defaults, then what the request set."""
    channel: dict[str, Any] = {
        "website_url": None,
        "widget_color": "#1f93ff",
        "welcome_title": None,
        "welcome_tagline": None,
        "reply_time": "in_a_few_minutes",
        "hmac_mandatory": False,
        "pre_chat_form_enabled": False,
        "pre_chat_form_options": {"pre_chat_message": "Share your queries or comments here.", "pre_chat_fields": []},
        "continuity_via_email": True,
        "selected_feature_flags": ["attachments", "emoji_picker", "end_conversation"],
        "website_token": secrets.token_urlsafe(18),
        "hmac_token": secrets.token_urlsafe(18),
    }
    channel.update(params)
    return channel


def web_widget_script(base_url: str, token: str) -> str:
    """Channel::WebWidget#web_widget_script, the snippet a site embeds."""
    return (
        "\n    <script>\n      (function(d,t) {\n"
        f'        var BASE_URL="{base_url}";\n'
        "        var g=d.createElement(t),s=d.getElementsByTagName(t)[0];\n"
        '        g.src=BASE_URL+"/packs/js/sdk.js";\n        g.defer = true;\n        g.async = true;\n'
        "        s.parentNode.insertBefore(g,s);\n        g.onload=function(){\n"
        "          window.chatwootSDK.run({\n"
        f"            websiteToken: '{token}',\n"
        "            baseUrl: BASE_URL\n          })\n"
        '        }\n      })(document,"script");\n    </script>\n    '
    )
