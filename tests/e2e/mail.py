"""Reading the mail pmd sends: MIME parsing and the reset link."""
import email
import email.policy
import re

RESET_LINK = re.compile(r"(https?://\S+?/reset-password\?token=([A-Za-z0-9_-]{43}))")


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts(message):
    """{content type: decoded text} of a multipart/alternative message."""
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def reset_token(raw: bytes):
    """(link, token) from the plain-text part of a reset mail."""
    text = parts(parse(raw))["text/plain"]
    match = RESET_LINK.search(text)
    assert match, f"no reset link in:\n{text}"
    return match.group(1), match.group(2)
