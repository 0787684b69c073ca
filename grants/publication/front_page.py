"""The front page's facts, all from data: the municipality, its active funds with their
yearly budgets, and the figures their rule sets give (rate, host grant, age limit). Each
municipality's profile shows its own. Three queries: the municipality (which the layout
reads anyway, once per request), the funds, and their rule sets valid today."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from grants.core.models import current_municipality
from grants.extensions import db
from grants.funds.models import CarryOver, Fund
from grants.subsidies.figures import Figures, current_figures


@dataclass
class FundFacts:
    fund: Fund
    figures: Figures = field(default_factory=Figures)


@dataclass
class FrontPage:
    municipality: object | None
    study: list[FundFacts] = field(default_factory=list)
    subsidy: list[FundFacts] = field(default_factory=list)
    committee: list[FundFacts] = field(default_factory=list)
    other: list[FundFacts] = field(default_factory=list)

    @property
    def age_limits(self) -> list[int]:
        """The age limits of the subsidy funds' rules, each once, lowest first."""
        return sorted({f.figures.age_limit for f in self.subsidy if f.figures.age_limit})

    @property
    def committee_carry_over(self) -> bool:
        return any(f.fund.carry_over == CarryOver.ELECTION_PERIOD for f in self.committee)


def front_page() -> FrontPage:
    page = FrontPage(municipality=current_municipality())
    if page.municipality is None:
        return page
    funds = db.session.scalars(select(Fund).where(Fund.active.is_(True)).order_by(Fund.id)).all()
    figures = current_figures(f.id for f in funds if f.computes_subsidy)
    for fund in funds:
        facts = FundFacts(fund, figures.get(fund.id, Figures()))
        # The kind says where the page tells about it (study, subsidy, committee, other).
        getattr(page, fund.spec.front_group.value).append(facts)
    return page


def register(state) -> None:
    """The core's front page asks for its facts through this (the core imports no domain)."""
    state.app.extensions["grants.front_page"] = lambda: {"page": front_page()}
