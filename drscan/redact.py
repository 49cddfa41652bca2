"""Remove credentials from everything drscan reads, once, at the model boundary: the Inventory
a collector or importer produced (api.scan, the plan gate, drift), drscan.yaml's free text
(config.load_config) and the scan scope, before anything is stored, rendered, signed or alerted.

Two nets:
- a key whose name says "secret" (password, token, private_key, client_secret, ...) has its
  string value replaced as a whole;
- everywhere else (ids, names, tag keys and values, attribute keys and values at any depth,
  gap messages, sources, file names) only the credential-like *substring* is replaced, so an id
  that contains one stays stable: the same input always gives the same output, so resources,
  relations, findings and later scans still join on it.

Patterns (SECRET_TEXT): AWS access key ids; AWS secret access keys next to a key id or after
`=`/`: ` (a bare 40-character string is not enough: hashes and ids look alike, so it needs that
context, upper and lower case letters, and no hex-only text: a secret pasted alone into an
unnamed field is missed, and that is the trade-off); `key=value` / `key: value` for password,
passwd, pwd, passphrase, secret, token, api_key, private_key, client_secret, credential,
AccountKey, SharedAccessKey, ...; private key blocks (PEM, OpenSSH, PGP, inside GCP
service-account JSON); JWTs; GitHub, GitLab, Slack, Stripe, npm and Google API tokens; Slack
webhook URLs; bearer/Authorization values; passwords and tokens in URLs (`scheme://user:pass@`,
`https://token@`); Azure storage account keys and SAS `sig=` signatures."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

from drscan.model import Gap, Inventory, Resource
from drscan.safe_text import EXCERPT_LIMIT, display

REDACTED = "[REDACTED]"

SECRET_KEY_NAME = re.compile(
    r"(?i)(pass(word|wd|phrase)?|pwd|secret|token|credentials?|private[_-]?key(_?id)?|api[_-]?key|apikey|"
    r"access[_-]?key[_-]?secret|secret[_-]?(access[_-]?)?key|connection[_-]?string|sas[_-]?(key|token|url)|"
    r"auth[_-]?key|account[_-]?key|shared[_-]?access[_-]?(key|signature)|client[_-]?secret|webhook[_-]?url)$"
)

# A 40-character AWS secret access key: base64 alphabet, both letter cases (a hex digest or an
# upper-case id has one), not part of a longer run.
_AWS_SECRET = r"(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
# A secret access key on its own (a whole value, a word of free text, part of a name): a run of
# exactly 40 characters of its alphabet with both letter cases and a digit that also looks
# random (_random_looking), so the 40-character tail of a path or a CamelCase name stays.
_BARE_AWS_SECRET = rf"(?P<bare>(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{{0,39}}[0-9]){_AWS_SECRET})"
_BARE_SECRET = re.compile(_BARE_AWS_SECRET)
_KEY_ID = r"(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}"
# Names that announce a secret in `name=value` or `name: value` text, with any prefix (DB_PASSWORD,
# x-api-key, aws_secret_access_key).
_SECRET_WORDS = (r"pass(?:word|wd|phrase)|pwd|secret(?:[_-]?access)?(?:[_-]?key)?|(?:access|refresh|id|auth|session|"
                 r"bearer|api)?[_-]?token|api[_-]?key|apikey|private[_-]?key(?:[_-]?id)?|client[_-]?secret|"
                 r"credentials?|account[_-]?key|shared[_-]?access[_-]?(?:key|signature)|auth[_-]?key|"
                 r"authorization|x-api-key")
_QUOTE = r"(?:\\?[\"'])?"

SECRET_TEXT = re.compile(
    "|".join((
        rf"{_KEY_ID}[\s,;:|\"'=]{{1,6}}{_AWS_SECRET}",  # key id with its secret: both go
        rf"{_KEY_ID}(?![A-Z0-9])",
        rf"(?P<assign>(?:=|:[ \t]+|:(?=\\?[\"']))[ \t]*{_QUOTE}){_AWS_SECRET}",
        _BARE_AWS_SECRET,
        r"(?s:-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*))",
        r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]{8,}",  # JWT (and JWE): header.payload[.signature...]
        r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,}",
        r"gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}",
        r"(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}",
        r"(?P<slack>hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+",
        r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36}|AIza[0-9A-Za-z_-]{35}",
        r"(?P<bearer>(?i:\bbearer)\s+)[A-Za-z0-9._~+/=-]{16,}",
        r"(?P<userinfo>\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s/:@\"'<>]*:)[^\s/@\"'<>]+(?=@)",  # scheme://user:PASS@
        r"(?P<tokenuser>\b[A-Za-z][A-Za-z0-9+.-]{1,20}://)[A-Za-z0-9_.~%+-]{20,}(?=@)",  # https://TOKEN@host
        r"(?P<sas>(?<=[?&;])sig=)[^&\s\"'<>]+",
        r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==",  # Azure storage account key (64 bytes, base64)
        # name=value / name: value. The name must start a token (the lookbehind keeps the search linear);
        # ':' needs a blank or a quote after it, so ARNs (arn:aws:secretsmanager:...:secret:name) stay whole.
        rf"(?P<kv>(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]*?(?i:{_SECRET_WORDS}){_QUOTE}[ \t]*"
        rf"(?:=|:[ \t]+|:(?={_QUOTE}))[ \t]*(?i:(?:bearer|basic|token|digest|genie[kK]ey|sharedkey)[ \t]+)?)"
        r"(?:\\?\"[^\"\n]*\"|'[^'\n]*'|(?<==)[^\s\"'&;<>]+|(?<!=)[^\s\"',;{}<>]+(?:[ \t]+[^\s\"',;{}<>]+)*)",
    ))
)
_KEEP_GROUPS = ("assign", "slack", "bearer", "userinfo", "tokenuser", "sas", "kv")

# Every SECRET_TEXT match contains one of these (case-sensitive) ...
_MARKERS = ("AKIA", "ASIA", "ABIA", "ACCA", "AIDA", "AROA", "PRIVATE KEY", "eyJ", "ghp_", "gho_", "ghu_", "ghs_",
            "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "xox", "xapp-",
            "hooks.slack", "://", "==", "AIza", "_live_", "_test_", "npm_", "sig=", "earer", "EARER")
# ... or has an assignment ('=', ': ', ':"') and, lower-cased, one of these (or a 40-character run after it).
_ASSIGNMENTS = ("=", ": ", ":\t", ':"', ":'", ':\\"')
_WORD_MARKERS = ("pass", "pwd", "secret", "token", "key", "credential", "auth")
_MIN_SECRET = 5  # "pwd=x"


def _character_class(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2 if char.isdigit() else 3


# Random base64 changes character class (lower, upper, digit, symbol) at about 25 of 39 places,
# rarely below 18; words and CamelCase names (`Compute/virtualMachineScaleSets/vmssweb1`: 9) far less.
MIN_CLASS_CHANGES = 15


def _random_looking(token: str) -> bool:
    classes = [_character_class(c) for c in token]
    return sum(a != b for a, b in zip(classes, classes[1:])) >= MIN_CLASS_CHANGES


def _replace(match: re.Match[str]) -> str:
    bare = match.group("bare")
    if bare is not None and not _random_looking(bare):
        return match.group()
    for group in _KEEP_GROUPS:
        kept = match.group(group)
        if kept is not None:
            return kept + REDACTED
    return REDACTED


# The markers and assignments as one search, grouped by first character (twice as fast as a flat
# alternation); tests check it finds every one of them.
_PREFILTER = re.compile(r"A(?:KIA|SIA|BIA|CCA|IDA|ROA|Iza)|PRIVATE KEY|eyJ|g(?:h[pousr]_|ithub_pat_|l(?:pat|dt|rt|ptt|cbt|oas)-)"
                        r"|x(?:ox|app-)|hooks\.slack|:(?://|[ \t\"']|\\\")|=|_(?:live|test)_|npm_|earer|EARER")


def _may_hold_secret(text: str) -> bool:
    """A cheap test every SECRET_TEXT match passes; most strings of a scan fail it (one C-level
    scan for a marker; the word check only runs on strings with an assignment in them)."""
    if len(text) < _MIN_SECRET:
        return False
    found = _PREFILTER.search(text)
    if found is None:
        return len(text) >= 40 and any(_random_looking(m.group()) for m in _BARE_SECRET.finditer(text))
    if found.group() not in _ASSIGNMENTS or len(text) > 40 or any(m in text for m in _MARKERS):
        return True  # a marker, or a 40-character secret after the assignment
    lowered = text.lower()
    return any(word in lowered for word in _WORD_MARKERS)


def redact_text(text: str) -> str:
    """`text` with each credential-like substring replaced by [REDACTED] (deterministic)."""
    return SECRET_TEXT.sub(_replace, text) if _may_hold_secret(text) else text


def looks_secret(value: str) -> bool:
    return _may_hold_secret(value) and redact_text(value) != value


def excerpt(value: Any, limit: int = EXCERPT_LIMIT, key: str = "") -> str:
    """A user value for an error message: redacted (wholly when `key` names a secret),
    neutralized, at most `limit` characters, quoted; containers are described, never printed."""
    if key and SECRET_KEY_NAME.search(key) and isinstance(value, (str, int, float)):
        return REDACTED
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str):
        return "'" + display(redact_text(" ".join(value.split())), limit) + "'"
    return display(redact_text(str(value)), limit)


class Redactor:
    """Redacts values and remembers what it did to dict keys (a scan repeats a few hundred key
    names millions of times)."""

    _MEMO_LIMIT = 500_000  # strings remembered (ids, names, repeated values); beyond it, plain work

    def __init__(self) -> None:
        self._done: dict[str, str] = {}
        self._secret_keys: dict[str, bool] = {}

    def text(self, text: str) -> str:
        """redact_text, remembered: a scan repeats its ids (in relations and references), kinds,
        regions and most values many times."""
        done = self._done.get(text)
        if done is None:
            done = redact_text(text)
            if len(self._done) < self._MEMO_LIMIT:
                self._done[text] = done
        return done

    key = text

    def _names_secret(self, key: str) -> bool:
        named = self._secret_keys.get(key)
        if named is None:
            named = self._secret_keys[key] = SECRET_KEY_NAME.search(key) is not None
        return named


    def value(self, value: Any, key: str = "") -> Any:
        """`value` redacted; the same object when nothing in it changed."""
        if isinstance(value, str):
            if key and value and self._names_secret(key):
                return REDACTED
            return self.text(value)
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, (list, tuple)):
            items = [self.value(v, key) for v in value]
            if all(new is old or new == old for new, old in zip(items, value)):
                return value
            return items if isinstance(value, list) else tuple(items)
        return value

    def mapping(self, mapping: Any) -> Any:
        """A mapping with keys and values redacted; the same object when nothing changed. The hot
        loop of a scan (every attribute of every resource): strings and scalars are handled
        inline through the memo, without a call per value."""
        out: dict = {}
        changed = False
        done, names = self._done, self._secret_keys
        for raw_key, raw_value in mapping.items():
            if type(raw_key) is str:
                key = done.get(raw_key)
                if key is None:
                    key = self.text(raw_key)
                if key != raw_key:
                    changed = True
                    if key in out:  # two keys differing only in a secret: keep both
                        key = f"{key}#{sum(1 for k in out if isinstance(k, str) and k.startswith(key))}"
            else:
                key, raw_key = raw_key, ""
            kind = type(raw_value)
            if kind is str:
                secret = names.get(raw_key) if raw_key else False
                if secret is None:
                    secret = self._names_secret(raw_key)
                if secret and raw_value:
                    value = REDACTED
                else:
                    value = done.get(raw_value)
                    if value is None:
                        value = self.text(raw_value)
            elif raw_value is None or kind is bool or kind is int or kind is float:
                value = raw_value
            else:
                value = self.value(raw_value, raw_key)
            if value is not raw_value and value != raw_value:
                changed = True
            out[key] = value
        return out if changed else mapping

    def resource(self, resource: Resource) -> Resource:
        """`resource` with every field redacted; the same object when nothing in it changed."""
        done, text = self._done.get, self.text  # a memo hit (the usual case) costs one dict lookup
        fields_now = {name: done(old) or text(old) for name, old in (
            ("kind", resource.kind), ("id", resource.id), ("name", resource.name), ("provider", resource.provider),
            ("account", resource.account), ("region", resource.region), ("source", resource.source))}
        changes = {name: new for name, new in fields_now.items() if new != getattr(resource, name)}
        zones = self.value(resource.zones)
        attrs = self.mapping(resource.attrs)
        tags = self.mapping(resource.tags) if resource.tags else resource.tags
        if zones is not resource.zones:
            changes["zones"] = zones
        if attrs is not resource.attrs:
            changes["attrs"] = attrs
        if tags is not resource.tags:
            changes["tags"] = tags
        return replace(resource, **changes) if changes else resource

    def gap(self, gap: Gap) -> Gap:
        text = self.text
        return Gap(provider=text(gap.provider), account=text(gap.account), region=text(gap.region),
                   service=text(gap.service), operation=text(gap.operation), code=text(gap.code),
                   message=text(gap.message), resource_id=text(gap.resource_id) if gap.resource_id else gap.resource_id,
                   kinds=tuple(text(k) for k in gap.kinds))

    def edge(self, edge: Any) -> Any:
        """A Relation or Reference with its ends redacted like resource ids (so they still join)."""
        done, text = self._done.get, self.text
        source, target, kind = (done(edge.source) or text(edge.source), done(edge.target) or text(edge.target),
                                done(edge.type) or text(edge.type))
        if source == edge.source and target == edge.target and kind == edge.type:
            return edge
        return type(edge)(source, target, kind)

    def inventory(self, inventory: Inventory) -> Inventory:
        text = self.text
        return Inventory(
            resources=tuple(self.resource(r) for r in inventory.resources),  # first: fills the memo with the ids
            relations=tuple(self.edge(r) for r in inventory.relations),
            references=tuple(self.edge(r) for r in inventory.references),
            gaps=tuple(self.gap(g) for g in inventory.gaps),
            sources=tuple(text(s) for s in inventory.sources),
        )

    def dataclass(self, obj: Any) -> Any:
        """Every string field of a (frozen) dataclass tree redacted; other fields kept as they are."""
        changes = {}
        for spec in fields(obj):
            value = getattr(obj, spec.name)
            if is_dataclass(value):
                changes[spec.name] = self.dataclass(value)
            elif isinstance(value, tuple) and value and all(is_dataclass(v) for v in value):
                changes[spec.name] = tuple(self.dataclass(v) for v in value)
            elif isinstance(value, (str, dict, list, tuple)):
                changes[spec.name] = self.value(value, spec.name)
        return replace(obj, **changes)


def redact_value(value: Any, key: str = "") -> Any:
    return Redactor().value(value, key)


def redact_resource(resource: Resource) -> Resource:
    return Redactor().resource(resource)


def redact_inventory(inventory: Inventory) -> Inventory:
    return Redactor().inventory(inventory)
