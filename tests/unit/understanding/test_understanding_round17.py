"""Rules of the seventeenth method round (issue 12): yes/no answers.

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from app.understanding import understand
from support.understood import MON, u


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # come out or down, arrived: a yes, with a place, the car or a question about it
        ("出来了出来了，我在巷子口", "yes"),
        ("粗 来 了 在 大 树 底 下", "yes"),
        ("下来了，师傅在哪里嘛", "yes"),
        ("已经到位了", "yes"),
        ("下来了，白色那辆是不是", "yes"),
        ("下 来 了 莫 走 哈 师 傅", "yes"),
        # a double no that takes nothing back
        ("我不是不出来，我出来了，在门口", "yes"),
        # ... but still coming, or not there yet, at the start of any clause: a no
        ("说实话，我还没出门，在穿鞋", "no"),
        ("还没还没，我马上就下来", "no"),
        ("我还没走拢，还有一截", "no"),
        ("没来得及，还没出门", "no"),
        # at the door, complaining that the car has not come: there, a yes (the sixteenth
        # round's unknown is put right by the writers of this round)
        ("在门口站了半天了，车还没来", "yes"),
    ],
)
def test_where_the_caller_is(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # a detail put right after "listen to me" or with who said it
        ("不是不是，你听我说，是我老伴要去", "no"),
        ("不是礼拜三，我妈说是礼拜四", "no"),
        # "where did I say X", then the value
        ("我哪有说上午，是下午", "no"),
        # "wrong", then the part and its right value
        ("不对不对，号码是六六八八", "no"),
        # the offer refused, the caller will do it another way
        ("不用转人工，我自己跟你说就行", "no"),
        # a yes taken back with 不对 and a no said after it
        ("可以 不对 不行 那天我要赶场", "no"),
        # nobody else, the caller: the detail confirmed
        ("不是给别个，就是给我自己挂", "yes"),
        ("不 是 别 人 是 我 本 人", "yes"),
        ("不是别人，是我老伴", "no"),
    ],
)
def test_details_put_right_or_confirmed(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # a listener's mixed noises are no answer; one noise said over is a yes
        ("呃 嗯 啊", "unknown"),
        ("嗯嗯嗯", "yes"),
        # a cadre's set phrases
        ("照办", "yes"),
        ("没有意见，服从安排", "yes"),
        ("核对无误", "yes"),
        ("有误，号码不是这个", "no"),
        ("你说了算", "yes"),
        ("就这样，你说哪样就是哪样", "yes"),
        # "no need to ask", "no reason not to"
        ("不用问了，肯定要的嘛", "yes"),
        ("没得不要的道理", "yes"),
        # "it is not for anyone else"
        ("我自己的号，又不是帮别人挂", "yes"),
        # "what cancel?": the offer refused
        ("取消啥子取消，好不容易挂到的", "no"),
        # the one quoted last changed their mind
        ("我妈先说不要，后来我劝了她，她说那就要吧", "yes"),
        # the verb said back with 起 or "that one", or "then book it"
        ("挂起嘛，我这个年纪了", "yes"),
        ("挂那个嘛", "yes"),
        ("眼科嘛，挂就挂那个", "yes"),
    ],
)
def test_yes_or_no_of_the_round(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # a person asked for, with the reason in halting Mandarin
        ("转 银 工 嘛 我 讲 不 来", "yes"),
        ("要嘛，转人工咯，我汉话说不好", "yes"),
        ("要人 要人 我讲不清楚", "yes"),
        # the Kunming 噶 ends a question said back, the answer follows
        ("你 说 叫 车 噶 要 嘛", "yes"),
        # ... not after a warm yes (对的噶 is a yes said warmly)
        ("叫车噶？不叫", "no"),
        # said about the call, not the answer
        ("要的要的，你咋个听不见", "yes"),
        ("要呢要呢，你讲大声点", "yes"),
        ("我耳朵背", "unknown"),
        ("不要，你咋个听不见嘛", "no"),
        # a no said of someone else after the yes; "there is nobody"
        ("是给我自己挂的，我儿子不去", "yes"),
        ("是我自己，家头没得人帮", "yes"),
        ("没有，我儿子不去", "no"),
        # a hurry is no change of time
        ("要得，不过要快点哈", "yes"),
        ("要得，不过要十点", "unknown"),
    ],
)
def test_yes_or_no_said_with_more(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # coming down now, the driver asked to wait
        ("马上下来，你叫师傅等一哈", "yes"),
        ("下 来 下 来 我 这 就 下 来 喊 司 机 等 我", "yes"),
        ("好的，叫师傅等我两分钟", "yes"),
        ("下来了，等一下", "unknown"),
        # come out, with a complaint or a question about the car
        ("出来了，咋个还没看到车嘛", "yes"),
        ("出来了，催哪样嘛", "yes"),
        # the offer taken after all, a reason may follow
        ("不用……嗯，还是叫吧，雨太大了", "yes"),
        ("我想了一下，还是要的", "yes"),
        ("还是要下午的", "unknown"),
        ("要的，还是要，算了不要了", "no"),
        # the detail read back said first, then the answer
        ("眼科可以，我眼睛花", "yes"),
        ("骨科不要，我是眼睛的问题", "no"),
        ("零 六 八 八 对 的", "yes"),
        # said to someone in the room
        ("要 爸 你坐好 要叫车", "yes"),
        ("爸 不是叫你 你坐着", "unknown"),
        # "cancel my foot"
        ("取消个锤子，我要去的", "no"),
        # the one quoted overruled: "never mind her"
        ("她说不要，你莫管她，要的", "yes"),
        # 叫车 and 要 as the recogniser writes them; 逗是 and 各人
        ("要 要 帮 我 交 车", "yes"),
        ("药 药 药喊车", "yes"),
        ("逗是我各人", "yes"),
        # a yes taken back, the last word counts
        ("要的 哦 不是 不要 我搞错了", "no"),
    ],
)
def test_yes_or_no_of_the_second_pass(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


def test_a_person_asked_for_then_what_to_ask_them() -> None:
    """The rules take the transfer said back with the questions for the person after it as
    a yes; the backstop, trained on answers that go on to ask something, may still ask again
    (which is safe: the caller says yes once more)."""
    text = "好的，转人工，我有几个事情想问问"
    assert understand("yesno", text, MON, backstop=False) == "yes"
    assert u("yesno", text) in ("yes", "unknown")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # what was said in the end; the one quoted told not to be stubborn
        ("我妈先说要，后来又说不要了", "no"),
        ("他说不要，又说要，最后说要嘛", "yes"),
        ("他说不要……哎呀妈你莫犟了，要呢，喊嘛", "yes"),
        # a concession given up
        ("要 是 要 的 嘛 算 了 算 了 不 叫 了", "no"),
        # "whatever you say, I don't want it"; a no with 不 after it
        ("不要，你说哪样我都不要", "no"),
        ("不 要 不", "no"),
        # "nothing wrong with it"; "no problem"; 成
        ("没得哪样不对的", "yes"),
        ("没麻达", "yes"),
        # the value offered, accepted as it is
        ("上午就上午嘛", "yes"),
        # the verb said back with "this one"
        ("就约这个", "yes"),
        # ready, or not ready yet
        ("准备好了，在门口坐着等", "yes"),
        ("没好，等哈", "no"),
        # a cancel said alone, 退调 for 退掉, the cancel taken after all
        ("退。不去了", "yes"),
        ("退 调 后 天 不 去 了", "yes"),
        ("不用退……哦不，还是退了吧", "yes"),
        # "not that I don't want to"
        ("不是不想叫，叫吧", "yes"),
        # how the body is, or "it's not as if": no answer
        ("是嘛，帮我叫车，我腿脚不得行", "yes"),
        ("要呢，又不是闲得慌", "yes"),
        # a day read back said first, then the answer
        ("礼 拜 五 上 午 对 的", "yes"),
        ("礼拜四不行，礼拜五可以", "no"),
        # a person asked for, misheard or said with 嗯呢
        ("转 人 攻", "yes"),
        ("嗯呢，转人工嘛", "yes"),
    ],
)
def test_yes_or_no_of_the_third_pass(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # at the door, with a question where the driver is or a complaint of waiting
        ("我在门口等了好久了，师傅在哪里", "yes"),
        ("早就在路边了", "yes"),
        ("门口门口", "yes"),
        # ... but not after a no or a place put right
        ("不是屋头，我在菜市场门口，叫车到这点来", "no"),
        ("不要了，我在门口等别个", "no"),
        # still somewhere else: not ready
        ("司机到了？我还在菜园子里头", "no"),
        # "yes and no", torn between a cancel and none
        ("是也不是", "unknown"),
        ("退嘛不退嘛", "unknown"),
        # the half-day put right after "but"
        ("是礼拜三，不过是上午", "unknown"),
        # the offer taken after all after "never mind"
        ("不想麻烦的，算了还是叫一个嘛", "yes"),
        # sound-alikes: 取销, 花给 (发给), 叫扯
        ("对的，要取销，不去了", "yes"),
        ("花 给 她 嘛", "yes"),
        ("要 叫 扯", "yes"),
        # "or why would I call"
        ("不然我打电话来做哪样", "yes"),
        # said how many times already
        ("我都说了三遍了，要车", "yes"),
        ("说 了 好 多 遍 了 不 要", "no"),
        # the department or the number read back, said first
        ("挂骨科嘛，对的", "yes"),
        ("尾 号 三 六 八 对 的", "yes"),
    ],
)
def test_yes_or_no_of_the_fourth_pass(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # "no sound" is about the line
        ("喂 喂 莫 得 声 音", "unknown"),
        # "then she said yes"
        ("我妈说不要……她又说要了", "yes"),
        # "said no means no" is never taken as the value accepted
        ("说 了 不 要 就 不 要", "no"),
        # "as you say: neurology then"
        ("好嘛，你们说眼科就眼科", "yes"),
        # English said with the answer
        ("exactly，就是这个号", "yes"),
        ("don't 发 给 她", "no"),
        ("I'm here，已经下来了", "yes"),
        # a day of the month read back, then the answer
        ("十 三 号 上 午 对 的", "yes"),
        # a cough between the words
        ("要 咳 咳 要 叫", "yes"),
    ],
)
def test_yes_or_no_of_the_fifth_pass(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    "text",
    [
        # "call later" is no yes now
        "不是不要，等我吃完饭再叫",
        # the caller's no, then someone quoted agreeing with the offer: no clean yes
        "不要发，我老伴说发了也好",
    ],
)
def test_no_yes_taken_from_a_later_or_quoted_assent(text: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == "unknown"
    assert u("yesno", text) != "yes"
