"""A contact rendered whole (`render json: contact`, here through the widget's destroy_custom_attributes): the columns
Contacts::SyncAttributes keeps on each save, `location` and `country_code` from the address and `contact_type`,
which turns `lead` once the contact can be reached and stays so."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session


def _record(box: Sandbox, website_token: str, token: str) -> dict[str, Any]:
    body = {"website_token": website_token, "custom_attributes": ["nenhum"]}
    response = widget_request(box, "POST", "contact/destroy_custom_attributes", token, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_contact_type_and_location_follow_the_contacts_saves(sandbox: Sandbox) -> None:
    website_token = widget_inbox(sandbox)["website_token"]
    session = widget_session(sandbox, website_token)
    token, contact_id = session["website_channel_config"]["auth_token"], session["contact"]["id"]
    address = {"website_token": website_token, "additional_attributes": {"city": "Recife", "country": "Brasil"}}
    assert widget_request(sandbox, "PATCH", "contact", token, json=address).status_code == 200
    record = _record(sandbox, website_token, token)
    assert (record["contact_type"], record["location"], record["country_code"]) == ("visitor", "Recife", "Brasil")

    reachable = {"website_token": website_token, "email": "ana.recife@example.com"}
    assert widget_request(sandbox, "PATCH", "contact", token, json=reachable).status_code == 200
    assert _record(sandbox, website_token, token)["contact_type"] == "lead"

    cleared = sandbox.api("PUT", f"contacts/{contact_id}", json={"email": ""})
    assert cleared.status_code == 200, cleared.text
    record = _record(sandbox, website_token, token)
    assert record["email"] is None and record["contact_type"] == "lead"  # a lead stays one
