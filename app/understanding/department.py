"""Hospital department from a department name, an alias, a symptom or a mis-heard form."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from app.understanding import data
from app.understanding.fuzzy import Hit, Matcher
from app.understanding.normalize import SEP, clause_len, clean, said_again
from app.understanding.patterns import compile_phrase

GENERAL = "普通内科"
CHILDREN = "儿科"


@cache
def matcher() -> Matcher:
    """Labels: ``name:<dept>``, ``condition:<dept>``, ``symptom:<dept>``, ``ambiguous``,
    ``vague`` and ``child``."""
    entries: list[tuple[str, str]] = []
    departments = data.load("departments").get("departments") or {}
    for dept in departments:
        entries.append((clean(dept), f"name:{dept}"))
    for dept, groups in departments.items():
        entries += [
            (c, f"name:{dept}")
            for p in groups.get("names") or []
            for c in compile_phrase(str(p), clean)
        ]
    for tier in ("conditions", "symptoms"):
        for dept, groups in departments.items():
            entries += [
                (c, f"{tier[:-1]}:{dept}")
                for p in groups.get(tier) or []
                for c in compile_phrase(str(p), clean)
            ]
    # Dizziness words said in full (晕乎乎) hide a sound-alike inside them (晕乎 ~ 孕妇).
    entries += [(clean(p), "ambiguous") for p in data.words("departments", "ambiguous")]
    entries += [(clean(p), "ambiguous") for p in data.words("departments", "dizziness")]
    entries += [(clean(p), "vague") for p in data.words("departments", "vague")]
    entries += [(clean(p), "child") for p in data.words("departments", "child")]
    return Matcher(entries, fuzzy_min=2)


@cache
def guidance_desk_matcher() -> Matcher:
    """The guidance-desk table (``grammars/symptoms.yaml``): hundreds of lay and dialect
    complaints, each a symptom of one department (label ``symptom:<dept>``). Its short
    phrases are matched as written; only phrases of three or more characters also match
    by sound, so two syllables of an ordinary sentence (最近不 ~ 筋不) cannot name a
    department."""
    departments = data.load("departments").get("departments") or {}
    entries: list[tuple[str, str]] = []
    for dept, phrases in (data.load("symptoms").get("departments") or {}).items():
        if dept not in departments:
            raise ValueError(f"grammars/symptoms.yaml names an unknown department {dept!r}")
        entries += [
            (c, f"symptom:{dept}") for p in phrases or [] for c in compile_phrase(str(p), clean)
        ]
    return Matcher(entries, fuzzy_min=3)


@cache
def _ask_complaints() -> tuple[str, ...]:
    """Complaints of the table's ``ask`` list (fever alone, an injury, low mood): no
    department is guessed from them; the flow asks or hands the caller to a person."""
    return tuple(clean(str(p)) for p in data.load("symptoms").get("ask") or [])


def _hits(cleaned: str) -> list[Hit]:
    """Hits of the department grammar, plus the table's where no longer or equal grammar
    phrase covers the same characters (an equal one heard only by sound does not hide a
    table phrase heard as written: 说是面瘫 is 面瘫, not 失眠 heard in 是面), without the
    words that lie inside a longer phrase heard as written."""
    hits = matcher().hits(cleaned)
    for extra in guidance_desk_matcher().hits(cleaned):
        covered = any(
            h.start < extra.end
            and extra.start < h.end
            and (h.size > extra.size or h.size == extra.size and (h.exact or not extra.exact))
            for h in hits
        )
        if not covered:
            hits.append(extra)
    # (fifteenth round) a word inside a longer phrase heard as written is part of it (眼睛 and
    # 痒 in 眼睛又红又痒, 眼睛 in 眼睛闭不拢): not a complaint of its own
    return [
        h
        for h in hits
        if not any(
            o.exact and o.size > h.size and o.start < h.end and h.start < o.end for o in hits
        )
    ]


@cache
def name_matcher() -> Matcher:
    """Department names and aliases only, heard exactly as written (no sound-alikes)."""
    entries = [
        (e, lab)
        for e, lab in matcher().phrases.items()
        if lab.startswith("name:") or lab == "ambiguous"  # 妇产科 is not 产科
    ]
    return Matcher(entries, fuzzy_min=10**6)


@cache
def catalogue() -> tuple[str, ...]:
    """The canonical department names, in file order."""
    return tuple(data.load("departments").get("departments") or {})


@cache
def spoken_names() -> frozenset[str]:
    """Every department named as one, of two characters or more: the canonical names and
    the other names that are plain words (眼科, 心内科, 看牙; not phrase patterns). For the
    other kinds that must see a department named (a read-back said again or put right)."""
    names = set(catalogue())
    for entry in (data.load("departments").get("departments") or {}).values():
        others = (str(n) for n in (entry or {}).get("names") or [])
        names.update(n for n in others if re.fullmatch(r"\w+", n))
    return frozenset(n for n in names if len(n) >= 2)


@cache
def _negators() -> tuple[str, ...]:
    return tuple(sorted(data.words("departments", "negators"), key=len, reverse=True))


def _negated(text: str, start: int) -> bool:
    """Said as not wanted (不看心内科); 是不是帕金森 / 有没有专门看老人的科 ask whether it is
    one, they negate nothing."""
    return any(
        text.endswith(neg, 0, start)
        and not text.endswith("是" + neg, 0, start)
        and not text.endswith("有" + neg, 0, start)
        for neg in _negators()
    )


def named_department(cleaned: str) -> str | None:
    """The department whose name (not symptom) is in already-cleaned text, if exactly one."""
    names = {h.label[5:] for h in matcher().hits(cleaned) if h.label.startswith("name:")}
    return names.pop() if len(names) == 1 else None


#: 脚也疼 / 肚子也不舒服: "also" between a body part and its complaint (one more complaint).
_ALSO = re.compile("也(?=疼|痛|不舒服|不好|难受|胀|痒|麻|酸|肿)")
#: 心脏和胃都不好 / 眼睛跟耳朵都不行: one complaint said of two parts is said of each.
_BOTH_PARTS = re.compile(
    "(?P<a>[\u4e00-\u9fff]{1,3})(?:和|跟|与|还有)(?P<b>[\u4e00-\u9fff]{1,3})都"
    "(?P<c>不好|不行|疼|痛|不舒服|难受|有毛病|有问题)"
)

#: (sixteenth round) 眼睛和牙齿都要看: two parts, each to be seen.
_BOTH_TO_SEE = re.compile("(?:和|跟|与|还有)[\u4e00-\u9fff]{1,4}都(?:要|想|得)?(?:看|查|挂)")


def parse_department(text: str) -> str | None:
    """Return a canonical department name, or ``None`` when unclear or ambiguous. What the
    caller took back (看心脏，不对不对，看眼睛) does not count."""
    return _analyse(text)[0]


def names_several(text: str) -> bool:
    """Did the answer name several departments outright (two department names, a complaint
    of another department added with 也, unwell everywhere)? Then nobody should guess one: the
    caller is asked. (Complaints that only seem to point two ways are left to the review.)"""
    return _analyse(text)[1]


def by_complaints_alone(text: str) -> bool:
    """Was the department found from complaints alone (no department name, no condition)?
    Only such an answer is worth a second opinion (see the backstop's doubt)."""
    return _analyse(text)[2]


@cache
def _treatments() -> frozenset[str]:
    """Names that are a treatment only one department gives (针灸 for 中医科)."""
    return frozenset(clean(w) for w in data.words("departments", "treatments"))


@lru_cache(maxsize=256)
def _analyse(text: str) -> tuple[str | None, bool, bool]:
    """(the department, whether several were named, whether complaints alone decided it:
    no department name and no condition heard)."""
    said = _WORKS_IN.sub("，", "".join(text.split()))
    cleaned = clean(said_again(_NOT_THIS_BUT.sub("，哦不对，", said)))
    sent = _where_the_doctor_sent(cleaned)
    if sent is not None:
        return sent, False, False
    cleaned = _BOTH_PARTS.sub(lambda m: f"{m['a']}{m['c']}|{m['b']}也{m['c']}", cleaned)
    also = _ALSO.search(cleaned) is not None or _BOTH_TO_SEE.search(cleaned) is not None
    cleaned = _ALSO.sub("", cleaned)
    if not cleaned:
        return None, False, False
    alone = data.load("departments").get("organ_alone") or {}
    if cleaned in alone:  # 胃。: one organ said as the whole answer
        return str(alone[cleaned]), False, False
    # A name heard as written wins over a sound-alike one overlapping it: in 看妇科, 看妇科
    # sounds like 康复科 (an/ang), but 妇科 was said.
    named = [
        h
        for h in name_matcher().hits(cleaned)
        if h.label.startswith("name:") and not _negated(cleaned, h.start)
    ]
    written = {h.label[5:] for h in named}
    if len(written) > 1:  # 做理疗针灸那种康复: a treatment gives way to a department's name
        written = {
            h.label[5:] for h in named if cleaned[h.start : h.end] not in _treatments()
        } or written
    if written:
        return (written.pop(), False, False) if len(written) == 1 else (None, True, False)
    # Heard exactly beats heard approximately, whatever the tier: in 身上起疹子, 上起 sounds
    # like 疝气, but 疹子 was heard as it is written.
    found: dict[str, dict[bool, set[str]]] = {
        tier: {True: set(), False: set()} for tier in ("name", "condition", "symptom")
    }
    child = False
    leading: set[str] = set()  # departments with a symptom that is not only an accompanying one
    nearly_written: set[str] = set()  # conditions heard with one character garbled (尿节石)
    heard_leading: set[bool] = set()  # how those were heard: as written (True), by sound
    for hit in _hits(cleaned):
        if not _heard_enough(cleaned, hit):
            continue
        kind, _, dept = hit.label.partition(":")
        if kind == "symptom" and hit.exact and _DOCTOR_SAID.search(cleaned, 0, hit.start):
            kind = "condition"  # 医生说心脏不好: the doctor's finding, not a complaint
        if kind in found and not _negated(cleaned, hit.start) and not _part_fine(cleaned, hit):
            found[kind][hit.exact].add(dept)
            if _one_sound_off(cleaned, hit):
                nearly_written.add(dept)
            if not _accompanying(cleaned[hit.start : hit.end]):
                leading.add(dept)
                heard_leading.add(hit.exact)
        elif kind == "child" and not _CHILD_HELPS.match(cleaned, hit.end):
            child = True
    child = child or _CHILD_AGE.search(cleaned) is not None  # 我姑娘七岁: a child
    if "不是给" in cleaned and "我自己" in cleaned:
        child = False  # (eighteenth round) 不是给她挂，是我自己眼睛看不清: the caller's own
    # an accompanying complaint heard as written does not outrank another heard by sound
    exact = True in heard_leading or (
        any(found[t][True] for t in found) and False not in heard_leading
    )
    names, conditions, symptoms = (found[t][exact] for t in found)
    if exact and not names and not conditions and nearly_written:
        conditions = nearly_written  # 尿节石，腰这点疼: the condition outranks the complaint
    if not names and any(w in cleaned for w in _everywhere()):
        return None, True, False
    if len(symptoms) > 1 and symptoms & leading:
        symptoms &= leading
    if symptoms and not leading and not names and not conditions and _also_unwell(cleaned):
        return None, False, False  # 头昏脚软，吃不下睡不着: poor sleep beside vague complaints
    if not names and not conditions and any(c in cleaned for c in _wounds()):
        return None, False, False  # 摔了一跤，头上磕破了: a wound is seen to by a person first
    if not names and not conditions and BONES in symptoms and _swollen_after_a_fall(cleaned):
        return BONES, False, True  # 跌了一跤，脚杆肿得穿不进鞋: the swelling is the fall's
    if not names and not conditions and symptoms == {DIGESTION} and _spinning_and_sick(cleaned):
        return NERVES, False, True  # 一转头就天旋地转，还想吐: vertigo, the sickness with it
    if also and not names and not conditions and len(symptoms) > 1:
        return None, True, False  # 血压高，牙齿也疼: a complaint of another department added
    return _decide(names, conditions, symptoms, child), False, not names and not conditions


#: (fifteenth round) 骨科医生说要去康复科 / 内分泌的医生叫我去查一下眼底 / 神经内科出院的时候说
#: 要去做康复训练 / 医生说是肾的问题: what a doctor said or sent the patient to.
_DOCTOR_SENT = re.compile(
    "(?:医生|大夫|医师|出院的时候|出院时)(?:说|讲|叫|让|喊|要)(?:了)?(?:我们|我|他|她)?"
)


def _where_the_doctor_sent(cleaned: str) -> str | None:
    """The one department the rest of a doctor's words name by a name or a condition heard
    as written (the department the patient was sent to, or the diagnosis), which outranks
    the department of the doctor who said it and the complaints told before; None when
    those words name none or several, or only complaints."""
    for said in _DOCTOR_SENT.finditer(cleaned):
        end = cleaned.find(SEP, said.end())
        rest = cleaned[said.end() : len(cleaned) if end < 0 else end]
        if rest and not _DOCTOR_SENT.search(rest):
            found, several, by_complaints = _analyse(rest)
            if found is not None and not several and not by_complaints and _heard_as_written(
                rest, found
            ):
                return found
    return None


def _heard_as_written(cleaned: str, dept: str) -> bool:
    """Is a name, condition or complaint of ``dept`` in the text as it is written (not only
    a sound-alike: 胡吸科 may be 呼吸科 or 复习)?"""
    return any(h.exact and h.label.endswith(":" + dept) for h in _hits(cleaned))


#: 医生说… / 查出来…: what follows in the clause is what a doctor found.
_DOCTOR_SAID = re.compile(
    "(?:(?:医生|大夫|医师)(?:上回|上次|以前|之前|那次|那回)?(?:说|讲)(?:的)?|查出(?:来)?)"
    "(?:是|有)?(?:我|他|她|我的|他的|她的)?$"
)
#: (sixteenth round) 嗓子倒是不疼: a part of the body named, then said to be fine (a lump
#: that does not hurt, 长了个包不疼, is still the complaint).
_FINE = re.compile("(?:倒是|倒|是|都|也|还|就)?(?:不疼|不痛|不痒|没事|没有事|好好的|还好|没有问题)")
_PARTS = frozenset(
    {"嗓子", "喉咙", "肚子", "胃", "头", "眼睛", "耳朵", "牙齿", "牙", "腰", "腿", "胸口", "心口",
     "心脏", "皮肤", "关节", "膝盖", "脖子"}
)


def _part_fine(cleaned: str, hit: Hit) -> bool:
    return cleaned[hit.start : hit.end] in _PARTS and _FINE.match(cleaned, hit.end) is not None


#: (eighteenth round) 我孙女在儿科上班: a department someone works in, not the one wanted.
_WORKS_IN = re.compile(r"在\w{1,6}科(?:里|头)?(?:上班|工作|当护士|当医生|做事|做护士|当大夫)")
#: 肚子疼哦不是肚子是牙齿疼 / 不是胃是心口疼: what is taken back before what is meant.
_NOT_THIS_BUT = re.compile("不是[^，,。.！!？?、是]{1,8}(?:[哈嘛啊哦][，,]?)?是")
#: 孙子要背我上楼 / 我孙子喊我: the child helps the caller, who is the patient.
_CHILD_HELPS = re.compile(
    "(?:也|就|都|天天|要|会|来|得)*(?:背|喊|叫|带|陪|送|扶|帮|接|给|照顾|管|问)我(?!家)"
)
#: 七岁 / 两岁半 / 12岁: an age of a child (not 七十岁, 八十二岁).
_CHILD_AGE = re.compile(
    "(?<![一二三四五六七八九十百0-9])(?:[一二三四五六七八九两]|十[一二三四]?|1[0-4]|[1-9])(?:周岁|岁)"
)
BONES = "骨科"
DIGESTION = "消化内科"
NERVES = "神经内科"
#: 天旋地转 / 一转头就晕: the room spinning; 想吐 / 恶心 with it is no stomach complaint
#: unless the belly is named (肚子, 胃).
_SPINNING = re.compile("天旋地转|眩晕|一转头|转头就|一翻身就晕|翻身就晕")
_SICK = re.compile("想吐|要吐|吐了|恶心|呕")
_BELLY = re.compile("肚子|胃|拉肚子|拉稀|肚皮")


def _spinning_and_sick(cleaned: str) -> bool:
    return bool(
        _SPINNING.search(cleaned) and _SICK.search(cleaned) and not _BELLY.search(cleaned)
    )
MIND = "精神心理科"
GYNAECOLOGY = "妇科"
REHAB = "康复科"
OBSTETRICS = "产科"
_FALLS = ("摔", "跌", "扭", "崴", "绊", "滑", "滚")


def _swollen_after_a_fall(cleaned: str) -> bool:
    """A fall heard, and every complaint of another department only a swelling (腿肿 is
    the kidneys' in an older person, but not after a fall)."""
    fall = other = False
    for hit in _hits(cleaned):
        kind, _, dept = hit.label.partition(":")
        said = cleaned[hit.start : hit.end]
        if kind == "symptom" and dept == BONES and any(f in said for f in _FALLS):
            fall = True
        elif kind in ("symptom", "condition") and dept != BONES and "肿" not in said:
            other = True
    return fall and not other


@cache
def _wounds() -> tuple[str, ...]:
    """The ask complaints of an open wound (头上磕破了): no department beside them."""
    ends = ("破了", "磕破", "摔破", "流血", "出血")
    return tuple(c for c in _ask_complaints() if c.endswith(ends))


def _also_unwell(cleaned: str) -> bool:
    """Dizziness, vague malaise or a complaint to ask about in the answer."""
    words = (*data.words("departments", "dizziness"), *data.words("departments", "vague"))
    return any(clean(w) in cleaned for w in words) or any(c in cleaned for c in _ask_complaints())


@cache
def _everywhere() -> tuple[str, ...]:
    """哪里都不舒服 / 到处都痛: unwell everywhere, no one department."""
    return tuple(w for w in (clean(x) for x in data.words("departments", "everywhere")) if w)


@cache
def _accompanying_words() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("departments", "accompanying")) if w)


def _accompanying(said: str) -> bool:
    """睡不着 / 吃不下饭: a complaint that comes with many illnesses (gives way to another)."""
    return any(w in said or said in w for w in _accompanying_words())


#: A two-character child word, condition or complaint heard only by sound, with no character
#: as written, counts in an answer of at most this many characters, not inside a longer
#: sentence, where two syllables of anything may sound like one (还有耳朵 ~ 幼儿, 哪个科的 ~
#: 咳得). (Department names keep their sound-alikes.)
_SHORT_ANSWER = 4


def _heard_enough(cleaned: str, hit: Hit) -> bool:
    """A two-character child word, condition or complaint heard only by sound counts in a
    short answer, or anywhere when one of its characters was heard as written (牙腾 for
    牙疼, 老梗 for 脑梗): a recogniser garbles a syllable, rarely both (上起 in 晚上起来 is no
    疝气)."""
    if not hit.label.startswith(("child", "symptom:", "condition:")) or hit.exact or hit.size >= 3:
        return True
    if clause_len(cleaned, hit.start) <= _SHORT_ANSWER:
        return True
    said = cleaned[hit.start : hit.end]
    alike = (p for p in _phrases_of(hit.label) if len(p) == 2)
    return any(a == b for phrase in alike for a, b in zip(said, phrase, strict=True))


def _one_sound_off(cleaned: str, hit: Hit) -> bool:
    """A condition of three characters or more heard with one character garbled (尿节石 for
    尿结石): it outranks complaints heard as written, as a condition heard as written
    would (a recogniser rarely garbles two syllables of one word)."""
    if not hit.label.startswith("condition:") or hit.size < 3:
        return False
    said = cleaned[hit.start : hit.end]
    return any(
        len(p) == len(said) and sum(a != b for a, b in zip(said, p, strict=True)) == 1
        for p in _phrases_of(hit.label)
    )


@cache
def _labelled_phrases() -> dict[str, tuple[str, ...]]:
    by_label: dict[str, list[str]] = {}
    for m in (matcher(), guidance_desk_matcher()):
        for phrase, label in m.phrases.items():
            by_label.setdefault(label, []).append(phrase)
    return {label: tuple(p) for label, p in by_label.items()}


def _phrases_of(label: str) -> tuple[str, ...]:
    return _labelled_phrases().get(label, ())


def _decide(names: set[str], conditions: set[str], symptoms: set[str], child: bool) -> str | None:
    if names:
        return names.pop() if len(names) == 1 else None
    if OBSTETRICS in conditions | symptoms and GYNAECOLOGY not in conditions | symptoms:
        # 有喜了，脚肿，血压也高: in pregnancy the obstetrician sees it all; 媳妇怀娃娃了 (a
        # child word with it): the baby is not born yet
        return OBSTETRICS
    if REHAB in conditions | symptoms:
        return REHAB  # 中风以后想做语言训练 / 颈椎要做牵引: the treatment asked for, not its cause
    if child and conditions == {MIND}:
        return CHILDREN  # 孙女两岁半，老是哭闹: a small child's crying is the paediatrician's
    if conditions:
        return conditions.pop() if len(conditions) == 1 else None
    if child:
        return CHILDREN
    if len(symptoms) > 1:
        symptoms.discard(GENERAL)
    return symptoms.pop() if len(symptoms) == 1 else None


def department_question(text: str) -> str | None:
    """The follow-up question for an answer that names no single department (ask, don't
    guess): ``"dizziness"`` (heart or nerves?), ``"internal"`` / ``"surgery"`` when the
    caller names only the umbrella 内科 or 外科 (the flow reads that group's list), or
    ``"ask"`` for a complaint that needs a person to direct it (fever alone, an injury,
    low mood)."""
    if parse_department(text) is not None:
        return None
    return question_for_unparsed(text)


def question_for_unparsed(text: str) -> str | None:
    """:func:`department_question` for an answer already known to name no department."""
    cleaned = clean(text)
    if not cleaned:
        return None
    words = data.words("departments", "dizziness")
    if any(clean(w) in cleaned for w in words):
        return "dizziness"
    if any(c in cleaned for c in _ask_complaints()):
        return "ask"
    umbrellas = data.load("departments").get("umbrellas") or {}
    said = {
        str(question)
        for question, names in umbrellas.items()
        if any(clean(str(n)) in cleaned for n in names)
    }
    return said.pop() if len(said) == 1 else None
