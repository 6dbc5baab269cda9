"""`/cable`: ActionCable's JSON protocol with Chatwoot's RoomChannel (app/channels/room_channel.rb) and the presence
it records (lib/online_status_tracker.rb), driven by a real WebSocket client."""

from __future__ import annotations

import json

import httpx2

from tests.conftest import Sandbox

from .widget_support import cable, next_message, online_visitor, perform, room, subscribe, widget_inbox, widget_session


def _active_ids(box: Sandbox) -> list[int]:
    response = box.api("GET", "contacts/active")
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["payload"]]


def test_a_visitor_subscribed_to_its_room_is_online_until_its_presence_expires(sandbox: Sandbox) -> None:
    """Subscribing with the contact inbox's pubsub token confirms the subscription, broadcasts `presence.update` to
    the room (users only, for a contact) and marks the contact online for PRESENCE_DURATION (20 s) of the sandbox's
    clock; `update_presence` renews it."""
    inbox = widget_inbox(sandbox)
    with cable(sandbox) as socket:
        session = widget_session(sandbox, inbox["website_token"])
        contact_id = session["contact"]["id"]
        identifier = room(session["contact"]["pubsub_token"])
        assert _active_ids(sandbox) == []
        assert subscribe(socket, identifier) == {"identifier": identifier, "type": "confirm_subscription"}
        update = next_message(socket)
        assert update == {
            "identifier": identifier,
            "message": {"event": "presence.update", "data": {"account_id": 1, "users": {}}},
        }
        assert _active_ids(sandbox) == [contact_id]
        shown = sandbox.api("GET", f"contacts/{contact_id}").json()["payload"]
        assert shown["availability_status"] == "online"

        sandbox.control("POST", "clock", json={"advance": 15})
        perform(socket, identifier, "update_presence")
        assert next_message(socket)["message"]["event"] == "presence.update"
        sandbox.control("POST", "clock", json={"advance": 15})
        assert _active_ids(sandbox) == [contact_id]  # 15 s after the renewal
        sandbox.control("POST", "clock", json={"advance": 6})
        assert _active_ids(sandbox) == []
        assert sandbox.api("GET", f"contacts/{contact_id}").json()["payload"]["availability_status"] == "offline"


def test_an_unknown_pubsub_token_gets_no_subscription(sandbox: Sandbox) -> None:
    """RoomChannel raises RecordNotFound for a token no contact inbox holds: ActionCable answers nothing, so the
    next command's confirmation is the next message, and nobody is online."""
    inbox = widget_inbox(sandbox)
    with cable(sandbox) as socket:
        socket.send(json.dumps({"command": "subscribe", "identifier": room("não-existe")}))
        session = widget_session(sandbox, inbox["website_token"])
        identifier = room(session["contact"]["pubsub_token"])
        socket.send(json.dumps({"command": "unsubscribe", "identifier": room("não-existe")}))
        assert subscribe(socket, identifier)["identifier"] == identifier
        assert _active_ids(sandbox) == [session["contact"]["id"]]


def test_an_agent_room_hears_online_contacts_and_users(sandbox: Sandbox) -> None:
    """A user subscribes with the profile's pubsub token, its user id and the account: the broadcast to a user's room
    carries the online contacts too, and the user is among the online users."""
    inbox = widget_inbox(sandbox)
    headers = {"api_access_token": sandbox.admin_token}
    profile = httpx2.get(f"{sandbox.base_url}/api/v1/profile", headers=headers, timeout=10).json()
    with cable(sandbox) as widget, cable(sandbox) as dashboard:
        visitor = online_visitor(sandbox, widget, inbox["website_token"])
        identifier = room(profile["pubsub_token"], account_id=sandbox.account_id, user_id=profile["id"])
        assert subscribe(dashboard, identifier)["type"] == "confirm_subscription"
        data = next_message(dashboard)["message"]["data"]
        assert data == {
            "account_id": sandbox.account_id,
            "users": {str(profile["id"]): "online"},
            "contacts": {str(visitor["contact"]["id"]): "online"},
        }
        wrong_account = room(profile["pubsub_token"], account_id=999, user_id=profile["id"])
        dashboard.send(json.dumps({"command": "subscribe", "identifier": wrong_account}))
        perform(dashboard, identifier, "update_presence")
        assert next_message(dashboard)["identifier"] == identifier


def test_a_room_finds_its_contact_inbox_after_contacts_are_created_and_deleted(sandbox: Sandbox) -> None:
    """The pubsub token of a deleted contact's contact inbox finds nothing (RecordNotFound: no confirmation), and a
    visitor created after it is found by its own token and marked online, not its neighbour."""
    inbox = widget_inbox(sandbox)
    gone = widget_session(sandbox, inbox["website_token"])
    first = widget_session(sandbox, inbox["website_token"])
    assert sandbox.api("DELETE", f"contacts/{gone['contact']['id']}").status_code == 200
    later = widget_session(sandbox, inbox["website_token"])
    with cable(sandbox) as socket:
        socket.send(json.dumps({"command": "subscribe", "identifier": room(gone["contact"]["pubsub_token"])}))
        identifier = room(later["contact"]["pubsub_token"])
        assert subscribe(socket, identifier) == {"identifier": identifier, "type": "confirm_subscription"}
        assert _active_ids(sandbox) == [later["contact"]["id"]]
        assert first["contact"]["id"] not in _active_ids(sandbox)
