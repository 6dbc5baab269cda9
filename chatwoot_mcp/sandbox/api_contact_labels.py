"""A contact's labels (Contacts::LabelsController with LabelConcern): list, and replace with the defined ones."""

from __future__ import annotations

from .api_contact_actions import CONTACT, _contact
from .api_labels import valid_labels
from .parsing import str_list
from .routing import Ctx, Reply, Router


async def index(ctx: Ctx) -> Reply:
    return 200, {"payload": list(_contact(ctx).labels)}


async def create(ctx: Ctx) -> Reply:
    contact = _contact(ctx)
    contact.labels = valid_labels(ctx, str_list(ctx.params.get("labels")))
    return 200, {"payload": list(contact.labels)}


def register(router: Router) -> None:
    router.add("GET", CONTACT + r"/labels", index, "contacts/labels", "index")
    router.add("POST", CONTACT + r"/labels", create, "contacts/labels", "create")
