"""Issue 10.3: wrong passwords on /login/ and /admin/login/ lock out, per user and per address."""
import pytest
from django.test import Client

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
GOOD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def attempts(path, username, password, n, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    return [client.post(path, {"username": username, "password": password}).status_code for _ in range(n)]


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_the_user_is_locked_out_after_the_limit_even_with_the_right_password(path):
    user = UserFactory(username="consultant", is_staff=True)
    MembershipFactory(user=user)
    assert attempts(path, "consultant", "wrong", 3)[:2] == [200, 200]
    locked = Client(REMOTE_ADDR="10.0.0.1").post(path, {"username": "consultant", "password": GOOD})
    assert locked.status_code == 429
    assert b"Too many failed login attempts" in locked.content
    # per user: from another address too
    other = Client(REMOTE_ADDR="10.0.0.99").post(path, {"username": "consultant", "password": GOOD})
    assert other.status_code == 429


def test_one_address_is_locked_out_across_usernames():
    for name in ("a1", "a2", "a3", "victim"):
        UserFactory(username=name)
    for name in ("a1", "a2", "a3"):
        attempts("/login/", name, "wrong", 1, ip="10.0.0.7")
    response = Client(REMOTE_ADDR="10.0.0.7").post("/login/", {"username": "victim", "password": GOOD})
    assert response.status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.8").post("/login/", {"username": "victim", "password": GOOD})
    assert elsewhere.status_code == 302


def test_a_good_login_below_the_limit_still_works():
    user = UserFactory(username="consultant")
    MembershipFactory(user=user)
    attempts("/login/", "consultant", "wrong", 2)
    response = Client(REMOTE_ADDR="10.0.0.1").post("/login/", {"username": "consultant", "password": GOOD})
    assert response.status_code == 302
