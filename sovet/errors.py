"""Errors raised by actions: each carries a message that says what to change."""


class ActionError(Exception):
    """An action refused; nothing was changed."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ActionError):
    """The input is wrong: the message says what to fix."""


class NotAllowed(ActionError):
    """The actor may not do this: the message says why."""

    status = 403
