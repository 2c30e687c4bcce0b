"""The director manages the accounts of exercise control."""

from __future__ import annotations

from tests.support.console import PASSWORD, Control


async def test_the_director_creates_accounts_that_can_sign_in(control: Control) -> None:
    page = await control.get("/accounts")
    assert page.status_code == 200
    assert "carl" in page.text and "olga" in page.text
    created = await control.post(
        "/accounts",
        {"name": "Vera.K", "role": "director", "password": "another-secret", "display": "Vera"},
    )
    assert created.status_code == 303
    account = await control.resources.accounts.get("vera.k")
    assert account is not None and account.role == "director"
    assert account.verify("another-secret") and "another-secret" not in account.password_hash
    control.client.cookies.clear()
    signed = await control.client.post(
        "/signin", data={"name": "vera.k", "password": "another-secret"}
    )
    assert signed.status_code == 303


async def test_an_existing_account_is_never_overwritten(control: Control) -> None:
    again = await control.post(
        "/accounts", {"name": "carl", "role": "director", "password": "taking-over-1"}
    )
    assert again.status_code == 409
    assert "There is already an account named carl." in again.text
    carl = await control.resources.accounts.get("carl")
    assert carl is not None and carl.role == "controller" and carl.verify(PASSWORD)


async def test_bad_names_passwords_and_roles_are_refused_with_the_reason(control: Control) -> None:
    short = await control.post("/accounts", {"name": "zed", "role": "observer", "password": "x"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    name = await control.post(
        "/accounts", {"name": "a b", "role": "observer", "password": "long-enough"}
    )
    assert name.status_code == 422
    role = await control.post(
        "/accounts", {"name": "zed", "role": "team", "password": "long-enough"}
    )
    assert role.status_code == 422
    assert await control.resources.accounts.get("zed") is None


async def test_the_director_sets_a_new_password(control: Control) -> None:
    done = await control.post("/accounts/carl/password", {"password": "fresh-password"})
    assert done.status_code == 303
    carl = await control.resources.accounts.get("carl")
    assert carl is not None and carl.verify("fresh-password") and carl.role == "controller"
    missing = await control.post("/accounts/nobody/password", {"password": "fresh-password"})
    assert missing.status_code == 404


async def test_only_directors_see_or_manage_accounts(control: Control) -> None:
    for role in ("controller", "observer"):
        control.use(role)
        assert (await control.get("/accounts")).status_code == 403
        refused = await control.post(
            "/accounts", {"name": "sneaky", "role": "director", "password": "long-enough"}
        )
        assert refused.status_code == 403
    assert await control.resources.accounts.get("sneaky") is None


async def test_the_page_is_in_russian_too(control: Control) -> None:
    page = await control.get("/accounts?lang=ru")
    assert "Учётные записи" in page.text
