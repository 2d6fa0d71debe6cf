"""D12: passwords are redacted by structure (the URL's password field, libpq's echoes), never by
replacing every occurrence of the password's text."""

from __future__ import annotations

from aquadsl.runtime.db import redact, scrub


def test_a_password_equal_to_the_scheme_or_user_does_not_mangle_the_url():
    url = "postgresql://postgres:postgres@127.0.0.1:5432/farm"
    text = scrub(f"cannot connect to {url}: password authentication failed for user \"postgres\"", url)
    assert text == ('cannot connect to postgresql://postgres:***@127.0.0.1:5432/farm: password '
                    'authentication failed for user "postgres"')


def test_a_one_letter_password_is_not_revealed_by_starring_its_letter():
    url = "postgresql://me:e@127.0.0.1/farm"
    text = scrub("the server refused the connection", url)
    assert text == "the server refused the connection"
    assert redact(url) == "postgresql://me:***@127.0.0.1/farm"


def test_libpq_echoes_and_other_urls_are_masked_by_pattern():
    url = "postgresql://me:s3cret@127.0.0.1/farm?sslpassword=k3y"
    text = scrub("dsn: host=127.0.0.1 user=me password=s3cret dbname=farm; "
                 "postgresql://me:s3cret@127.0.0.1/farm?sslpassword=k3y&x=1 and password='a b'", url)
    assert "s3cret" not in text and "k3y" not in text and "a b" not in text
    assert "password=*** dbname=farm" in text and "sslpassword=***&x=1" in text
