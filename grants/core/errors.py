"""Errors a person can act on. Views show ``message`` next to the form and change nothing."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. ``field`` names the form field it is about."""

    def __init__(
        self, message: str, field: str | None = None, link: tuple[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Where the person can act instead, as (address, text): shown after the message.
        self.link = link

    @property
    def messages(self) -> list[str]:
        """Every reason to show next to the field; one unless a subclass gathers several."""
        return [self.message]


class NotAllowed(DomainError):
    """The person may not do this to this case now."""
