from classifiers.pii import find_pii, id_check_ok, luhn_ok, mask


def _id_with_check(first17: str) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * k for d, k in zip(first17, w)) % 11]


def test_resident_id_needs_its_check_digit():
    good = _id_with_check("11010519491231002")
    assert good == "11010519491231002X" and id_check_ok(good)
    bad = good[:-1] + "1"
    assert [m.kind for m in find_pii(f"身份证{good}")] == ["id_number"]
    assert all(m.kind != "id_number" for m in find_pii(f"身份证{bad}"))


def test_resident_id_needs_a_real_birth_date():
    fake = _id_with_check("11010519491341002")  # month 13
    assert id_check_ok(fake)
    assert not [m for m in find_pii(fake) if m.kind == "id_number"]


def test_mobile_numbers_with_and_without_country_code():
    kinds = [(m.kind, m.value) for m in find_pii("电话13812345678或+86 139-0000-1111，座机010-12345678")]
    assert kinds == [("mobile", "13812345678"), ("mobile", "+86 139-0000-1111")]


def test_digits_inside_a_longer_run_are_not_a_phone():
    assert find_pii("订单号2023120113812345678999") == []


def test_bank_cards_pass_luhn():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    hits = find_pii("请汇款到 4111 1111 1111 1111，或 4111 1111 1111 1112")
    assert [(m.kind, m.value) for m in hits] == [("bank_card", "4111 1111 1111 1111")]


def test_email():
    hits = find_pii("联系 zhang.san+org@example.org.cn 或 @某人")
    assert [(m.kind, m.value) for m in hits] == [("email", "zhang.san+org@example.org.cn")]


def test_mask_hides_the_middle_and_keeps_the_rest():
    good = _id_with_check("11010519491231002")
    text = f"我的身份证{good}，手机13812345678，邮箱 li@example.com。"
    masked = mask(text)
    assert good not in masked and "13812345678" not in masked and "li@example.com" not in masked
    assert "110105********002X" in masked and "138****5678" in masked and "l***@example.com" in masked
    assert masked.startswith("我的身份证") and masked.endswith("。")
    assert len(masked) == len(text) + 2  # e-mail local part becomes "l***"


def test_mask_can_keep_every_position():
    text = "邮箱 li.si@example.com，电话 +86 139-0000-1111。"
    same = mask(text, same_length=True)
    assert len(same) == len(text) and "l****@example.com" in same and "+86 1**-****-1111" in same
    assert same.replace("l****@", "l***@") == mask(text)  # only the e-mail differs
