"""Ports of spec/controllers/api/v1/accounts/contacts_controller_spec.rb that need a contact online: the spec stubs
OnlineStatusTracker; here a widget visitor subscribes to ActionCable's RoomChannel over `/cable` with its contact
inbox's pubsub token, as the widget does, and stays online while the socket is open."""

from __future__ import annotations

from tests.conftest import Sandbox
from tests.sandbox.widget_support import cable, online_visitor, widget_inbox


def test_returns_all_contacts_who_are_online(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts who are online'
    (GET contacts/active)."""
    inbox = widget_inbox(sandbox)
    with cable(sandbox) as socket:
        visitor = online_visitor(sandbox, socket, inbox["website_token"])
        response = sandbox.api("GET", "contacts/active")
    assert response.status_code == 200
    body = response.json()
    assert visitor["contact"]["name"] in response.text
    assert [c["id"] for c in body["payload"]] == [visitor["contact"]["id"]]
    assert body["meta"] == {"count": 1, "current_page": 1}
    assert body["payload"][0]["availability_status"] == "online"


def test_does_not_delete_the_contact_if_online(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'does not delete the contact if online'
    (DELETE contacts/:id as the administrator: 422 with `contacts.online.delete`)."""
    inbox = widget_inbox(sandbox)
    with cable(sandbox) as socket:
        contact = online_visitor(sandbox, socket, inbox["website_token"])["contact"]
        response = sandbox.api("DELETE", f"contacts/{contact['id']}")
    assert response.status_code == 422
    name = contact["name"][:1].upper() + contact["name"][1:].lower()
    assert response.json() == {"message": f"{name} is Online, please try again later"}
    assert sandbox.api("GET", f"contacts/{contact['id']}").status_code == 200
