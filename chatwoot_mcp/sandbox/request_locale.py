"""The locale a request runs in (the SwitchLocale concern), for the texts Chatwoot writes with `I18n.t` while the
request lasts, such as the e-mail collect messages its after-commit hooks create.

An account's API runs in the account's locale (`switch_locale_using_account_locale`); the web widget's in the
`locale` it sends (`switch_locale`: the widget and the JS SDK pass it), else `DEFAULT_LOCALE`, which the sandbox
does not set; anything else, and a locale Chatwoot does not offer, in `I18n.default_locale`, English."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

# LANGUAGES_CONFIG's enabled languages as the stored config/initializers/languages.rb lists them
LANGUAGES = (
    ("English", "en"),
    ("Dutch", "nl"),
    ("French", "fr"),
    ("German", "de"),
    ("Italian", "it"),
    ("Portuguese", "pt"),
    ("Russian", "ru"),
    ("Spanish", "es"),
    ("Malayalam", "ml"),
    ("Catalan", "ca"),
    ("Greek", "el"),
    ("Portuguese, Brazilian", "pt_BR"),
    ("Romanian", "ro"),
    ("Tamil", "ta"),
    ("Persian", "fa"),
    ("Traditional Chinese", "zh_TW"),
)

AVAILABLE = frozenset(code for _, code in LANGUAGES)  # I18n.available_locales
DEFAULT = "en"
ACCOUNT_DEFAULT = "pt_BR"  # the sandbox's accounts are Brazilian unless their settings say otherwise
WIDGET_PATH = "/api/v1/widget/"

CURRENT: ContextVar[str] = ContextVar("request_locale", default=DEFAULT)


def _available(locale: Any) -> str | None:
    return locale if isinstance(locale, str) and locale in AVAILABLE else None


def choose(path: str, scope: str, params: dict[str, Any], account_locale: str | None) -> str:
    if scope == "account":
        return _available(account_locale) or DEFAULT
    if path.startswith(WIDGET_PATH):
        return _available(params.get("locale")) or DEFAULT
    return DEFAULT


def of_account(details: dict[str, Any]) -> str:
    """The account's `locale` setting."""
    return details.get("locale", ACCOUNT_DEFAULT)


def current() -> str:
    return CURRENT.get()
