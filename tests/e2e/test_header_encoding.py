"""Mail headers carry names exactly (RFC 2047): a tenant or sender name that looks like an
encoded word, or that is long or not ASCII, reaches the recipient's client as the literal text
pmd was given, not as whatever a decoder makes of it. Messages are parsed with Python's email
package, the way a mail client reads them."""
import base64

from conftest import mail_env, unique_email
from tenancyhelpers import MAIL_SETTINGS, create_tenant, invitation_mail, new_account

# Decodes to "Your bank" when a client takes it for an encoded word.
ENCODED_LOOKALIKE = "=?utf-8?b?" + base64.b64encode(b"Your bank").decode() + "?="
SENDER_LOOKALIKE = "=?utf-8?q?Security_Team?="


def invitation_subject(server, mail_server, tenant_name):
    """The parsed invitation mail sent by a tenant called `tenant_name`."""
    with server.client() as c:
        owner = new_account(c, "owner")
        create_tenant(c, owner.token, tenant_name=tenant_name)
        invitee = unique_email("invitee")
        c.call("invites.create", {"session": owner.token, "email": invitee, "role": "member"})
    return invitation_mail(mail_server, invitee)


def raw_header_lines(message):
    head = message.raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


def test_a_tenant_name_that_looks_like_an_encoded_word_is_shown_literally(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    message = invitation_subject(server, mail_server, ENCODED_LOOKALIKE)
    assert ENCODED_LOOKALIKE in message.subject, message.subject
    assert "Your bank" not in message.subject


def test_long_and_non_ascii_tenant_names_survive_folding(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    names = [
        "Agence Hélène & Fils — 北极企鹅 " + "é" * 60,
        " ".join(["Northern"] * 11),
        "x" * 100,
    ]
    for name in names:
        message = invitation_subject(server, mail_server, name)
        assert name in message.subject, (name, message.subject)
        for line in raw_header_lines(message):
            assert len(line) <= 78, line
            assert all(b < 0x80 for b in line), line


def test_a_sender_name_that_looks_like_an_encoded_word_is_shown_literally(pmd_factory, mail_server):
    sender = f"{SENDER_LOOKALIKE} <invites@penguinmails.test>"
    server = pmd_factory(env=mail_env(mail_server, **{**MAIL_SETTINGS, "PMD_MAIL_FROM": sender}))
    message = invitation_subject(server, mail_server, "Acme Agency")
    from_header = message.parsed["From"]
    [address] = from_header.addresses
    assert address.display_name == SENDER_LOOKALIKE
    assert address.addr_spec == "invites@penguinmails.test"
