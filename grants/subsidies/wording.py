"""The rules of a rule set in plain words: for the administrator, the calculation's working
and the decision letter (``describe_rules``, ``rules_applied``).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from grants.core.formatting import money
from grants.subsidies.vocabulary import CATEGORIES, RATE_RELATIONS


def kind_label(kind: str) -> str:
    return {
        "trip": _("rejser til venskabs- og partnerbyer"),
        "hosting": _("værtskab for grupper"),
        "exchange": _("udvekslinger"),
    }.get(kind, kind)


def category_label(category: str) -> str:
    return {
        "transport": _("transport"),
        "accommodation": _("ophold"),
        "fees": _("gebyrer"),
        "meals": _("forplejning"),
        "per_diem": _("diæter"),
        "other": _("andet"),
    }.get(category, category)


def categories_text(categories: list[str]) -> str:
    if set(categories) >= set(CATEGORIES):
        return _("alle udgifter")
    return ", ".join(category_label(c) for c in categories)


def percent_text(percent: Decimal) -> str:
    """50, 12,5 (Danish) or 12.5 (English)."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    try:
        locale = str(get_locale() or "da")
    except RuntimeError:  # outside an app context
        locale = "da"
    return format_decimal(percent, format="#,##0.##", locale=locale)


def leader_rule_text(persons: dict) -> str:
    if persons["leaders_rounding"] == "started":
        return ngettext(
            "1 leder pr. påbegyndt deltager",
            "1 leder pr. påbegyndte %(num)d deltagere",
            persons["leaders_per"],
        )
    return ngettext(
        "1 leder pr. deltager",
        "1 leder pr. fulde %(num)d deltagere",
        persons["leaders_per"],
    )


def describe_rules(rules: dict) -> list[str]:
    """Every rule of a rule set in plain words, for the administrator and the letter."""
    return [text for _code, text in _rule_texts(rules)]


def rules_applied(rules: dict, kind: str) -> list[str]:
    """The rules that bear on an application of this kind."""
    return [text for code, text in _rule_texts(rules) if _bears_on(rules, code, kind)]


def _bears_on(rules: dict, code: str, kind: str) -> bool:
    component, _sep, rest = code.partition(":")
    if component in ("rate", "fixed", "host_grant", "cost_share"):
        return kind in rules[component]["applies_to"]
    if component == "rates":
        return kind in rules["rates"][int(rest)]["applies_to"]
    if component == "caps" and isinstance(rules["caps"], list):
        return kind in (rules["caps"][int(rest.split(":")[0])]["applies_to"] or ())
    if component == "persons":
        return any(kind in part["applies_to"] for part in _person_parts(rules)) or _counted_share(
            rules, kind
        )
    return True


_PERSON_BASES = ("person_night", "person_day", "person_visit")


def _person_parts(rules: dict) -> list[dict]:
    """The amounts per person: format 1's [rate], format 2's [[rates]] by person."""
    if rules.get("rate"):
        return [rules["rate"]]
    return [rate for rate in rules.get("rates") or [] if rate["basis"] in _PERSON_BASES]


def _counted_share(rules: dict, kind: str | None = None) -> bool:
    share = rules.get("cost_share")
    return bool(
        share
        and share.get("persons") == "counted"
        and (kind is None or kind in share["applies_to"])
    )


def age_rule_text(persons: dict) -> str:
    """Who is young by the age limit, in plain words."""
    age = persons["age_limit"]
    inclusive = persons.get("age_limit_inclusive")
    if persons.get("age_on") == "end_of_year":
        if inclusive:
            return _("Deltagere, der højst fylder %(age)d år i rejseåret, tæller med", age=age)
        return _("Deltagere, der fylder under %(age)d år i rejseåret, tæller med", age=age)
    if inclusive:
        return _("Deltagere på højst %(age)d år på afrejsedagen tæller med", age=age)
    return _("Deltagere under %(age)d år på afrejsedagen tæller med", age=age)


def category_names(categories: list[str]) -> str:
    return ", ".join(
        {
            "young": _("unge"),
            "adult": _("voksne"),
            "leader": _("ledere"),
            "disabled": _("deltagere med handicap"),
            "guest": _("gæster"),
        }.get(category, category)
        for category in categories
    )


def relation_names(relations: list[str]) -> str:
    return ", ".join(
        {
            "twin_city": _("venskabsbyer"),
            "partnership": _("partnerbyer"),
            "other": _("andre byer i udlandet"),
            "none": _("uden samarbejdsby"),
        }.get(relation, relation)
        for relation in relations
    )


def _rate_text(rate: dict) -> str:
    amount = money(rate["amount"])
    basis = rate["basis"]
    text = {
        "person_night": _("%(amount)s pr. person pr. overnatning", amount=amount),
        "person_day": _("%(amount)s pr. person pr. dag", amount=amount),
        "person_visit": _("%(amount)s pr. person pr. besøg", amount=amount),
        "event": _("%(amount)s pr. ansøgning", amount=amount),
        "partner_city": _(
            "%(amount)s pr. venskabs- eller partnerby, besøget omfatter", amount=amount
        ),
    }[basis]
    details = []
    if rate.get("categories"):
        details.append(category_names(rate["categories"]))
    if set(rate["relations"]) != set(RATE_RELATIONS):
        details.append(_("kun %(relations)s", relations=relation_names(rate["relations"])))
    if rate.get("max_nights") is not None:
        details.append(ngettext("højst %(num)d nat", "højst %(num)d nætter", rate["max_nights"]))
    if rate.get("max_days") is not None:
        details.append(ngettext("højst %(num)d dag", "højst %(num)d dage", rate["max_days"]))
    if rate.get("max_cities") is not None:
        details.append(ngettext("højst %(num)d by", "højst %(num)d byer", rate["max_cities"]))
    if details:
        text = _("%(text)s (%(details)s)", text=text, details="; ".join(details))
    if rate.get("label"):
        text = _("%(label)s: %(text)s", label=rate["label"], text=text)
    return text


def _rule_texts(rules: dict) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    add = texts.append
    rate = rules.get("rate")
    if rate:
        if rate["per"] == "night":
            add(("rate", _("%(amount)s pr. person pr. overnatning", amount=money(rate["amount"]))))
        else:
            add(("rate", _("%(amount)s pr. person pr. dag", amount=money(rate["amount"]))))
    for number, each in enumerate(rules.get("rates") or []):
        add((f"rates:{number}", _rate_text(each)))
    if _person_parts(rules) or _counted_share(rules):
        persons = rules["persons"]
        if persons["age_limit"] is not None:
            add(("persons:age", age_rule_text(persons)))
        else:
            add(("persons:age", _("Alle deltagere tæller med")))
        if persons["leaders"] == "ratio":
            add(("persons:leaders", _("%(rule)s tæller med", rule=leader_rule_text(persons))))
        elif persons["leaders"] == "all":
            add(("persons:leaders", _("Alle ledere tæller med")))
        else:
            add(("persons:leaders", _("Ledere tæller ikke med")))
        if persons["disabled_any_age"]:
            add(("persons:disabled", _("Deltagere med handicap tæller med uanset alder")))
    fixed = rules.get("fixed")
    if fixed:
        if fixed["per_application"] is not None:
            add(
                (
                    "fixed:application",
                    _("%(amount)s pr. ansøgning", amount=money(fixed["per_application"])),
                )
            )
        if fixed["per_partner_city"] is not None:
            add(
                (
                    "fixed:city",
                    _(
                        "%(amount)s pr. venskabs- eller partnerby, besøget omfatter",
                        amount=money(fixed["per_partner_city"]),
                    ),
                )
            )
    grant = rules.get("host_grant")
    if grant:
        add(
            (
                "host_grant",
                _(
                    "Værtskab: %(amount)s én gang for en gruppe på mindst %(size)s personer "
                    "i mindst %(days)s dage",
                    amount=money(grant["amount"]),
                    size=grant["min_group_size"] or 1,
                    days=grant["min_days"] or 1,
                ),
            )
        )
    share = rules.get("cost_share")
    if share:
        text = _(
            "%(percent)s %% af udgifterne til %(what)s",
            percent=percent_text(Decimal(share["percent"])),
            what=categories_text(share["of"]),
        )
        if share.get("persons") == "counted":
            text = _("%(text)s for de deltagere, der tæller med", text=text)
        if share["cap"] is not None:
            text = _("%(text)s, højst %(cap)s", text=text, cap=money(share["cap"]))
        add(("cost_share", text))
    caps = rules["caps"]
    repeated = isinstance(caps, list)
    for number, cap in enumerate(caps if repeated else [caps]):
        for key, label in (
            ("per_application", _("Loft pr. ansøgning")),
            ("per_event", _("Loft pr. arrangement")),
            ("per_organisation_per_year", _("Loft pr. organisation pr. år")),
        ):
            if cap[key] is None:
                continue
            text = _("%(label)s: %(cap)s", label=label, cap=money(cap[key]))
            if repeated and set(cap["applies_to"]) != set(rules["kinds"]):
                text = _(
                    "%(text)s (%(kinds)s)",
                    text=text,
                    kinds=", ".join(kind_label(kind) for kind in cap["applies_to"]),
                )
            add((f"caps:{number}:{key}" if repeated else f"caps:{key}", text))
    limits = rules["limits"]
    if limits["max_nights"] is not None:
        add(
            (
                "limits:nights",
                ngettext(
                    "Højst %(num)d overnatning", "Højst %(num)d overnatninger", limits["max_nights"]
                ),
            )
        )
    if limits["max_days"] is not None:
        add(
            ("limits:days", ngettext("Højst %(num)d dag", "Højst %(num)d dage", limits["max_days"]))
        )
    if limits["grants_per_organisation_per_year"] is not None:
        add(
            (
                "limits:grants",
                ngettext(
                    "Højst %(num)d tilskud pr. organisation pr. år",
                    "Højst %(num)d tilskud pr. organisation pr. år",
                    limits["grants_per_organisation_per_year"],
                ),
            )
        )
        across = limits.get("grants_counted_across")
        if across and len(across) > 1:
            add(
                (
                    "limits:grants_across",
                    _(
                        "Tilskud til %(kinds)s tælles sammen",
                        kinds=", ".join(kind_label(kind) for kind in across),
                    ),
                )
            )
    if limits["days_before_travel"] is not None:
        add(
            (
                "limits:deadline",
                ngettext(
                    "Ansøgningen skal være modtaget senest %(num)d dag før afrejsen",
                    "Ansøgningen skal være modtaget senest %(num)d dage før afrejsen",
                    limits["days_before_travel"],
                ),
            )
        )
    if limits.get("weeks_before_travel") is not None:
        add(
            (
                "limits:deadline",
                ngettext(
                    "Ansøgningen skal være modtaget senest %(num)d uge før afrejsen",
                    "Ansøgningen skal være modtaget senest %(num)d uger før afrejsen",
                    limits["weeks_before_travel"],
                ),
            )
        )
    if limits.get("months_before_travel") is not None:
        add(
            (
                "limits:deadline",
                ngettext(
                    "Ansøgningen skal være modtaget senest %(num)d måned før afrejsen",
                    "Ansøgningen skal være modtaget senest %(num)d måneder før afrejsen",
                    limits["months_before_travel"],
                ),
            )
        )
    conditions = rules["conditions"]
    if conditions["partner_city"]:
        add(
            (
                "conditions:partner",
                _("Byen skal være venskabs- eller partnerby på rejsedatoerne"),
            )
        )
    if conditions["partner_city"] and conditions.get("cities"):
        add(
            (
                "conditions:cities",
                _("Puljen dækker kun %(cities)s", cities=", ".join(conditions["cities"])),
            )
        )
    if conditions["based_in_municipality"]:
        add(
            (
                "conditions:based",
                _("Foreninger, skoler og institutioner skal høre hjemme i kommunen"),
            )
        )
    if conditions["direct_contact"]:
        add(
            (
                "conditions:contact",
                _("Besøget skal give direkte kontakt mellem de unge fra begge byer"),
            )
        )
    return texts
