"""How an attempt at a delivery failed: the loop retries a temporary failure and
gives up at once on a permanent one (a 5xx from the SMTP server, a refused endpoint)."""


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class NotForRecipient(Exception):
    """The message is not to be sent at all (the recipient does not take this kind): SKIPPED."""
