"""The store's indexes, so that a list page, a contact search or a new contact costs the same with 10,000 records as
with 100: conversations by (account, inbox, status) in activity order, contacts by trigram and by unique key."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sortedcontainers import SortedList

if TYPE_CHECKING:
    from .state import Contact, ContactInbox, Conversation, Message

R = TypeVar("R")
GroupKey = tuple[int, int, str]  # account, inbox, status


class Index(Generic[R]):
    """What an IndexedDict tells when a record enters or leaves it (and, for a watched record, around a change)."""

    def add(self, record: R) -> None:
        raise NotImplementedError

    def discard(self, record: R) -> None:
        raise NotImplementedError


class IndexedDict(dict[int, R]):
    """A dict of records by id that keeps one index in step; records that watch their fields get the index attached."""

    def __init__(self, index: Index[R]) -> None:
        super().__init__()
        self.index = index

    def __setitem__(self, key: int, record: R) -> None:
        old = self.get(key)
        if old is not None:
            self._detach(old)
        super().__setitem__(key, record)
        self.index.add(record)
        if hasattr(record, "WATCHED"):
            object.__setattr__(record, "_index", self.index)

    def _detach(self, record: R) -> None:
        self.index.discard(record)
        vars(record).pop("_index", None)

    def __delitem__(self, key: int) -> None:
        self._detach(self[key])
        super().__delitem__(key)

    def pop(self, key: int, *default: Any) -> Any:  # type: ignore[override]
        if key in self:
            self._detach(self[key])
        return super().pop(key, *default)

    def clear(self) -> None:
        for record in list(self.values()):
            self._detach(record)
        super().clear()


# ---- conversations ------------------------------------------------------------------------------


class ConversationIndex(Index["Conversation"]):
    """Per (account, inbox, status): ids in (last_activity_at, id) order and a count per assignee; ids per contact,
    per (account, label) and per (account, team); per account, ids in (updated_at, id) order."""

    def __init__(self) -> None:
        self.groups: dict[GroupKey, SortedList] = defaultdict(SortedList)
        self.assignees: dict[GroupKey, Counter[tuple[int | None, bool]]] = defaultdict(Counter)
        self.by_contact: dict[int, set[int]] = defaultdict(set)
        self.by_label: dict[tuple[int, str], set[int]] = defaultdict(set)
        self.by_team: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.by_updated: dict[int, SortedList] = defaultdict(SortedList)

    def add(self, conv: Conversation) -> None:
        key = (conv.account_id, conv.inbox_id, conv.status)
        self.groups[key].add((conv.last_activity_at, conv.id))
        self.assignees[key][conv.assignee_id, conv.assigned] += 1
        self.by_contact[conv.contact_id].add(conv.id)
        for label in conv.labels:
            self.by_label[(conv.account_id, label)].add(conv.id)
        if conv.team_id is not None:
            self.by_team[(conv.account_id, conv.team_id)].add(conv.id)
        self.by_updated[conv.account_id].add((conv.updated_at, conv.id))

    def discard(self, conv: Conversation) -> None:
        key = (conv.account_id, conv.inbox_id, conv.status)
        self.groups[key].discard((conv.last_activity_at, conv.id))
        counter = self.assignees[key]
        owner = (conv.assignee_id, conv.assigned)
        counter[owner] -= 1
        if counter[owner] <= 0:
            del counter[owner]
        self.by_contact[conv.contact_id].discard(conv.id)
        for label in conv.labels:
            self.by_label[(conv.account_id, label)].discard(conv.id)
        if conv.team_id is not None:
            self.by_team[(conv.account_id, conv.team_id)].discard(conv.id)
        self.by_updated[conv.account_id].discard((conv.updated_at, conv.id))

    def labelled(self, account_id: int, labels: Iterable[str]) -> set[int]:
        """Ids with any of the labels (`tagged_with(labels, any: true)`)."""
        found: set[int] = set()
        for label in labels:
            found |= self.by_label.get((account_id, label), set())
        return found

    def in_team(self, account_id: int, team_id: int) -> set[int]:
        return set(self.by_team.get((account_id, team_id), set()))

    def updated_since(self, account_id: int, since: float) -> set[int]:
        rows = self.by_updated.get(account_id)
        if not rows:
            return set()
        return {conv_id for _, conv_id in rows.irange((since, -1))}

    def keys(self, account_id: int, inbox_ids: Iterable[int], statuses: Iterable[str]) -> list[GroupKey]:
        return [(account_id, inbox, status) for inbox in inbox_ids for status in statuses]

    def counts(self, keys: list[GroupKey], user_id: int | None) -> dict[str, int]:
        """ConversationFinder's counts (mine, assigned, unassigned, all) over the groups, without a scan."""
        mine = assigned = unassigned = 0
        for key in keys:
            counter = self.assignees.get(key)
            if not counter:
                continue
            for (assignee_id, owned), count in counter.items():
                if not owned:
                    unassigned += count
                else:
                    assigned += count
                    if assignee_id == user_id:
                        mine += count
        return {
            "mine_count": mine,
            "assigned_count": assigned,
            "unassigned_count": unassigned,
            "all_count": assigned + unassigned,
        }

    def newest_first(self, keys: list[GroupKey]) -> Iterator[int]:
        """Conversation ids of the groups by last activity, newest first (ties: the higher id first)."""
        lists = [self.groups[key] for key in keys if self.groups.get(key)]
        merged = heapq.merge(*(reversed(found) for found in lists), reverse=True)
        return (conv_id for _, conv_id in merged)


# ---- contacts -----------------------------------------------------------------------------------


def trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


SORT_FIELDS = (
    "id",
    "name",
    "email",
    "phone_number",
    "last_activity_at",
    "created_at",
    "company_name",
    "city",
    "country",
)
ADDITIONAL = {"company_name": "company_name", "city": "city", "country": "country"}  # additional_attributes keys
LAST: tuple[int, str] = (1, "")  # sorts after every present value


def sort_key(contact: Contact, field: str) -> tuple[Any, ...]:
    """Sift's `sort_on` scopes: blank values last (NULLS LAST for times), LOWER(name) for names."""
    if field == "id":
        return (0, contact.id)
    if field in ADDITIONAL:
        value = (contact.additional_attributes or {}).get(ADDITIONAL[field])
        value = value.lower() if isinstance(value, str) else None  # ORDER BY LOWER(...) NULLS LAST
        return (0, value) if value else LAST
    value = getattr(contact, field)
    if value is None or value == "":
        return LAST
    return (0, value.lower()) if field == "name" else (0, value)


def resolved(contact: Contact) -> bool:
    """Contact.resolved_contacts: an e-mail, a phone number or an identifier."""
    return bool(contact.email or contact.phone_number or contact.identifier)


def company_name(contact: Contact) -> str | None:
    value = (contact.additional_attributes or {}).get("company_name")
    return value if isinstance(value, str) and value else None


def _searchable(contact: Contact) -> list[str]:
    fields = (contact.name, contact.email, contact.phone_number, contact.identifier, company_name(contact))
    return [field.lower() for field in fields if field]


class ContactIndex(Index["Contact"]):
    """Per account: contact ids by trigram of name, e-mail, phone, identifier and company name (lower case, as
    pg_trgm would keep them), by the keys Chatwoot keeps unique (identifier, e-mail without case, phone number), and
    by label."""

    def __init__(self) -> None:
        self.grams: dict[tuple[int, str], set[int]] = defaultdict(set)
        self.by_account: dict[int, set[int]] = defaultdict(set)
        self.unique: dict[tuple[int, str, str], int] = {}
        self.listed: dict[tuple[int, str], SortedList] = defaultdict(SortedList)  # resolved contacts, per sort
        self.by_label: dict[tuple[int, str], set[int]] = defaultdict(set)

    @staticmethod
    def _unique_keys(contact: Contact) -> list[tuple[int, str, str]]:
        keys = []
        if contact.identifier:
            keys.append((contact.account_id, "identifier", contact.identifier))
        if contact.email:
            keys.append((contact.account_id, "email", contact.email.lower()))
        if contact.phone_number:
            keys.append((contact.account_id, "phone_number", contact.phone_number))
        return keys

    def add(self, contact: Contact) -> None:
        self.by_account[contact.account_id].add(contact.id)
        for label in contact.labels:
            self.by_label[(contact.account_id, label)].add(contact.id)
        for text in _searchable(contact):
            for gram in trigrams(text):
                self.grams[(contact.account_id, gram)].add(contact.id)
        for key in self._unique_keys(contact):
            self.unique.setdefault(key, contact.id)
        if resolved(contact):
            for field in SORT_FIELDS:
                self.listed[(contact.account_id, field)].add((sort_key(contact, field), contact.id))

    def discard(self, contact: Contact) -> None:
        self.by_account[contact.account_id].discard(contact.id)
        for label in contact.labels:
            self.by_label[(contact.account_id, label)].discard(contact.id)
        for text in _searchable(contact):
            for gram in trigrams(text):
                found = self.grams.get((contact.account_id, gram))
                if found is not None:
                    found.discard(contact.id)
                    if not found:
                        del self.grams[(contact.account_id, gram)]
        for key in self._unique_keys(contact):
            if self.unique.get(key) == contact.id:
                del self.unique[key]
        if resolved(contact):
            for field in SORT_FIELDS:
                self.listed[(contact.account_id, field)].discard((sort_key(contact, field), contact.id))

    def listing(self, account_id: int, field: str, descending: bool, start: int, size: int) -> tuple[list[int], int]:
        """One page of the account's resolved contacts in a sort order, and how many there are. Descending reverses
        the present values only: blank ones stay last, by id (NULLS LAST)."""
        rows = self.listed.get((account_id, field))
        if not rows:
            return [], 0
        total = len(rows)
        if not descending:
            return [contact_id for _, contact_id in rows[start : start + size]], total
        boundary = rows.bisect_left((LAST, -1))  # the first row with a blank value
        page: list[int] = []
        for position in range(start, min(start + size, total)):
            row = rows[boundary - 1 - position] if position < boundary else rows[position]
            page.append(row[1])
        return page, total

    def find(self, account_id: int, field: str, value: str) -> int | None:
        """The contact holding a unique key: `email` is compared without case, as Chatwoot's validation does."""
        return self.unique.get((account_id, field, value.lower() if field == "email" else value))

    def candidates(self, account_id: int, needle: str) -> Iterable[int]:
        """Ids that may contain `needle` (lower case); a needle under three characters cannot use the trigrams."""
        grams = trigrams(needle)
        if not grams:
            return self.by_account.get(account_id, set())
        sets = sorted((self.grams.get((account_id, gram), set()) for gram in grams), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            if not found:
                break
            found &= other
        return found


# ---- messages -----------------------------------------------------------------------------------


class MessageIndex(Index["Message"]):
    """Per account: message ids by trigram of their lower-cased content, for the conversation list's `q`."""

    def __init__(self) -> None:
        self.grams: dict[tuple[int, str], set[int]] = defaultdict(set)

    def add(self, message: Message) -> None:
        for gram in trigrams((message.content or "").lower()):
            self.grams[(message.account_id, gram)].add(message.id)

    def discard(self, message: Message) -> None:
        for gram in trigrams((message.content or "").lower()):
            found = self.grams.get((message.account_id, gram))
            if found is not None:
                found.discard(message.id)
                if not found:
                    del self.grams[(message.account_id, gram)]

    def candidates(self, account_id: int, needle: str) -> set[int] | None:
        """Ids of messages that may contain `needle` (lower case); None when it is too short for trigrams."""
        grams = trigrams(needle)
        if not grams:
            return None
        sets = sorted((self.grams.get((account_id, gram), set()) for gram in grams), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            if not found:
                break
            found &= other
        return found


# ---- contact inboxes ----------------------------------------------------------------------------


class ContactInboxIndex(Index["ContactInbox"]):
    """Contact inboxes by (inbox, source_id) and by pubsub token, both unique as in Chatwoot's schema, by source_id
    alone (index_contact_inboxes_on_source_id, not unique) and by contact."""

    def __init__(self) -> None:
        self.by_source: dict[tuple[int, str], int] = {}
        self.by_source_id: dict[str, set[int]] = defaultdict(set)
        self.by_pubsub: dict[str, int] = {}
        self.by_contact: dict[int, list[int]] = defaultdict(list)

    def add(self, record: ContactInbox) -> None:
        self.by_source[(record.inbox_id, record.source_id)] = record.id
        self.by_source_id[record.source_id].add(record.id)
        self.by_pubsub[record.pubsub_token] = record.id
        self.by_contact[record.contact_id].append(record.id)

    def discard(self, record: ContactInbox) -> None:
        self.by_source.pop((record.inbox_id, record.source_id), None)
        same = self.by_source_id.get(record.source_id)
        if same is not None:
            same.discard(record.id)
            if not same:
                del self.by_source_id[record.source_id]
        if self.by_pubsub.get(record.pubsub_token) == record.id:
            del self.by_pubsub[record.pubsub_token]
        ids = self.by_contact.get(record.contact_id, [])
        if record.id in ids:
            ids.remove(record.id)


def watched_setattr(record: Any, name: str, value: Any, fields: frozenset[str], setter: Callable[..., None]) -> None:
    """Set a field; when the index groups or sorts on it, take the record out of the index and back in around it."""
    index = vars(record).get("_index")
    if index is None or name not in fields:
        setter(record, name, value)
        return
    index.discard(record)
    setter(record, name, value)
    index.add(record)
