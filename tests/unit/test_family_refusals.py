"""What the family page says when the registration service refuses: an ID on file gets one
answer whether or not its person was deactivated (that is for the community office)."""

from __future__ import annotations

from app.people.family.routes import ID_ON_FILE, _refusal
from app.people.registration import RegistrationError


def test_an_id_on_file_gets_one_answer_whether_or_not_deactivated() -> None:
    taken = _refusal(RegistrationError("id_number_taken", "这个身份证号已经登记给另一位老人"))
    deactivated = _refusal(RegistrationError("id_number_deactivated", "……已经停用……重新启用"))
    assert taken == deactivated == ID_ON_FILE
    assert "停用" not in deactivated and "启用" not in deactivated


def test_other_refusals_keep_their_reason() -> None:
    assert _refusal(RegistrationError("bad_id_number", "身份证号不对：校验位不对")) == (
        "身份证号不对：校验位不对"
    )
