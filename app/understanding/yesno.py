"""Yes / no answers, including Kunming forms (是喽嘛, 要得, 活勒, 不消, 不得行, 莫得问题)."""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.department import spoken_names
from app.understanding.fuzzy import Hit, Matcher, char_key
from app.understanding.normalize import (
    SEP,
    after_correction,
    basic,
    clause_len,
    clause_start,
    clean,
)
from app.understanding.people import relatives

_SHORT_CLAUSE = 3
#: A last clause of at most this many characters can be the answer decided (要 / 还是要 / 要得).
_LAST_WORD = 3
_MEDIUM_CLAUSE = 6
_LEAD = 1
_SPACES = re.compile(r"\s+")
_PUNCT_GAPS = re.compile(r"[\s…]+")
_NEGATORS = "不没别"
#: 四 heard for 是 (s/sh merged: 就四 = 就是, 四呢 = 是呢), unless it is a number (四点, 十四号).
_SI_FOR_SHI = re.compile(
    "(?<![一二三四五六七八九十两几0-9])四(?![点号个岁十百千万月天年位块一二三四五六七八九0-9])"
)
#: 一三八零八七一 后面四位五五二零 对的: the recogniser's gap before a yes that ends the
#: answer ends the clause before it.
_GAP_BEFORE_LAST_YES = re.compile(
    r"(?<=[\u4e00-\u9fff])(?<![不没莫别])\s+((?:对的|是的|要得|对头|没错|没得错|就是|是了)[嘛呢啊哦]?)\s*$"
)
#: ……，刚才说错了: the caller's own slip named at the end of the answer.
_OWN_SLIP_LAST = re.compile(
    r"[\s,，。.!！]*(?:我\s*)?(?:刚\s*才\s*|刚\s*刚\s*)?(?:说|讲|念)\s*错\s*了[\s。.!！]*$"
)
#: 不要，哦，要呢要呢: a no taken back with 哦 and a yes said after it.
_YES_AFTER_CORRECTION = re.compile(
    r"不\s*[要对是].*?[哦噢]\s*[，,\s]*(?:要|是|对|好|可以)"
)
#: 药呢药呢 / 耀得: 要 written as a sound-alike before its particle (not 吃药的, 中药嘛).
_HEARD_AS_YAO = re.compile(
    "(?<![吃买拿开中西草换抓熬喝擦])[药耀咬摇](?=\\s*[呢嘛得的喊叫药啦嘞勒])"
    # (seventeenth round) 不药 / 还四药: after 不 or 还是 (not 不吃药, where 吃 comes between)
    "|(?:(?<=不)|(?<=还是)|(?<=还四))\\s*[药耀](?!\\s*[片丸水房店费])"
)
#: (seventeenth round) 交车 / 较车 / 叫册: 叫车 as the recogniser writes it.
_HEARD_AS_JIAO_CHE = re.compile("[交较教](?=\\s*[车册扯测])|(?<=叫)(\\s*)[册扯测]")
#: (seventeenth round) 花给她 (h/f merged): 发给她; 取销: 取消.
_HEARD_AS_FA = re.compile("花(?=\\s*给\\s*[我他她])")
_HEARD_AS_XIAO = re.compile("(?<=取)(\\s*)[销削宵]")  # (nineteenth round: 取削)
#: 步四步四 / 步要 / 布 退 / 部要了: 不 written as 步, 布 or 部 before the word it negates.
_HEARD_AS_BU = re.compile(
    "(?<![跑脚散进让一内全外])[步布部](?=\\s*[是四要对行退]|\\s*[去取曲]\\s*消)"  # (部 去 消)
)
#: (eighteenth round) 转人宫 / 转人公: 人工 as the recogniser writes it after 转; 形嘛: 行嘛;
#: 的嘞 opening a clause: 得嘞; 准被: 准备; 么准备: 没准备.
_HEARD_AS_RENGONG = re.compile(
    "(?<=转)(\\s*)人\\s*[宫公攻功]"
    # (nineteenth round) a person asked for (转人嘛, 转个人来): the transfer
    "|(?<=转)(\\s*)(?:个\\s*)?(?:真\\s*)?人(?!\\s*工)"
)
_HEARD_AS_XING = re.compile("形(?=\\s*[嘛嘞啊呀噻撒])")
_HEARD_AS_DELEI = re.compile("(?:^|(?<=[\\s，,。.]))的(?=\\s*嘞)")
_HEARD_AS_ZHUNBEI = re.compile(
    "(?:(?<=^)|(?<=[\\s，,。.]))么(?=\\s*准\\s*[备被倍贝])|(?<=准)(\\s*)[被倍贝]"
)
#: 去消 / 曲消: 取消 as the recogniser writes it.
_HEARD_AS_QUXIAO = re.compile("[去曲屈趣](?=\\s*消)")
#: (seventeenth round) 退调 / 退吊: 退掉 as the recogniser writes it.
_HEARD_AS_TUIDIAO = re.compile("(?<=退)(\\s*)[调吊](?!\\s*[查整])")
#: 事呢事呢 / 队的队的 / 号嘛号嘛: 是, 对 and 好 written as a sound-alike before their particle,
#: opening a clause (not 没事呢, 挂号嘛, 一队的).
_HEARD_AS_SHI_DUI_HAO = re.compile(
    "(?:^|(?<=[\\s，,。.！!？?]))(?P<w>[事队号十])(?=\\s*[呢嘛的嘞头])"
)
_SHI_DUI_HAO = {"事": "是", "队": "对", "号": "好", "十": "是"}  # (十呢十呢: fifteenth round)


@cache
def _detail_said_first() -> re.Pattern[str]:
    """(seventeenth round) 老年医学科可以 / 挂眼科，对 / 尾号六六八 对的 / 礼拜四下午 对对对: the
    detail read back (a department's name, three digits or more, a day) said first, then the
    answer to it."""
    spaced = "|".join(r"\s*".join(n) for n in sorted(spoken_names(), key=len, reverse=True))
    digits = r"[零一二三四五六七八九幺腰两拐洞0-9](?:\s*[零一二三四五六七八九幺腰两拐洞0-9]){2,}"
    answer = r"(?=(?:可\s*以|对|是|要|好|行|得|没\s*错|不|莫|恐\s*怕|挂|就\s*是))"
    day = (
        r"(?:(?:礼\s*拜|星\s*期|周)\s*[一二三四五六七日天]|明\s*天|后\s*天|大\s*后\s*天|今\s*天"
        r"|[一二三四五六七八九十0-9]{1,3}\s*号)"
        r"(?:\s*(?:上\s*午|下\s*午|早\s*上|晚\s*上))?"
    )
    number = rf"(?:(?:尾\s*号|后\s*四\s*位|号\s*码|电\s*话)\s*(?:是\s*)?)?{digits}"
    return re.compile(
        rf"^\s*(?:(?:(?:要\s*)?挂\s*)?(?:{spaced})|{number}|{day})"
        rf"\s*(?:[嘛哈噶啊呢]\s*)?[，,。.\s]*{answer}"
    )


#: (fifteenth round) 要，顺便帮我挂个号 / 好，再帮我叫个车: another service asked for with the
#: yes - no plain yes.
_ANOTHER_REQUEST = re.compile(
    "(?:顺便|再|另外|重新|然后)(?:帮我|给我|帮|给)?(?:挂|叫|喊|转|约|订|派)\\w{0,5}?"
    "(?:号|好|车|人工|医生|专家|一张|一个)"
    "|然后(?:帮我|给我)?(?:改|换)(?:到|成)"  # 取消然后改到下个礼拜: a change, not a cancel
)


def _asks_another_thing(joined: str) -> bool:
    """Another service asked for (``_ANOTHER_REQUEST``) with no no before it and not as a
    rhetorical refusal (我还要叫车做哪样？)."""
    other = _ANOTHER_REQUEST.search(joined)
    return (
        other is not None
        and not _NEGATING.search(joined, 0, other.start())
        and not _RHETORICAL_REFUSAL.search(joined)
    )


#: 好是好 / 对是对 / 行倒是行: a concession, the "but" follows (好是好，就是太早了): no clean yes.
_CONCESSION = re.compile(
    "(好|对|行|可以|要得|得行)倒?[是四]\\1|要是要(?!的话)"
    "|(?:也|倒是)(?:可以|行|得)[，,\\s]*(?:就是|但是|不过)"  # (取消也可以，就是…)
)
#: (eighteenth round) 好的，不过要个大点的车 / 要得 但是莫要太早: a yes, then a wish about how
#: it is done (the driver, the car, waiting) - still the yes; not a wish that changes what
#: was offered or asks another thing (_WISH_CHANGES_IT).
_YES_WITH_A_WISH = re.compile(
    r"^(?:嗯|哦)*(?:可以|要得|好的|好嘛|好|行|要|对|是)(?:的|得)?[嘛呢嘞哦噻啊呀]?[，,。.\s]*"
    r"(?:就是|不过|但是|可是)(?:你们|你)?(?:要|莫|别|叫|让|喊)"
)
_WISH_CHANGES_IT = re.compile(
    r"[?？]|挂号|挂个|再|还|查|取消|早|晚|换|改|上午|下午|明天|后天|几点|哪|[一二三四五六七八九十两\d]点"
    r"|问|等我|商量|看看|想想|考虑|怕|不晓得|不知道|钱|贵|多少"
)
#: 嗯 那个 这个: nothing but fillers, in any order (still thinking).
_ONLY_FILLERS = re.compile("(?:这个|那个|嗯|呃)+")
#: (seventeenth round) 嗯 啊 哦: three sounds or more, not all the same, and nothing else: a
#: listener's noises, no answer (嗯嗯嗯 is a yes).
_SOUNDS = frozenset("嗯啊哦噢呃唔")
_SOUND_GAPS = re.compile(r"[\s，,。.…!！]+")


def _mixed_sounds(joined: str) -> bool:
    sounds = _SOUND_GAPS.sub("", joined)
    return len(sounds) >= 3 and set(sounds) <= _SOUNDS and len(set(sounds)) > 1


#: (eighteenth round) 呃……那个……嗯…… / 那个嘛 就是说 嗯: words said while looking for words,
#: with the sounds around them.
_LOOKING_FOR_WORDS = re.compile("那个|这个|就是说|然后")
_FILLER_SOUNDS = re.compile("[嗯啊哦呃噢唔嘛呀]")


def _fillers_only(joined: str) -> bool:
    words = _SOUND_GAPS.sub("", joined)
    return bool(_LOOKING_FOR_WORDS.search(words)) and not _FILLER_SOUNDS.sub(
        "", _LOOKING_FOR_WORDS.sub("", words)
    )


#: 日子不对 / 时间错了: a part of what was read back said to be wrong (not 我看错了, the
#: caller's own slip).
_PART_WRONG = re.compile("(?:不对|(?<![看说听讲念])错了)$")

#: A clause that only takes back the answer before it (好的，不对).
_TAKING_BACK = frozenset({"不对", "不是", "不对不对", "不是不是", "说错了", "我说错了", "错了"})
#: 不要，说错了，要: the words before "I said it wrong" are taken back when more follow
#: (not 你搞错了 / 你听错了, "you got it wrong", which is a no).
_I_SAID_WRONG = re.compile(
    r"^.*(?<!你)(?:说错了|讲错了|念错了)[\s,，、.。…!！]*(?=\S)"
    # 我是说要 / 还是要吧: what follows is the answer (not 我说的是礼拜四, a day said again)
    r"|^.*(?:我是说|我的意思是|我说的是|(?:不|算了).*还是)[\s,，、.。…!！]*(?=要|好|算了|不|对|是的|可以|行)"
    # 不是不是，要的要的: a doubled no that opens the answer, then a yes (no no, I do want it)
    r"|^(?:不是不是|不对不对|不不不)[\s,，、.。…!！]+(?=要|好|对|是的|可以|行)"
    # 要哦，等哈，不对，不要不要: an answer taken back with 不对 and said again
    r"|^.+?(?<![对是])不对(?:不对)?[\s,，、.。…!！]*"
    r"(?=不要|不用|不消|不可以|不行|不得行|不成|算了|要得|要的|要嘛|好的|可以|要(?:[，,。!！\s]|$))"
)
#: 我想一哈 嗯 要嘛: the recogniser's gap after thinking aloud ends its clause.
#: 还是要吧 要: so does a gap after a closing particle, or after 不要紧 (不要紧 叫嘛).
_GAP_AFTER_THINKING = re.compile(
    r"(想一哈|想一下|想想|考虑一下|嗯|唔(?!\s*[係系使该該得去好])|不要紧|没关系|不碍事"
    r"|(?:要|好|行|对|整)\s*[吧嘛啊])\s+"
)  # (Cantonese 唔 係 / 唔 使 / 唔 得 is a no, not a hesitation)
#: 不是我还是哪个 / 不是他是谁 ("if not me, who else?"): a rhetorical yes, not a no.
_RHETORICAL_YES = re.compile(
    "不是.{0,6}?还?[是给帮](哪个|谁|哪位|哪一个|啥子)"
    # (thirteenth round) 老子自己的号，又不是哪个的 ("it is nobody else's")
    "|又不是(?:[给帮替](?:哪个|别个|别人|谁)(?:挂|叫|喊|约)?|(?:哪个|别个|别人|谁)的)"
    # (sixteenth round) "how could it not be" (咋个不是嘛，就是给我挂)
    "|^(?:怎么|咋个|咋)不(?:是|对)"  # (twentieth round: 咋个不对嘛，对的)
    # (fourteenth round) "who / where else could it be" after the detail said again (就是人民
    # 医院嘛，还有哪个; 对嘛，还能是哪个医院; 不克那点克哪点)
    "|还(?:能|会)?(?:是|有)(?:哪个|哪家|哪里|哪点|谁|别的)"
    "|不(?P<v>去|克|挂|找)(?:那点|那里|那儿|这里|这点)(?P=v)(?:哪点|哪里|哪儿)"
)
#: 咋个不要 / 怎么不要 ("why wouldn't I"), 不是不要 (a double negation) and 不要我打电话来
#: 做哪样 ("if not, why would I call"): a want, not a no.
_RHETORICAL_WANT = re.compile(
    "(?:咋个|咋|怎么|为哪样|为什么|哪个)会?不(?:要|去|挂)(?!了)|(?<!是)(?<![哦噢喔])不是不想?(?:要|挂|需要|叫|喊|去|约)"
    "|不(?:要|挂|叫|喊).{0,8}?(?:做|干|搞|整)(?:什么|哪样|啥|嘛)[?？]?"
    # (thirteenth round) "who wouldn't want it" (哪个不要嘛), "needless to ask" (格消问)
    "|(?:哪个|谁)不要(?:嘛|哦|呢)|(?:格|还|咯)(?:消|用)问"
    # (seventeenth round) "no need to ask" (不消问了，肯定是要的), "no reason not to"
    # (没有不要的道理)
    "|不(?:消|用)(?:问|说)了?|没(?:有|得)?不(?:要|挂|叫|去)的道理"
    # (tenth round) 又不是说不要 / 哪个说不挂 ("who said no?"): a want
    "|(?:又|也)?(?<!是)不是说不(?:要|挂|叫|喊|去|约)|(?:哪个|谁)说(?:过)?不(?:要|挂|叫|喊|去|约)"
    # 不去不得行 / 不挂咋个整 ("I must"): a want
    "|不(?:去|挂|叫|喊|看)(?:不得行|不行|不成|咋个整|怎么办|咋办|咋个办)"
    # (eleventh round) "I never said no" (没得说不要), "not wanting it is impossible"
    "|没(?:得|有)?说(?:过)?不要|不要(?:是)?不可能"
    # (seventeenth round) 要不然嘞，我打电话来做哪样 ("or why would I call")
    "|(?:要不然|不然)(?:嘞|呢|嘛)?[，,]?我?打(?:电话)?(?:来)?(?:做|干|整|搞)(?:什么|哪样|啥)"
)
#: 我不是说了要嘛？ / 都讲过了，要: "I said it already": the answer said before stands.
_ALREADY_SAID = re.compile(
    r"我?(?:不是|都|早就|已经|刚才|刚刚)(?:都)?(?:说|讲)(?:过|了)+(?:吗|嘛|噻)?[，,]?"
    r"(要|好|对|可以|行|是|不要)(?:的|了)?(?:[嘛吗噻哦撒]|的嘛)?[?？]?"
)
#: 哪个要嘛 / 谁要哦 ("who would want that"): a refusal, not a want.
#: 取消个锤子 ("cancel my foot"): the word refused, rudely.
_MY_FOOT = "个?(?:锤子|鬼|屁|球)"
_RHETORICAL_REFUSAL = re.compile(
    "(?:哪个|谁|哪个人)(?:会|还)?要(?:你们|你)?(?:叫|喊|挂)?\\w{0,2}?(?:嘛|哦|啊|噢|呢)"
    # (eleventh round) "how would I want it / how could it be him" (我咋个会要嘛, 咋个会是他嘛)
    "|(?:咋个|咋|怎么)会(?:要|是)\\w{0,3}?(?:嘛|哦|啊|噢|呢)"
    # 我还要叫车做哪样？/ 还挂号整哪样 ("what would I still want a car for"): no need
    "|还要?(?:叫|喊|挂|约|打)?\\w{1,3}?(?:做|干|整|搞)(?:什么|哪样|啥)[?？]?"
    # (thirteenth round) 我又没病，挂哪样号 ("what would I book for")
    "|(?:挂|叫|喊|约)(?:哪样|什么|啥子|啥)(?:号|车)"
    # (seventeenth round) 你说哪样我都不要 ("whatever you say, I don't want it")
    "|(?:你们?(?:说|讲))?(?:哪样|什么|啥子|啥)我?都不要"
    # (seventeenth round) 取消哪样取消 / 转啥子转 ("what cancel?"): the offer refused
    "|(?P<x>取消|转|叫|喊|发)(?:哪样|什么|啥子|啥)(?P=x)"
    # (seventeenth round) 取消个锤子 ("cancel my foot"): the offer refused, rudely
    f"|(?:取消|转|叫|喊|发|退){_MY_FOOT}"
)
#: 不…不是 / 要 要叫: a stutter (a character said again after a pause, or 要 again after the
#: recogniser's gap) is said once.
_STUTTER = re.compile(r"(\w)(?:…+|\.{2,}|、)+\1|(要)\s+\2")
#: 叫嘛 / 挂吧 / 那就约嘛 / 帮我叫一个: the verb asked about said back with a particle, as a
#: clause of its own, is a yes (不叫了 is not: no particle clause).
_VERB_BACK = re.compile(
    r"(?:(?<=^)|(?<=[，,。.！!；;]))(?:(?:那就|就|那|要)?(?:麻烦你|麻烦您|请你|请您)?(?:[帮给][我他她])?"
    r"(?:你|您)?(?:叫|挂|约|订|喊|发|打|派)(?:来|过来|起)?"
    r"(?:(?:那个|这个)(?:[嘛吧撒]|一个|一下)*|(?:[嘛吧撒]|一个|一下)+))+"
    r"(?=$|[，,。.！!；;])"
)  # (发嘛发嘛: said twice; (seventeenth round) 挂起嘛 / 挂那个嘛: the one offered)
#: (seventeenth round) 挂就挂 / 叫就叫嘛: "then do it", said of what was offered.
_VERB_THEN_SAME = re.compile(r"(叫|挂|约|喊|发|转)就\1(?:那个|这个)?[嘛吧撒]?")
#: (seventeenth round) 上午就上午 / 九点就九点嘛: the value offered, accepted as it is.
_TAKEN_AS_IT_IS = re.compile(r"(?<![他她说讲])(?![不没莫别])(\w{2,4})就\1(?:嘛|吧|呗|噻)?")
#: 好 麻烦你了 / 要叫 要叫 我在门口等: the recogniser's gap right after a short yes ends its
#: clause (the spaces go before anything else: 好麻烦 alone is "so much trouble").
_GAP_AFTER_YES = re.compile(
    r"((?:^|，)(?:好|好的|对|对的|是的|要得|要叫|要挂|要约|可以|行)+)\s+"
    r"(?![不没多久几]|(?<=好\s)[热冷像象远近大小贵累烦怕痛疼吵慢早晚辛]|(?<=对\s)[门面过])"
)
#: (twenty-second round) 要 我妈在楼下等: the gap after a bare 要 ends its clause when a
#: person opens the next (not 要 车, 要 晚一点的: what is wanted; not 要 我 说: "if you ask me").
_GAP_AFTER_WANT = re.compile(
    r"((?:^|，)要+)\s+(?!我\s*[说讲])(?=我|你|他|她|咱|俺|妈|爸|老伴|老头|老太|孙|儿|姑娘|女儿|媳妇)"
)
#: 要嘛我在门口等 / 叫嘛叫嘛我都在门口了: a particle after a short yes (or the verb asked
#: about) ends its clause when more words follow, as a pause would (the recogniser writes
#: none).
_SHORT_YES = "要|好|对|是|行|得"
#: Particles a caller closes a stressed yes with (要嘛, 是呢); 吧 (要吧) is no stress.
_STRESS = "嘛呢噻嘞哦啊咯撒喽呀"
_PARTICLE_ENDS = re.compile(
    f"((?:^|(?<=[，,。.！!；;…{_STRESS}吧]))(?:{_SHORT_YES}|(?:要)?(?:[帮给][我他她])?(?:叫|喊|挂|约|发)|克|去)[的得了]?"
    f"[{_STRESS}吧])(?=[\u4e00-\u9fff])"
)
#: 要要要快点喊 / 对对对是的: a yes said over and over at the start is a clause of its own.
_SAID_OVER = re.compile(r"^(要|对|好|是|行)\1+(?=[\u4e00-\u9fff])(?![的地])")  # not 好好的
#: 好嘛，等一下 / 要嘛，我想想: the answer is not given yet.
_STILL_DECIDING = ("等一下", "等下", "等等", "等哈", "想一下", "想想", "想一哈")
#: ... said as the last words, alone or after an answer begun (嗯 不 那个 等等), not after
#: 不用 / 莫 / 别 (不用等一下).
_STILL_DECIDING_LAST = re.compile(
    f"(?:^|\\||(?<!不用)(?<!莫)(?<!别))(?:{'|'.join(_STILL_DECIDING)})$"
)
#: A question word right after a yes word (是哪家医院, 是几点, 要哪样): asked, not answered.
_WH_WORD = re.compile("哪|什么|啥|几|咋|谁|多少|多久")
#: 要的嘛 / 是呢嘛 / 要呢: a yes said with its particle, as callers stress it.
_EMPHATIC_START = re.compile(f"(?:{_SHORT_YES})[的得了]?[{_STRESS}]")
#: 要叫要叫 / 叫嘛叫嘛: a request said twice in a row is said once.
_SAID_TWICE = re.compile(r"((?:要|叫|挂|约|订)\w{1,3})\1+")
#: Particles and courtesies after 要得 / 要的 that add nothing (要得嘛，谢谢).
_COURTESY_TAIL = re.compile(
    "^(?:[嘛哈噻撒咯呢啊哦噢吧]|谢谢[你您]?|多谢|麻烦[你您]了?|辛苦[你您]?了)+"
)


@cache
def matcher() -> Matcher:
    """Matcher over yes / no / unclear / not-an-answer phrases (built once)."""
    entries: list[tuple[str, str]] = []
    for label, key in (
        ("unclear", "unclear"),
        ("none", "not_answers"),
        ("yes", "yes_words"),
        ("no", "no_words"),
    ):
        entries += [(clean(p), label) for p in data.words("yesno", key)]
    return Matcher(entries, fuzzy_min=2)


@cache
def _single_sounds() -> dict[str, str]:
    """Folded syllable -> answer, for one-character answers (是, 对, 不 ...)."""
    return {
        char_key(p): label
        for p, label in matcher().phrases.items()
        if len(p) == 1 and label in ("yes", "no")
    }


#: A day or half-day word ending right where a no begins (上午不行, 明天不得, 礼拜六不行).
_AFTER_A_TIME = re.compile(
    "(?:午|天|号|早上|晚上|礼拜[一二三四五六日天]|星期[一二三四五六日天]|周[一二三四五六日])$"
)


def _strong(hit: Hit) -> bool:
    return hit.exact and hit.size >= 2


#: Refusals that close an answer as done with (……上午就算了; not 来不了, a reason).
_DONE_WITH = frozenset(
    {"算了", "不要了", "不用了", "不去了", "不挂了", "不叫了", "不整了", "不消了"}
)


def _counts(text: str, hit: Hit) -> bool:
    """Does this hit answer the question, given where it sits in its clause?

    Phrases of three characters or more always count; two-character phrases count near the
    start of a clause or in a clause of up to six characters ("好久没有人打电话" is no "no");
    one-character and sound-alike hits count only at a clause start or in a short clause.
    """
    offset = hit.start - clause_start(text, hit.start)
    size = clause_len(text, hit.start)
    if hit.exact and hit.size >= 3:
        return True
    if hit.label == "no" and hit.exact and _AFTER_A_TIME.search(text, 0, hit.start):
        return True  # 星期六上午不行，下午嘛: the time offered refused, wherever it sits
    if hit.label == "no" and hit.exact and hit.end == len(text) and text[hit.start :] in _DONE_WITH:
        return True  # 九点我到不了那么早上午就算了: a refusal said last, as done with
    if hit.label == "no" and offset and text.startswith("不好", hit.start):
        return False  # 耳朵也不好了: how something is, not an answer (不好 alone is one)
    if _strong(hit):
        return offset <= _LEAD or size <= _MEDIUM_CLAUSE
    return offset == 0 or size <= _SHORT_CLAUSE


@cache
def _want() -> tuple[str, str, tuple[str, ...], frozenset[str]]:
    """(the word 要, characters it may end with, "still" words before it, objects after it)."""
    return (
        clean(str(data.load("yesno").get("want") or "要")),
        "".join(data.words("yesno", "want_tails")),
        tuple(clean(w) for w in data.words("yesno", "want_heads")),
        frozenset(clean(w) for w in data.words("yesno", "want_objects")),
    )


@cache
def _hurry_tails() -> tuple[str, ...]:
    return tuple(sorted((clean(w) for w in data.words("yesno", "hurry_tails")), key=len))[::-1]


@cache
def _other_matter() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("yesno", "other_matter")) if w)


#: (fifteenth round) 要去 / 要克 / 要到 + a place: where the caller is going, the purpose of
#: the car or the visit offered, not a request for something else.
_GOING = ("去", "克", "到")


def asks_for_something(text: str) -> bool:
    """Does the answer ask for something (要晚一点的, 还要等) rather than assent?

    ``text`` is the cleaned answer without the recogniser's spaces ("要 晚 一点" is one
    clause). 要 alone, with a tail (要得, 要的, 要了) or with the thing
    offered (要这个) assents; 不要 is a no; anything else after 要, or 还 / 还是 before it,
    is a request for something else.
    """
    want, tails, heads, objects = _want()
    start = text.find(want)
    while start >= 0:
        end = start + len(want)
        if not (start and text[start - 1] in _NEGATORS):
            head = text[clause_start(text, start) : start]
            stop = text.find(SEP, end)
            tail = text[end : len(text) if stop < 0 else stop]
            complete = tail[:1] in tails and tail[:1] != want
            tail = _COURTESY_TAIL.sub("", tail.lstrip(tails))
            while hurry := next((w for w in _hurry_tails() if tail.startswith(w)), ""):
                tail = tail.removeprefix(hurry)  # 要，快点，我等不得
            tail = _COURTESY_TAIL.sub("", tail)
            going = tail.startswith(_GOING)  # 要，我要克曲靖一院: where the car goes, no other ask
            asked = tail and not complete and not going and tail not in objects
            if head.endswith(heads) or asked:
                return True
        start = text.find(want, end)
    return False


@cache
def _question_tail() -> tuple[str, tuple[str, ...]]:
    raw = data.load("yesno")
    return clean(str(raw.get("question_tail") or "")), tuple(
        clean(w) for w in data.words("yesno", "not_question_before")
    )


def _is_tail_question(text: str) -> bool:
    """要钱不 / 去得了不: a Kunming question ending in 不, not a "no"."""
    tail, exceptions = _question_tail()
    if not tail or not text.endswith(tail) or len(text) < len(tail) + 2:
        return False
    if text[: -len(tail)].endswith(tail):  # 不不不 is a no said three times
        return False
    if text.startswith(tail):  # (seventeenth round) 不要不: a no said with a 不 after it
        return False
    return not text[: -len(tail)].endswith(exceptions)


@cache
def _conditionals() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("yesno", "conditional")) if w)


@cache
def _by_the_way() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("yesno", "by_the_way")) if w)


#: Words that turn a no into a question about another matter (不要，我想问问挂号咋个挂).
_ANOTHER_QUESTION = ("想问", "问下", "问一下", "问问", "对了")


#: 不要不要，我是问一下: "I was only asking": the no stands, no other question follows.
_ONLY_ASKING = re.compile(
    "(?:我|我就|我只)?(?:是|就是|只是)?问(?:一下|下|问|一哈|哈)(?:而已|嘛|的)?$"
)


#: 不用不用，我再问问奶奶: asking someone at home, not another question for us.
_ASKING_AT_HOME = f"问(?:问|一下|下)(?:我的?)?(?:{relatives()})"
_ASKING_SOMEONE = re.compile(_ASKING_AT_HOME)


def _asks_about_another(raw: str, text: str) -> bool:
    if (_ONLY_ASKING.search(text) or _ASKING_SOMEONE.search(text)) and not (
        "?" in raw or "？" in raw
    ):
        return False
    return "?" in raw or "？" in raw or any(w in text for w in _ANOTHER_QUESTION)


def _turns_elsewhere(raw: str, text: str) -> bool:
    """A question or another matter in the answer (好，我还想问下几点开门; 对了，我孙子…)."""
    if "?" in raw or "？" in raw or any(w in text for w in _other_matter()):
        return True
    for lead in _by_the_way():
        rest = text.removeprefix(lead)
        if rest is not text and len(rest.strip(SEP)) > 4 and not rest.strip(SEP).startswith(lead):
            return True
    return False


@cache
def _hesitations() -> tuple[str, ...]:
    return tuple(sorted(data.words("yesno", "trailing_hesitation"), key=len, reverse=True))


def _trails_off(text: str) -> bool:
    """嗯……这个嘛……: the answer's last clause is only a filler (dropped by the clean-up):
    still thinking. 就这个 / 要这个 ("this one") are answers. (Twenty-first round) So is a
    "but" or "she says" left unsaid, a sound or a sigh after it (就是……嗯……, 她说……)."""
    clauses = basic(text).split(SEP)
    while len(clauses) > 2 and clauses[-1] and set(clauses[-1]) <= _SIGHS:
        clauses.pop()  # (……就是……嗯……: the sound after the unsaid "but")
    last = clauses[-1].rstrip("嘛呢啊哦噢").lstrip("嗯呃啊哦噢")
    return last in _hesitations() or _ONLY_FILLERS.fullmatch(last) is not None


#: Sounds said after a word left unsaid (……就是……嗯……, 我觉得……唉).
_SIGHS = frozenset("嗯呃唉哎")


_NEGATIONS = "不莫别没"


#: (twenty-first round) A degree word between the negation and the yes (不太行, 不大对).
_NEGATED_BY_DEGREE = re.compile("不(?:太|大|怎么|很)$")


def _negated_assent(cleaned: str, hit: Hit) -> Hit:
    """不确认 / 莫确认: a negation right before a (two-character) yes phrase makes it a no;
    (fourteenth round) so does 没 before 好 (还没好: not ready); (twenty-first round) and a
    negation with a degree word before any yes (不太行, 不大对头)."""
    degree = _NEGATED_BY_DEGREE.search(cleaned, 0, hit.start) if hit.label == "yes" else None
    if degree and not cleaned.startswith("好意思", hit.start):  # (不太好意思: sorry)
        return Hit(degree.start(), hit.end, "no", hit.exact)
    if hit.label != "yes" or not hit.start or cleaned[hit.start - 1] not in _NEGATIONS:
        return hit
    if hit.size >= 2 or cleaned[hit.start - 1 : hit.end] == "没好":
        return Hit(hit.start - 1, hit.end, "no", hit.exact)
    return hit


def _answer_after_thinking(cleaned: str, hits: list[Hit]) -> str:
    """我想想……嗯，对的: thinking aloud in earlier clauses, then an answer in a clause of its
    own at the end: the answer counts (the last word counts). Otherwise unknown."""
    last = clause_start(cleaned, len(cleaned) - 1)
    if last == 0 or any(h.label == "unclear" and h.start >= last for h in hits):
        return "unknown"
    final = {h.label for h in hits if h.start >= last}
    return final.pop() if len(final) == 1 else "unknown"


#: 要？哦，要嘞 / 哪样？叫车？不叫不叫: a question said back, then the answer after it.
_ASKED_BACK_THEN = re.compile(
    r"^.*[?？][\s,，、.。…!！]*(?=\S)"
    # (seventeenth round) 你 问 我 噶 要 车 嘛: the Kunming 噶 ends the question said back
    r"|^.*(?<![的了呢嘞])[噶嘎]\s+(?=\S)"  # (not 对的噶 / 麻烦你了噶: a yes said warmly)
    # (eighteenth round) 阿 要 发 短 信 哦 莫 发: the Kunming 阿 / 格 opens the question said back
    r"|^\s*[阿格噶]\s*[要是](?:\s*[^\s哦嘛噶]){1,6}\s*[哦嘛噶]\s+(?=\S)"
)


#: 啥子 叫车 哦 要要要 / 哪样 取消 对对: the recogniser writes no question mark.
_ECHO_START = re.compile(
    r"^\s*(?:你\s*说\s*)?(?:啥\s*子|啥|哪\s*样|什\s*么)"
    r"(?:\s*(?:叫\s*车|挂\s*号|取\s*消|短\s*信|派\s*车|车|人\s*工))?"
    r"(?:\s*[哦嘛啊噻])?\s+(?=\S)"
    # 你是说明天那个号哈 对的: what was asked, said back to check, then the answer
    r"|^\s*你\s*是\s*说(?:\s*[^\s哈吗嘛啊噻？?]){1,12}\s*[哈吗嘛啊]\s+(?=\S)"
)
#: 要！我说要！你听到没得？ / 要嘛，还问哪样嘛: a question after the answer asks nothing new.
_CHECKING_TAIL = re.compile(
    r"[\s,，、.。!！]*(?:你听到没得?|听到没[有得]?|还问哪样嘛?|还问什么)[\s?？!！。]*$"
)


#: 我说错了 closing an answer that was corrected in it: a comment on the correction.
_SAID_WRONG_TAIL = re.compile(r"[\s,，、.。…!！]*(?:我|刚才)?(?:说|讲)错了[\s,，、.。…!！]*$")
_CORRECTED = re.compile(r"不是|不对")
#: 刚才没听清，要的要的 / 没听到 哦 对的: not having heard the question, then the answer.
_NOT_HEARD_THEN = re.compile(
    r"^.*?(?:没\s*听\s*清\s*楚?|没\s*听\s*[到见]|听\s*不\s*清\s*楚?)[\s,，、.。…!！]*(?=\S)"
)
#: 也可以也不可以 / 要也要不要也不要: both said, neither chosen.
_BOTH_WAYS = re.compile(r"也(\w{1,2})也不\1|(\w{1,2})也不?\2不\2也|^(是|对)也不\3")
#: 要嘛又怕太贵，不要嘛又走不动 / 开门就要，不开就算了: torn, or a yes and a no each on
#: its own condition.
_TORN = re.compile(
    r"要嘛.{1,12}?(?<!咋个)(?<!怎么)(?<!咋)不要嘛|就要.{0,6}?[不没].{0,6}?就(?:算了|不要)"
    # (seventeenth round) 取消嘛不取消嘛: torn between a cancel and none
    r"|(?P<v>取消|退|叫|转|发|挂)嘛不(?P=v)嘛"
    # 也不是说要也不是说不要 / 挂了又怕白跑，不挂又怕拖起 / 又想去又不想去
    r"|也不是.{0,6}?也不是|又怕.{1,14}?又怕|又想.{0,6}?又不想"
    # 去也得，不去也得 / 挂也行不挂也行: either way, left to us
    r"|(?P<e>\w{1,2})[…．.，,\s]*也(?:得|行|可以|要得)[，,\s]*不(?P=e)[…．.，,\s]*也(?:得|行|可以|要得)"
)
#: 是去人民医院嘛还是中医院: which of two, asked back.
_WHICH_OF_TWO = re.compile(
    r"是[^，,。？?]{2,10}?(?:嘛|吗|呢)?[，,\s]*还是(?!哪个|谁|哪位|啥子)[^，,。]{1,8}[？?]?$"
)  # (not 不是我自己还是哪个: "if not me, who")
_QUESTION_MARK = re.compile("[?？]")
#: 是他我就要 / 有专家就挂: a yes that hangs on a condition said at the end.
_ON_A_CONDITION = re.compile(
    r"(?:是|有)\w{1,5}?我?就(?:要|挂|叫|喊|去)$"
    # (sixteenth round) 贵了我就不要了 / 太远的话就不叫了: a no that hangs on a condition
    r"|(?:太|好)?(?:贵|远|晚|早|久|麻烦)了?(?:的话)?我?就(?:不要|不去|不叫|不挂|算了)了?$"
)
#: 他说挂就挂 / 我要问一下我儿子: the answer left to someone who has not given it.
_LEFT_TO_OTHERS = re.compile(
    _ASKING_AT_HOME + r"[子女]?(?:$|\|?(?:他|她)?(?:说|讲)(要|挂|叫|喊|去)就\1)"
    # (eleventh round) 我再跟我女儿商量一下: talked over with someone first
    rf"|(?:跟|和)(?:我的?)?(?:{relatives()})\w{{0,2}}?商量(?:一下|下|商量)?$"
    # (twentieth round) 莫问我 问我儿子克: "don't ask me", someone else answers
    r"|^(?:莫|别|不要)问我(?![们])"
)
#: 我想下 / 我再想想 / 还没想好: still deciding, said as the last words.
_THINKING_LAST = re.compile(
    r"(?:我)?(?:再)?(?:想下|想一下|想想|想一哈|考虑一下|考虑下|没想好|还没想好)$"
    # (sixteenth round) 看哈再说 / 到时候再说: not answered yet
    r"|(?:看|看看|看一下|到时候|过后|回头)再说(?:吧|嘛)?$"
)
#: A yes followed by what it would change (好嘛，就是晚一点来接): no plain yes. (不过 alone is
#: not: 要嘛，不过叫司机开到楼底下来 is a yes with a detail.)
_CHANGED_AFTER = re.compile(
    "晚一点|晚点|晚些|早一点|早些|换个|换一|改成|改到|别的|另外"
    # (seventeenth round) 等我吃完早饭再叫: not now, later
    "|再(?:叫|喊|挂|约|发)"
    # (seventeenth round) 是下周三，不过是下午哈: the half-day put right after "but"
    "|(?:但是|可是|不过)是?(?:上午|下午|早上|晚上)"
    # (eleventh round) a yes, but another half-day or time wanted (要得 但是我想挂下午的)
    # (thirteenth round: 不过挂下午的, the verb without 想 / 要)
    "|(?:(?:但是|可是|不过|就是)我?(?:想|要)(?:挂|约|叫|换|改)?|(?:但是|可是|不过)(?:挂|约|叫|换|改))"
    "\\w{0,3}?(?:上午|下午|早上|晚上|明天|后天|(?<!快)点)"  # (要快点: a hurry, no change)
    # (thirteenth round) a yes, but call or message someone else (不过……到时候你们打我电话嘛)
    "|(?:但是|可是|不过)[^，,。]{0,12}?(?:打我|打给我|发给我|发我|找我)"
)
#: 就是莫太早 / 不要太晚了: how it should be, not a refusal: a change asked for (later,
#: earlier), which the yes then carries (`_CHANGED_AFTER`).
_NOT_TOO = re.compile("(?:不要|别|莫|不能)(?:太|那么|这么)(?P<when>早|晚|迟)")
#: 就是不要的意思: 就是 ("that is") before a no is no yes.
_THAT_IS_NO = re.compile("就是(?=不|没|莫|别)")


#: 她说要 / 我妈说不去了 / 妈，问你挂不挂……她说挂嘛: the answer of someone in the room,
#: passed on: what follows the last "(she) says" is the answer.
_SPEAKER = re.compile(
    f"(?:我|{relatives(gaps=True)})"
    "\\s*(?:都|也|就|在\\s*旁\\s*边|在\\s*边\\s*上)?"
    # 我也说不好 is "I can't say", 我说错了 "I said it wrong", 我说的那个 "the one I said":
    # nobody quoted
    "\\s*[说讲](?!\\s*(?:不\\s*[好清准出来上]|错|的))\\s*"
)


def _passed_on(text: str) -> str | None:
    """The answer of an answer passed on (她说要; 我老婆说要，她说我腿走不动): the yes or no of
    what each person is said to say; "unknown" when one says yes and another no (孙女说不要，
    我说要); None when nobody is quoted or no one's words answer."""
    found = list(_SPEAKER.finditer(text))
    if not found:
        return None
    overruled = _OVERRULED.search(text)
    if overruled and (after := parse_yesno(text[overruled.end() :])) != "unknown":
        return after  # 他说不要，莫听他的……叫！: the caller overrules the one quoted
    ends = [m.start() for m in found[1:]] + [len(text)]
    each = [
        (m.group(0).lstrip().startswith("我"), text[m.end() : end])
        for m, end in zip(found, ends, strict=True)
    ]
    before = text[: found[0].start()]  # the caller's own words before anyone is quoted
    own_first = "unknown" if not before or _UNNEGATED_YES.search(before) else parse_yesno(before)
    last_words = each[-1][1].lstrip()
    lead = next((w for w in _MIND_CHANGED if last_words.startswith(w)), "")
    if lead and (final := parse_yesno(last_words.removeprefix(lead))) != "unknown":
        return final  # (seventeenth round) 爷爷说不要……他说那就要吧: the mind changed, last
    said = {parse_yesno(words) for _, words in each}
    said.discard("unknown")
    own = [words for mine, words in each if mine]
    told = _TOLD_TO_DO_IT.search(own[-1]) if own else None
    if told and (decided := parse_yesno(own[-1][: told.end()])) != "unknown":
        return decided  # 我儿子讲不消发，我说要发，你就发嘛: the caller decides
    if own_first == "no" and "yes" in said and not _DECIDED.search(text):
        return "unknown"  # (seventeenth round) 不要转人工，我奶奶说就这样挺好的: no clean yes
    if len(said) == 1:
        return said.pop()
    return "unknown" if said else None


#: 最后说 / 后来她又讲: what someone said in the end, after changing their mind.
_FINALLY_SAID = re.compile(
    "(?:最后|后来|最终|结果)(?:他|她|我)?(?:还是|又)?(?:说|讲)|(?<=[，,。.…!！])(?:他|她)又(?:说|讲)"
)
#: 那就要吧 / 那还是不去了: the one quoted last settles it after talk.
_MIND_CHANGED = ("那就", "那还是", "还是", "那么就")
#: 莫听他的 / 别听她的 / 不要听他们的: the caller overrules the one quoted before.
_OVERRULED = re.compile(
    r"(?:莫|别|不要|甭)\s*(?:听|管)\s*(?:他|她)(?:们)?\s*(?:的|说)?[^，,。.！!？?]*[，,。.！!？?\s]+"
    # (seventeenth round) 爹你莫犟了，要呢: the one quoted told not to be stubborn
    r"|你\s*(?:莫|别|不要)\s*犟\s*(?:了|嘛)?[，,。.！!？?\s]+"
)
#: ……，你就发嘛 / 你们就叫嘛: the caller tells the hotline to do it.
_TOLD_TO_DO_IT = re.compile(r"[，,\s]\s*(?:你|你们)\s*就\s*(?:叫|喊|挂|发|转|约|取消)\s*[嘛吧撒噻]")


#: 那就要嘛 / 算了算了，听他的，要 / 我说错了，要: the answer decided at the end.
_DECIDED = re.compile(
    r"(?:那就|那么就|那还是|还是|算了算了|听他的|听她的|说错了|那(?![个些样边里点]))[\s,，、.。…!！—-]*"
    r"(?P<rest>[^\s,，、.。…!！?？—-](?:\s*[^\s,，、.。…!！?？—-]){0,4})[\s,，。.！!…~]*"
    # a courtesy may close it (还是要的，麻烦了; 还是算了吧，不好意思啊)
    r"(?:(?:麻烦了|麻烦你了|谢谢你|谢谢|不好意思|对不起)[啊哦嘛呀哈]?[\s,，。.！!…~]*)?$"
)
#: What follows 说错了 when it puts a detail right (是西站那边), not a yes (是的, 是要的).
_PUT_RIGHT_TO = re.compile(r"是\s*(?![的呢嘞啊哦嘛要对\s]|$)")
_REFUSED_BEFORE = re.compile(r"不\s*[对是]")
#: (seventeenth round) 还是转吧 / 还是要车 / 还是要的: the offer taken after all, said as a clause
#: of its own; a reason may follow (还是要车，走路太远了).
_STILL_TAKEN = re.compile(
    r"(?:^|(?<=[，,。.…!！])|(?<=不要)|(?<=不用)|(?<=不消))(?:嗯|哦|那|算了|哎)*还[是四](?:要(?:的|得|嘛|吧|呢|嘞|车|一个)?"
    r"|(?:要)?(?:转|叫|喊|发|来接|接|来|挂|确认)(?:一个|一辆|个车|人工|一下)?(?:给(?:我|他|她)\w{0,3}?)?[吧嘛]?)"
    r"(?=[，,。.…!！]|$|我|你|他|她)"  # (a pronoun opens the next clause where no pause is written)
)
#: ... after a no or a doubt, with no no after it (走不得 / 走不动 are reasons, not a no).
_NO_AFTER_TAKEN = re.compile("不要|不用|不消|算了|不(?:叫|转|喊|发|挂)|莫|别")
_NO_OR_DOUBT = re.compile("不|没|算|想|考虑|还是")


def _changed_mind_to_yes(joined: str) -> bool:
    """不用……嗯，还是转吧，转人工稳妥一些 / 我考虑了一下，还是要的: a no or a doubt first, then
    the offer taken after all."""
    taken = list(_STILL_TAKEN.finditer(joined))
    if not taken:
        return False
    last = taken[-1]
    return bool(_NO_OR_DOUBT.search(joined, 0, last.start())) and not _NO_AFTER_TAKEN.search(
        joined, last.end()
    )


#: Words of an answer still being weighed, or passed on, before the last clause.
_WEIGHING = re.compile(
    "想哈|想一下|想想|考虑|不晓得|不知道|问下|问一下|说错了|搞错了|还是|算了|听他|听她|说|觉得"
    "|等一下|等哈|等等"
)
_CLAUSE_ENDS = re.compile(r"[，,。.！!？?…—~]+")


#: (eighteenth round) 确认吧，唉等等，还是不要确认了: a yes first, then the offer given up
#: after all, as a clause of its own (a reason may follow).
_STILL_REFUSED = re.compile(
    r"(?:^|(?<=[，,。.…!！]))(?:嗯|哦|唉|哎|那)*还[是四](?:不要|不用|不消|算了|莫|别"
    r"|不(?:叫|转|喊|发|挂|去|确认))"
)
_YES_BEFORE = re.compile("要|好|可以|确认|行|对|是")
_EITHER_BEFORE = re.compile(r"是要[…，,。.\s]*$")


def _changed_mind_to_no(joined: str) -> bool:
    refused = list(_STILL_REFUSED.finditer(joined))
    if not refused:
        return False
    last = refused[-1]
    if _EITHER_BEFORE.search(joined, 0, last.start()):
        return False  # 是要……还是不要嘛: the two asked about, not a mind changed
    return bool(_YES_BEFORE.search(joined, 0, last.start())) and not _STILL_TAKEN.search(
        joined, last.end()
    )


def _decided_last(text: str) -> str | None:
    """The last word counts: an answer said at the very end, after 那就 / 还是 / 算了 /
    我说错了 following other words (还是要 alone still wants something), or as a clause of
    its own after weighing it up or passing on what others say (是要……还是不要嘛……我想
    哈……要！)."""
    decided = _DECIDED.search(text)
    weighed = decided is not None and text[: decided.start()].strip(" ,，、.。…!！—-")
    if decided and weighed and decided[0].startswith("说错了") and _PUT_RIGHT_TO.match(
        decided["rest"]
    ):
        # (twenty-second round) 不对，我刚才说错了，是西站那边: what is said after the slip puts
        # the detail right, no yes
        return "no" if _REFUSED_BEFORE.search(text, 0, decided.start()) else None
    if decided and weighed and (said := parse_yesno(decided["rest"])) != "unknown":
        return said
    if _changed_mind_to_yes(_SPACES.sub("", text)):
        return "yes"
    if _changed_mind_to_no(_SPACES.sub("", text)):
        return "no"
    clauses = [c for c in _CLAUSE_ENDS.split(text) if c.strip()]
    if len(clauses) < 2 or not _WEIGHING.search("".join(clauses[:-1])):
        return None
    last = clean(_SPACES.sub("", clauses[-1]))
    hits = [h for h in matcher().hits(last) if h.label in ("yes", "no")]
    if not last or len(last) > _LAST_WORD or sum(h.size for h in hits) < len(last):
        return None  # not an answer word and nothing else (是十点 is no plain yes)
    said = parse_yesno(clauses[-1])
    return said if said != "unknown" else None


#: 要……哦不对，不要，我刚才听错了，以为你问…: the explanation of a mishearing after the answer.
_MISHEARD_TAIL = re.compile(
    r"[，,。.！!\s]*我?(?:刚刚|刚才)?(?:听岔了|听错了|听差了|听成了|以为你)[^？?]*$"
    # (thirteenth round) 是需要的，刚才我没听清楚: the answer before was misheard, this one stands
    r"|[，,。.！!\s]*刚\s*[刚才]\s*我?\s*没\s*听\s*(?:清\s*楚?|到|见|懂)[\s，,。.！!…]*$"
)
#: 不要……哦，我听错了，要的要的: a mishearing owned, then the answer to what was asked.
_MISHEARD_THEN = re.compile(
    r"^.*?(?<!你)听\s*(?:错|岔|差)\s*了[\s,，、.。…!！]*(?=(?:要|不要|好|对|是的|可以|不用|算了)"
    r"[\s,，、.。…!！的嘛呢啊哦]*(?:$|要|好|对|是的|可以|不要|不用|叫|挂|喊|发|派|转))"
)
#: 你听清楚没得？/ 你听不到么 / 你是不是念反了: whether the caller was heard or the detail
#: read right, said after the answer.
_HEARD_ME_TAIL = re.compile(
    r"[，,。.！!\s]*你\s*是\s*不\s*是\s*(?:念|说|听|记|搞|弄)\s*(?:反|错|岔)\s*了\s*[？?吗]*\s*$|"
    r"[，,。.！!\s]*你?\s*(?:听\s*清\s*楚?|听\s*[到见着])\s*(?:了)?\s*没\s*(?:有|得)?\s*[？?吗么嘛噶]*\s*$"
    r"|[，,。.！!\s]*你?\s*听\s*不\s*(?:到|见|清楚?|着|懂)\s*(?:人话)?\s*(?:么|吗|嘛|噶)\s*[？?]*\s*$"
)
#: 他们还在争 / 还没定: the people asked have not settled it yet.
_STILL_ARGUING = re.compile("还在(?:争|吵|商量|扯)|还没(?:定|商量好|说好)")
#: 算了不管了，挂嘛: "never mind (my doubts)", then the answer; not the 算了 of a no.
_DOUBTS_DROPPED = re.compile(r"算了[\s,，]*不管(?:了|它|他)[\s,，。.]*(?=\S)")
#: 不要了，哦等哈，要嘛，我还是要去: "I still want to go" settles it (要去 alone is no answer).
_STILL_WANTED = re.compile(r"还是要(?=去|克|挂|叫|喊|看|约)")
#: 本来是要的嘛，……所以不要了: what was wanted before, taken back after.
_ONCE_WANTED = re.compile(r"^\s*我?本来(?:是)?(?:要|想)[的了]?(?:嘛|的嘛)?[，,\s]+(?=\S)")
#: 我说的是不要不是要: the first said counts, the second is what it is not.
_THIS_NOT_THAT = re.compile(r"(不要|要)\s*不\s*是\s*(?:不要|要)")
#: A no after a concession (好是好，但是我不要).
_NO_AFTER_ALL = re.compile(
    r"(?:但是|不过|可是|就是)\w{0,4}?(?:不要|不用|不挂|不叫|不去|不消|莫派|别派|不要派|先别|先莫)"
    # (seventeenth round) 要是要的嘛，哎算了算了，不叫了: the concession given up
    r"|算了\w{0,4}?(?:不要|不用|不挂|不叫|不去|不消)"
)
#: 嗯，那个，我腰杆疼: a hum followed by a filler is thinking aloud, no yes.
_HESITATING_HUM = re.compile(r"^\s*[嗯呃]+[\s,，、.。…]*(?=那个|这个|呃)")
#: 当然要咯，不然我咋个去？("or else how would I go"): the reason given for a yes asks nothing.
_OR_ELSE_HOW = re.compile(
    r"[，,。.\s]*(?:不然|要不然|不这样)\s*\w{0,4}?(?:咋个|咋|怎么|哪样)\w{0,4}?[?？!！。.]*\s*$"
    # (eleventh round) the reason in full (还是要，不然我自己搭公交车又要转两趟)
    r"|(?<=[要好得行])[，,。.\s]+(?:不然|要不然)[^，,。.？?]{4,}[。.！!]*\s*$"
)


#: (fourteenth round) The answer to "要取消吗？": the cancel said back as the answer is a
#: yes (取消掉，不克了; 对，取消; 要取消要取消), its reasons of not going included; the last
#: cancel said negated is a no (取消……哎莫莫莫，不取消; 取消做啥子，不取消).
_CANCEL = "(?:取消|退掉|退了|退(?=[，,。.！!]|$))"  # (seventeenth round: 退 said alone)
_CANCEL_ECHOED = re.compile(
    f"^[啊哦嗯噢]*(?:你说|是)?要?{_CANCEL}(?:吗|哈|噶|啊)?[?？]+"
    f"|^(?:啥子|哪样|什么){_CANCEL}(?:吗|哈|噶|啊)?[?？]*"  # 啥子 取消 对对 (no question mark)
)
_CANCEL_SAID = re.compile(
    f"^(?:(?:[啊哦嗯噢好对是要]|对的|好的|是的|是嘞|是呢|对呢|要得|要的|同意|当然|那就|算了|算喽)"
    f"[,，、.。…!！]*)*"
    f"{_CANCEL}(?!的话|了还|了我|了咋|哪|啥|什么)"
)
_NEGATION_ENDS = ("不要", "不用", "不消", "不", "莫", "别")  # what may negate a cancel
_CANCEL_NEGATED = re.compile(f"(?:{'|'.join(_NEGATION_ENDS)}){_CANCEL}")
#: 取消，不要了 answers an offer (no car wanted) as often as a cancel question: a no,
#: unless a yes opens it (对，取消掉，不要了).
_NOT_WANTED_EITHER = re.compile(f"^{_CANCEL}\\w*?不要")
_CANCEL_REFUSED = re.compile(_CANCEL + _MY_FOOT)
_CANCEL_ASKED = re.compile("[?？吗]|哪|啥|什么|咋|怎么|多久|几|扣钱|要钱|不$")


#: (nineteenth round) The booking kept, said after the cancel (…不对不对，先留着).
_KEPT_AFTER = re.compile("先留着|留着吧|留着嘛|还是留着|给我留着")
#: (nineteenth round) A cancel told of the past (上回取消了再挂又挂不到): no answer.
_CANCEL_BEFORE = re.compile(
    f"(?:上回|上次|以前|那回|那次|去年|前回)[^，,。.？?！!]{{0,4}}{_CANCEL}[^，,。.？?！!]*"
)


def _cancel_answered(joined: str) -> str | None:
    """yes / no for an answer that names the cancel itself, None for any other answer."""
    body = _CANCEL_ECHOED.sub("", _CANCEL_BEFORE.sub("", joined))
    said = list(re.finditer(_CANCEL, body))
    if not said:
        return None
    if _CANCEL_REFUSED.search(body):
        return "no"  # (seventeenth round) 取消个锤子: "cancel my foot"
    last = said[-1]
    if _KEPT_AFTER.search(body, last.end()):
        return "no"  # 要取消，不对不对，先留着: the booking kept after all
    taken = body[: last.start()].endswith(("还是", "还是要"))
    if taken and not _CANCEL_ASKED.search(body, last.end()):
        return "yes"  # (seventeenth round) 不用退……哦不，还是退了吧: the cancel taken after all
    if body[: last.start()].endswith(_NEGATION_ENDS):
        return "no" if not _CANCEL_ASKED.search(body, last.end()) else None
    if _CANCEL_NEGATED.search(body) or _CANCEL_ASKED.search(body) or _CONCESSION.search(body):
        return None  # (取消也可以，就是…: a concession, see _CONCESSION)
    if _NOT_WANTED_EITHER.match(body):
        return None
    return "yes" if _CANCEL_SAID.match(body) else None


#: (fourteenth round) A detail read back and put right: 不是我，是我家老倌 / 是我妈……哦不是，
#: 是我婆婆 / 一三八 不是一三八嘛 是一五八 / 上午？我说的是下午嘛: the caller names another
#: value - a no, unless a yes opens the answer (对，不是他，是我) or the value put right is
#: only a yes (不是不是，是的; 不是不要，是要) or the 不是 asks (不是我还是哪个). 是给我挂，
#: 不是给我老倌 puts nothing right (the detail asked, then what it is not).
_VALUE = r"(?![的滴呢嘞啊哦嘛喽了呀噻]|对|要|好|可以|行)\w"
_PUT_RIGHT = re.compile(
    r"(?<!咋个)(?<!怎么)(?<!咋)不\s*是(?!\s*不)(?![^，,。.？?！!…]{0,5}还\s*是\s*哪)"
    r"(?:\s*[^\s，,。.？?！!…吗]){0,6}?\s*[嘛吗]?[\s，,。.…!！]*"
    r"(?:[哦噢]\s*[\s，,。.…!！]*)?(?:不\s*对\s*[\s，,。.…!！]*)?"
    # (seventeenth round) "listen to me", or who said it, before the value (不是不是，你听我
    # 说，是我家老倌 / 不是下周二，爷爷说是这周二)
    r"(?:你\s*听\s*我\s*(?:说|讲)\s*[\s，,。.…!！]*)?"
    + f"(?:(?:他|她|{relatives(gaps=True)})\\s*(?:说|讲)\\s*)?"
    + r"(?:我\s*)?(?:就\s*)?是\s*(?!说)" + _VALUE
    + r"|我\s*(?:说|讲)\s*的\s*是\s*" + _VALUE
    # (seventeenth round) "where did I say X", then the value (我哪有说明天，是明天的明天)
    + r"|哪\s*(?:有|个|里)?\s*(?:说|讲)\s*(?:过)?\s*[^，,。.？?！!…]{1,8}[，,。.…!！\s]*"
    + r"(?:我\s*说\s*的\s*)?是\s*" + _VALUE
    # (seventeenth round) 不对不对，后四位是五六七八: "wrong", then the part and its value
    + r"|^不\s*对(?:\s*不\s*对)*[，,。.…!！\s]+[^，,。.？?！!…]{0,8}?是\s*" + _VALUE
    # (fifteenth round) 周五上午 哦不对 是周五下午: a value, then put right
    + r"|^[^，,。.！!？?…]{2,12}?\s*[哦噢]\s*不\s*对\s*(?:不\s*对\s*)?[，,\s]*是\s*" + _VALUE
)
_OPENS_WITH_YES = re.compile(r"^\s*(?:对|好|行|可以|要得?|嗯|是的|是滴|是呢|是嘞|是要|没错)")


def _put_right(text: str) -> bool:
    """Does the answer put a detail read back right by naming another value?"""
    return _OPENS_WITH_YES.match(text) is None and _PUT_RIGHT.search(text) is not None


def _after_asking_back(text: str) -> str:
    """The words after the last question said back, after "I didn't hear", or after the
    last "(she) says" of an answer passed on, when an answer follows it (and without a
    check that the answer was heard after it)."""
    text = _CHECKING_TAIL.sub("", text) or text
    if _CORRECTED.search(text):  # 不要，哦不是，要，要，我说错了: the correction commented on
        text = _SAID_WRONG_TAIL.sub("", text) or text
    text = _NOT_HEARD_THEN.sub("", text) or text
    rest = _ECHO_START.sub("", _ASKED_BACK_THEN.sub("", text))
    return rest if rest != text and rest.strip() else text


def _left_to_others(cleaned: str) -> bool:
    """我要问一下我儿子，他说挂就挂: the answer left to someone at home, not yet given; a no
    said before it stands (不用不用，我再问问奶奶: docs, `_asks_about_another`)."""
    left = _LEFT_TO_OTHERS.search(cleaned)
    return left is not None and not any(
        h.label == "no" for h in matcher().hits(cleaned[: left.start()])
    )


def yesno_question(text: str) -> str | None:
    """The follow-up for a yes/no answer that gave none: ``"ask_family"`` when it is left to
    someone at home who has not answered yet (我要问一下我儿子，他说挂就挂; 我再跟我女儿商量一下),
    so the flow can say it will wait instead of "not understood"."""
    # (parse_yesno answers "unknown" to every such answer: it asks `_left_to_others` first)
    return "ask_family" if _left_to_others(clean(_SPACES.sub("", text))) else None


def _answers_put_as_questions(text: str, joined: str) -> str:
    """我不是说了要嘛？你还问 / 我还要叫车做哪样？我姑娘都到门口了 / 不 是 不 要 车: answers,
    not questions back, rewritten as the answer they give before anything is cut at a
    question mark (``joined``: the text without the recogniser's gaps)."""
    if _ALREADY_SAID.search(joined) or _RHETORICAL_REFUSAL.search(joined):
        text = _RHETORICAL_REFUSAL.sub("不要，", _ALREADY_SAID.sub(r"\1，", joined))
    if " " in text.strip() and _RHETORICAL_WANT.search(joined) and not _QUESTION_MARK.search(text):
        text = _RHETORICAL_WANT.sub("要，", joined)
    return text


#: (fifteenth round) 是给我母亲挂号吗 / 是要取消吗？ / 是下周三上午嘎: the question, or the
#: detail read back, asked back in one breath with nothing else said - not answered yet.
_ONE_QUESTION = re.compile(r"^[^，,。.！!；;…？?]*吗[\s？?。.]*$")
_CHECKED_BACK = re.compile(
    r"^是(?![的滴呢嘞啊哦嘛喽呀噻])\w{3,}[噶嘎][？?。.]*$"
    r"|^[嘎噶]是"  # 嘎是十五号: 格是 ("is it ...?") as the recogniser writes it
)
#: (fifteenth round) 不是 哦 是是 / 不要……哦不对不对，要的要的: a no, 哦, (a doubled no taking
#: it back,) then yes words: the no was a slip (不是我，哦，是我老伴 puts a detail right).
_SLIP_TO_YES = re.compile(
    r"^(?:[哦噢嗯啊][，,、.。…!！]*)?不(?:对|是|要)(?:不(?:对|是|要))?[，,、.。…!！]*"
    r"[哦噢喔哎唉诶欸][，,、.。…!！]*"
    r"(?:不对不对|不是不是|搞错了|说错了|听错了|听岔了)?[，,、.。…!！]*"
    # not 要去 (another matter), nor 是六三三幺 (the digits put right)
    r"(?:是的|是是|对的|要的|对对|要要|是|对|要)+(?![去克来走]|\s*[零一二三四五六七八九十幺拐两洞\d])"
)
_NEGATING = re.compile(f"[{_NEGATORS}莫]")
#: (seventeenth round) Said about the call, not the answer, when a yes is said with it: "you
#: can't hear me?" (你咋个听不见, 你听不见嗦), "stop asking" (你莫一直问了, 刚才问过了咋个又
#: 问), "speak up" (你讲大声点), "I'm hard of hearing" (我耳朵背), "I heard you" (我听到了).
_HEARING_COMPLAINT = re.compile(
    r"你\s*们?\s*(?:这\s*个\s*机\s*器)?\s*(?:咋\s*个|怎\s*么|咋)?\s*(?:还\s*)?"
    r"听\s*不\s*(?:见|到|清\s*楚?|懂)\s*(?:人\s*话)?\s*(?:嗦|吗|么|嘛|啊|哦)?\s*[？?]?"
    r"|(?:你\s*们?\s*)?(?:莫|别|不\s*要)\s*(?:一\s*直|再|老\s*是)\s*问\s*了?"
    r"|(?:你\s*们?\s*)?(?:刚\s*才|已\s*经)\s*问\s*过\s*(?:我\s*)?了\s*(?:咋\s*个|怎\s*么)?\s*(?:又|还)\s*问\s*[？?]?"
    r"|(?:你\s*)?(?:讲|说)\s*大\s*声\s*(?:一\s*)?(?:点|些)"
    r"|我\s*耳\s*朵\s*(?:背|不\s*好|聋)\s*(?:得\s*很)?"
    r"|我\s*听\s*(?:到|见|清\s*楚)\s*了"
    r"|(?:我\s*)?(?:都\s*|已\s*经\s*)?(?:说|讲|打)\s*了\s*(?:好\s*多|几|两|三|四|五|\d)\s*遍\s*了?"
    r"|(?:咋\s*个|怎\s*么)\s*又\s*问\s*(?:一\s*遍)?\s*(?:嘛|啊)?"
    r"|我?\s*听\s*不\s*(?:清\s*楚?|懂|到|见)\s*(?:你\s*们?\s*)?(?:这\s*个\s*)?机\s*器\s*(?:讲|说)?\s*(?:的|话)?"
)
_COUGH = re.compile(r"(?:咳\s*){2,}(?!嗽)")
#: (seventeenth round) 妈，你坐好 / 妈 不是叫你 你坐着: said to someone in the room, not to us.
_ASIDE = re.compile(
    rf"(?:^|(?<=[\s，,。]))(?:{relatives(gaps=True)})\s*[，,]?\s*"
    r"(?:不\s*是\s*(?:叫|喊|说|问)\s*你\s*[，,]?\s*)?"
    r"你\s*(?:坐\s*好|坐\s*着|坐\s*到|莫\s*动|别\s*动|莫\s*吵|别\s*吵|等\s*一?\s*下|等\s*哈)"
)
#: A yes word not negated (要 in 不要 is none).
_UNNEGATED_YES = re.compile("(?<![不没莫别])(?:要|是|对|好|可以|行)")
#: A yes word anywhere (for the complaint above to be said with an answer).
_ANY_YES_WORD = re.compile("要|是|对|好|可以|行")
#: (seventeenth round) 不是给别人，是给我自己 / 不是别人，就是我: "not anyone else" then the
#: caller named: the detail "for yourself?" confirmed.
_NOT_OTHERS_BUT_ME = re.compile(
    r"^(?:[嗯哦啊][，,。.…]*)?不是(?:给|帮|替)?(?:别人|别个|其他人|人家|哪个)(?:的)?[，,。.…!！]*"
    r"(?:就|而)?是(?:给|帮|替)?(?:我|我自己|我本人|本人)(?:自己)?(?:[挂叫喊约看去]\w{0,2})?[的嘛噻呢嘞哈]*[。.!！]*$"
)
#: (fifteenth round) 嗯嗯，你说 / 嗯嗯 啊 哪样 / 嗯 不 嗯: a listener's hum, then "go on" or
#: "what?", or a 不 hummed between two: no answer yet.
_HUMMED_ONLY = re.compile(
    r"^[嗯啊哦呃噢]+[，,。.…]*(?:那个|这个)*[，,。.…]*"
    r"(?:(?:你说|你讲|哪样|啥子|什么)+|不[，,。.…]*[嗯呃]+)[？?。.…]*$"
    r"|^(?:[嗯呃]+(?:…+|\.{2,}))+$"  # 嗯……嗯……: still thinking
)
#: (fifteenth round) 是给我自己挂嘞，不是给别个: the detail confirmed, then what it is not
#: (nothing put right: no 是 after the 不是, no slip owned).
_SO_AND_NOT_OTHER = re.compile(
    r"^是(?![不，,。.！!？?…\s])[^，,。.！!？?…]{1,10}[，,。.！!\s]+不是(?!不)"
    r"(?![^是]*(?:错|不对))[^是？?]*$"
)
#: (fifteenth round) The verb of the offer said back to open the answer: alone before a
#: pause, doubled, or with a particle, its object or "at once" (转嘛转嘛 / 发，发，发给我姑娘 /
#: 下来喽 / 要转 要转 / 叫叫叫，快点叫 / 马上下来 / 喊个车来嘛).
_OFFER_VERB_SAID = re.compile(
    r"(?:车子?)?(?P<lead>(?:要|就|那就|快点|马上|这就|我这就|我马上|现在就|我现在就)?)我?(?P<you>你们|你)?"
    r"(?:麻烦你|麻烦您|请你)?(?:帮我|给我)?"
    r"(?P<verb>转|赚|发|下来|下去|下克|下(?=[，,。.！!]|$)|叫|喊|整|挂(?!给)|约"
    # (eighteenth round) 要去要去 / 改嘛改嘛 / 退嘛: going, moving or giving up, said back
    r"|去|克|改|退)"
    r"(?P<object>个?人工|个?人公|个?人攻|个?银工|个?短信|个?短讯|个?短线|个?短心|个?短新|个?车子?来?|来|过来|一个|一辆|一张|上"
    r"|给(?:我|他|她))?"
    r"(?P<particle>(?:(?<=发)的)?[了喽嘞勒嘛吧撒哈咯哦噻呢]*)"
    # (要车 要车: the car offered, said back twice)
    r"|(?P<car>要车)"
    # (sixteenth round) 人工嘛 / 要人工: the person offered, asked for
    r"|(?P<staff>(?:要|找|转)?个?人工(?=[嘛吧撒噻呢哦啊]|$))"
    # (seventeenth round) 要人 要人 讲话: a person to talk to, asked for
    r"|(?P<person>(?:要|找)个?(?:人|真人|活人)(?=要|找|讲|说|接|来|[嘛吧撒噻呢，,。.]|$))"
)
#: (eighteenth round) Verbs said back that count only with a particle, 要 or said twice.
_LOOSE_VERBS = frozenset({"去", "克", "改", "退"})
#: What may open the answer before the verb: hums, a plain 要, or the offer asked back (叫车噶,
#: 下来？现在下来？).
_OPENING_FILLER = re.compile(
    r"(?:嗯呐|嗯哪|恩那|嗯呢|的呢|得呢|嗯|呃|喂|哦|啊|要得|要嘞|要勒|要的|是的|好的|对的|好嘛|对嘛|要[嘛吧](?=转|发|叫|喊)|要(?!车|人)|[，,。.！!…、？?]|谢谢(?:你们|你|您)?"
    # (sixteenth round) "no problem, go ahead" (没得事，发给她嘛 / 不要紧，喊嘛)
    r"|没有事|没得事|没的事|莫得事|没事|没有问题|没问题|没得问题|没的问题|不要紧|不碍事|可以|可以嘛"
    r"|你说哪样|你说啥|啥子|哪样"
    r"|(?:叫车|喊车|挂号|现在下来|下来|转人工|发短信)(?:[噶嘎吗][？?]?|[？?]))*"
)
#: What undoes the verb said back, or asks instead: a verb negated, a cancel, "never mind",
#: a question, or the answer still being thought over.
_VERB_UNDONE = re.compile(
    "(?<![讲说听看])[不没莫别甭](?:要|转|发|下|叫|喊|挂|用|消|去|克|来|了|退|改)|算了|取消|还是|吗|[?？]"
    "|哪|啥|什么|咋|几|多少|多久|好久|等一下|等下|等哈|等一哈|等我|想想|想一下|再说"
    "|但是|不过|就是|找不|[噶嘎]"  # 叫车噶: checking what was asked
    "|不对|不[？?。.]*$"  # 挂得成不: a Kunming question
)


#: What undoes a transfer said back: only a no, a cancel or a wait (questions are for the person).
_TRANSFER_UNDONE = re.compile(
    "(?<![讲说听看])[不没莫别甭](?:要|转|用|消|了)|算了|取消|还是|等一下|等下|等哈|等一哈|想想|想一下|再说"
)
#: (sixteenth round) Not ready yet, asked to come down or whether they are at the door: 还没得，
#: 我还在吃饭 / 现在还下不来 / 还在屋头 (not 还没想好: still deciding); (seventeenth round) at
#: the start of any clause (实事求是地讲，我还没出来; 下来哪样，……我还在屋头), 出来 heard as 粗来,
#: not yet arrived or in place (还没走拢, 还没到位), not had the time (没来得及还没出门).
_NOT_READY = re.compile(
    r"(?:^|(?<=[，,。.…!！；;？?]))(?:[嗯哦啊哎呀唉]+[，,。.…!！]*)?(?:莫得|没得|没有)?[，,。.…!！]*"
    r"(?:我们|我|人)?(?:现在)?(?:没来得及|来不及)?(?:(?:没有|没得|没的|没)"
    r"(?=下来|出来|粗来|出门|下楼|好(?=[，,。.…!！呢]|$|等)|准备好|收拾好)|还(?:(?:没有|没得|没的|没)"
    r"(?=[，,。.…!！呢]|$|还没|下|出|粗|好|到|准备|收拾|穿|弄|走)"
    r"|在(?:家|屋里|屋头|楼上|楼梯|吃饭|换衣服|穿衣服|收拾|洗澡|睡觉|穿鞋|上厕所|锁门"
    # (seventeenth round) still anywhere but at the door (还在茶厂里头称茶)
    r"|(?!门口|楼下|路边|大门|等|这里等|那里等|外头等)\w{0,6}?(?:里头|里面|里边|地头|田头|山上))"
    r"|下不来|出不来|走不开))(?!想|定|决定|商量|考虑|问|说)"
)
#: 不在门口 / 我没在小区: not where the question placed them.
_NOT_THERE = re.compile(
    r"(?:^|[，,。.！!…]|我|人)(?:不在|没在|没有在|没得在)"
    r"(?:门口|楼下|小区|家|大门|路边|这里|那里|那点|这点|屋头|屋里|医院)"
)
#: 在门口在门口 / 我已经在楼下了 / 到门口了: already where the question placed them;
#: (seventeenth round) come out or down, arrived (出来了, 粗来了, 下来了, 出来啰, 已经到位了,
#: 我到了): a place, the car seen or a question where it is may follow (出来了，在路边等着了，
#: 车是哪个颜色嘛？ / 我下来了，师傅在哪点).
_ALREADY_THERE = re.compile(
    r"(?:^|(?<=[，,。.…!！？?]))(?:[嗯哦对是]+[，,。.…!！]*)?(?:我们|我|人)?"
    r"(?:已经|早就|早都|都|就|现在就)?(?:在|到|站在|坐在)了?"
    r"(?:门口|门扣|楼下|大门|小区门口|路边|电梯)|(?:^|(?<=[，,。.…!！？?]))(?:门口){2}"
    r"|(?:^|(?<=[，,。.…!！？?]))(?:[嗯哦对是的]+[，,。.…!！]*)?(?:我们|我|人|她|他)?(?:已经|早就)?"
    r"(?P<arrived>出来|粗来|下来|下楼|到位|到|准备好|收拾好|弄好|出了门|出门)(?:了|啰|喽|咯|嘞)"
)
#: 不是不在，我在门口了 / 我不是不下来，我下来了: a double no opening the answer takes nothing back.
_NOT_NOT_THERE = re.compile(r"^我?不是不(?:在|下来|出来|下去|下楼)[，,。.…!！]*")
_STAY = re.compile("(?:莫|别|不要)(?:走|开走)")
#: The rest of the clause that says where the caller is, ending in a question mark.
_ASKED_WHERE = re.compile(r"[^，,。.…!！？?]*[？?]")
#: What undoes "come out / down" or a place said as the answer: a no to the car, a wait
#: asked for, or not being out after all (said before it or after).
_ARRIVED_UNDONE = re.compile(
    "不要|不用|不消|算了|取消|莫来|别来|等(?:一下|一哈|哈|下|等)(?!我)|还没(?:出|下|好)|没(?:有)?(?:出|下)来"
)
#: Said after "not ready": a go-ahead that makes it no "no" (还没下来，你先叫嘛).
_GO_AHEAD = re.compile("可以|要得|好嘛|好的|行|叫嘛|喊嘛|来嘛|要的|你先")


def _where_they_are(joined: str) -> str | None:
    """A yes or no said as where the caller is, or that they are not ready yet."""
    joined = _NOT_NOT_THERE.sub("", joined)
    ready = _NOT_READY.search(joined)
    if ready and not _GO_AHEAD.search(joined, ready.end()):
        return "no"
    if _NOT_THERE.search(joined) and not _GO_AHEAD.search(joined):
        return "no"
    there = _ALREADY_THERE.search(joined)
    if there and _ASKED_WHERE.match(joined, there.end()):
        return None  # (eighteenth round) 在小区门口接？哪个门口？: the place asked back
    if there and not _NEGATING.search(joined, 0, there.start()):  # (不是家里，我在小区门口)
        # questions and complaints may follow (出来了，咋个还没看见车？/ 催哪样催 / 在门口了，
        # 师傅在哪点); 莫走噶 asks the driver to stay
        rest = _STAY.sub("", joined[there.end() :])
        return None if _ARRIVED_UNDONE.search(rest) else "yes"
    return None


def says_where(text: str) -> bool:
    """Is the answer where the caller is, or that they are not ready (see ``_where_they_are``)?
    Such an answer is the rules' to give: the backstop does not set it aside."""
    return _where_they_are(_SPACES.sub("", text)) is not None


#: (eighteenth round) 短信发过来嘛 / 车子喊起嘛: the thing offered, then its verb with a particle.
_OBJECT_THEN_VERB = re.compile(
    r"(?:短信|信息|车子|车|人工)(?:就)?(?:发|叫|喊|转|派)(?:过来|给我|来|一下|一个|起)?[嘛吧撒噻哈]"
    r"(?=[，,。.！!\s]|$)"
)


def _object_then_verb(joined: str) -> bool:
    at = _OPENING_FILLER.match(joined).end()  # type: ignore[union-attr]
    said = _OBJECT_THEN_VERB.match(joined, at)
    return said is not None and _VERB_UNDONE.search(joined, said.end()) is None


def _verb_said_back(joined: str) -> bool:
    """Does the answer open with the verb of the offer said back (see ``_OFFER_VERB_SAID``),
    with nothing after it that undoes it or asks?"""
    if _COMING.search(joined):  # 马上下来，你喊师傅等一哈: the driver waits, the caller comes
        joined = _DRIVER_WAITS.sub("", joined)
    at = _OPENING_FILLER.match(joined).end()  # type: ignore[union-attr]
    said = 0
    firm = transfer = False
    while m := _OFFER_VERB_SAID.match(joined, at):
        said += 1
        at = _OPENING_FILLER.match(joined, m.end()).end()  # type: ignore[union-attr]
        transfer = transfer or bool(m["staff"] or m["person"] or m["verb"] in ("转", "赚"))
        if m["staff"] or m["person"]:
            firm = True
        elif not m["car"]:  # 要车 said once is left to the rules of 要 (it may ask for another)
            firm = firm or bool(m["lead"] or m["object"] or m["particle"])
            # 你帮我转: the hotline asked to do what only its own question offers
            firm = firm or bool(m["you"] and m["verb"] in ("转", "发"))
            # (eighteenth round) 去 / 改 / 退 alone before a pause are too loose (退……莫退)
            alone_ok = m["verb"] not in _LOOSE_VERBS
            firm = firm or alone_ok and (at > m.end() or at == len(joined))
    if not said or not (firm or said > 1):
        return False
    # (seventeenth round) a person asked for, then what to ask them (转人工，我有几个问题想问问)
    return (_TRANSFER_UNDONE if transfer else _VERB_UNDONE).search(joined, at) is None


#: (seventeenth round) 叫师傅等一下 / 等我慢慢走: the driver asked to wait for a caller coming down.
_DRIVER_WAITS = re.compile(
    "(?:你|麻烦你)?(?:叫|喊|让|请)(?:师傅|司机|他|她)(?:稍)?等(?:等)?(?:我)?|等(?:等)?我"
)
_ASK_DRIVER_TO_WAIT = re.compile(
    r"(?:你\s*|麻\s*烦\s*你?\s*)?(?:叫|喊|让|请)\s*(?:师\s*傅|司\s*机|车\s*子)\s*(?:稍\s*)?等"
    r"(?:\s*(?:等|一\s*下|一\s*哈|下|哈|我|两\s*分\s*钟|一\s*会\s*儿?))*"
)
_COMING = re.compile("下来|下去|下克|下(?=[，,。.！!]|$)")
#: (sixteenth round) 莫搞错了 / 别弄错哈: a request not to get it wrong, no negation of the answer.
_DO_NOT_GET_IT_WRONG = re.compile(
    r"(?:莫|别|不要|不得)\s*(?:要\s*)?(?:搞|弄|整|记|听|写|挂|叫|喊|发|打)\s*错\s*(?:了)?\s*[哈噢哦嘛啊喽]?"
)

#: (sixteenth round) 你说咋个整就咋个整 / 照你说的办 / 听你的: what the hotline proposes, agreed.
_AS_YOU_SAY = re.compile(
    "(?:你们|你)(?:说|讲)(?:咋个|怎么|怎样|咋)(?:整|办|弄|搞)就(?:咋个|怎么|怎样|咋)(?:整|办|弄|搞)"
    "|(?:就)?(?:照|按|依)(?:你们|你)(?:说的|讲的)(?:整|办|弄|搞|来)"
    "|^听(?:你们|你)的"
    # (seventeenth round) 你说了算 / 你说哪样就是哪样: the hotline decides
    "|(?:你们|你)(?:说|讲)了算"
    "|(?:你们|你)(?:说|讲)(?P<w>哪样|啥子|啥|什么|哪个)就(?:是|算)?(?P=w)"
    "|(?:你们|你)(?:说|讲)(?P<x>\\w{2,5})就(?P=x)"  # 你们说神经内科就神经内科
)

#: (sixteenth round) 给要叫车要呢: the Kunming 格 question said back (heard as 给), then a
#: stressed yes, written with no pause between.
_ASKED_BACK_THEN_YES = re.compile(
    "(?P<question>[给格嘎噶][要是]\\w{2,6}?)(?P<answer>(?:要|是|对)(?:呢|的|嘞|噻)(?:要|是|对|呢|的|嘞|噻)*)$"
)

#: (sixteenth round) 不转，你就帮我挂就行: the offer's verb refused, then what will do instead.
_NO_THEN_ANOTHER = re.compile(
    # (nineteenth round) also after the offer said back first (转人工……不转了不转了，…)
    "^(?:\\w{1,4}[…，,。.]+)?"
    "(?:(?:不|莫|别)(?:转|发|叫|喊|要|用|挂|消)(?:(?:转|发|叫|喊|挂)个?(?:人工|短信|车|号)?)?[了嘛]?[，,。.]*)+"
    "(?:(?:你)?(?:就)?(?:帮我|给我|我)\\w{1,10}?就(?:行|可以|得|好|要得)"
    # (nineteenth round) 莫转 你就这样跟我说: go on as you are
    "|(?:你)?就这样(?:跟|更|和|给)我(?:说|讲))"
)
#: (nineteenth round) 不要嘛，要那个整哪样: a no, then "what would I want it for".
_NO_THEN_WHAT_FOR = re.compile(
    r"^不(?:要|用|消)[嘛了哦啊呢]*[，,。.…]*要(?:那个|这个|它|那些)?(?:整|做|干|搞)(?:哪样|什么|啥子?)"
)
#: 没得哪样问题了 / 没有什么事了: nothing more to ask, said after the answer (no question).
_NOTHING_MORE = re.compile(
    r"[，,。.\s]*没\s*(?:有|得|的)?\s*(?:什么|哪样|啥子|啥)\s*(?:问题|事|事情)\s*了?"
)


def parse_yesno(text: str) -> str:
    """Return ``"yes"``, ``"no"`` or ``"unknown"`` (see :func:`_parse_yesno`).

    (Nineteenth round) An answer left unknown is read once more as a slow speaker's pauses
    (那……就……喊嘛: the pauses are no clause breaks), with a question asked back marked as
    one (你是说取消是不是 对 取消) and, written with the recogniser's gaps, with a clause
    break after a yes said first (要 要 我在螺蛳湾这边 搞快点 as 要要，…):
    a yes (or the slow speaker's no) so found stands."""
    if _asked_what_first(text):
        return "unknown"  # 哪样 叫 车 哦 / 啊？你说哪样？发……发哪样？: asked back, not answered
    joined = _SPACES.sub("", text)
    if (
        _NUMBER_PUT_RIGHT.match(joined)
        or _YES_TAKEN_BACK.match(joined)
        or (
            _SAID_NOT_RIGHT.match(joined)
            and not _RIGHT_AFTER_ALL.search(joined)
            and not _QUESTION_MARK.search(joined)  # (对……哦不对，后天是不是礼拜天？)
        )
    ):
        return "no"  # 不对哦 是六三三幺八八六六 / 是……哦不对，是给我老伴 / 好 莫 转
    if _NOT_WANTED_ANY_MORE.match(joined) or _WHAT_FOR.match(joined):
        return "no"  # 么 要 了 / 转哪样人工嘛 / 取消它做哪样: not wanted, asked "what for"
    if _NOT_TO_BE_CANCELLED.search(joined) and not _NOT_TO_BE_CANCELLED_THEN_YES.search(joined):
        return "no"  # 那天我克得成，莫给我取消
    said = _parse_yesno(text)
    if said != "unknown":
        return said
    relayed = _RELAYED.search(joined)
    if relayed and (answered := _parse_yesno(joined[relayed.end() :])) != "unknown":
        return answered  # 爸 要不要车 他摆手 不要: the question passed on, then the answer
    slow = _PAUSES.split(text.strip(" …。.，,"))
    if len(slow) >= _SLOW_PIECES and all(len(p.strip()) <= _SLOW_PIECE for p in slow):
        again = _parse_yesno("".join(slow))
        if again != "unknown":
            return again
    asked = _QUESTION_GAPPED.sub(r"\1？", text)
    if asked != text and (again := _parse_yesno(asked)) != "unknown":
        return again  # 你是说取消是不是 对 取消: the question asked back, then the answer
    first = _YES_FIRST_GAPPED.match(text)
    if first and first.end() < len(text.rstrip()) and not _NOT_PLAINLY_AFTER.search(
        text[first.end() :]
    ):
        again = _parse_yesno(f"{first[0]}，{text[first.end():]}")
        if again == "yes":
            return again
    return said


#: (twentieth round) "What?" said first (哪样 / 啥子 / 你说哪样), not "anything" (哪样都行);
#: then nothing but the offer asked back (叫 车 哦) or a question again (发……发哪样？).
_WHAT_FIRST = re.compile(
    r"^(?:[啊嗯哦呃噢][？?，,。.…！!]*)*(?:你(?:说|讲|问))?(?:哪样|啥子?|什么)(?![都也])"
)
_OFFER_ASKED_BACK = re.compile(r"[^要是对好行嗯得]{1,4}?[哦啊噢呀噶嘎吗么][？?。.…！!]*")


_ANSWER_WORDS = re.compile("[要是对好行嗯得不没莫]")
#: (twentieth round) A yes said, then taken back (是……哦不对，是给我老伴), or the offer's
#: own verb refused after it (好 莫 转; a cancel refused is `_NOT_TO_BE_CANCELLED`).
_YES_TAKEN_BACK = re.compile(
    r"^(?:是|对)[的嘞呢]?[…，,。.]*(?:哦|噢|呃)?[，,]*不对[，,。.…]*是给"
    r"|^(?:好|对|要得|行|嗯)[的嘛啊哦]*[，,。.…]*(?:莫|别|不要|不用)(?:转|发)(?![错掉了完])"
)
#: (twenty-first round) A yes, then "not right" and something put right after it (对 到家 不对
#: 我现在在我女儿家): the yes taken back; unless it is right after all (……不对，是对的).
_SAID_NOT_RIGHT = re.compile(
    r"^(?:是|对|好|嗯)[的嘞呢嘛]?[^不]{0,8}?(?<!对)不对(?![吗嘛吧劲头])[，,。.…]*\w"
)
_RIGHT_AFTER_ALL = re.compile(r"不对.*(?:是对的|对的|对头|没错)")
#: (twenty-first round) The question passed on to the one it is for, who answers (爸 要不要车
#: 他摆手 不要 / 她问要不要叫车，他点头了).
_RELAYED = re.compile(
    r"(?:要不要|去不去|挂不挂|叫不叫|喊不喊)\w{0,4}?[，,。.？?…]*[他她](?:说|讲)?(?!的)"
)
_NOT_WANTED_ANY_MORE = re.compile(r"^么要了[嘛哦啊]?[，,。.！!]*$")
#: (twentieth round) The offer asked "what for" (转哪样人工嘛, 要啥子车嘛, 取消哪样嘛, 我取消它
#: 做哪样嘛, 发短信给我有哪样用): a refusal, not a question.
_WHAT_FOR = re.compile(
    r"^(?:我|你)?(?:还)?(?:转|叫|喊|要|挂|取消|发|退)(?:它|那个|这个|个)?(?:做|整|干|搞)?"
    r"(?:哪样|啥子|啥|什么)(?:人工|车子|车|号|短信)?(?:嘛|哦|噻|呢|[，,。.！!])"
    r"|^(?:发|打)?(?:短信|电话)?(?:给我)?有(?:哪样|啥子|啥|什么)用"
)
#: A cancel refused (莫给我取消, 别退), not "don't cancel it wrongly", with no yes to the
#: cancel after it.
_NOT_TO_BE_CANCELLED = re.compile(
    r"(?:莫|别|(?<!要)不要|不用)(?:给我|帮我)?(?:取消|退掉|退)(?![错了])"  # (not 要不要取消)
)
_NOT_TO_BE_CANCELLED_THEN_YES = re.compile(
    r"(?:莫|别|不要|不用)(?:给我|帮我)?(?:取消|退).*(?:还是|算了)(?:取消|退|要取消)"
)
_CLAUSE_BREAKS = re.compile(r"[，,。.！!？?…；;]+")
#: (twentieth round) "No, it's 6331…" (不对哦，是六三三幺): a number put right, no yes.
_NUMBER_PUT_RIGHT = re.compile(
    r"^[嗯哦啊呃]*不(?:对|是)[哦噢啊呀，,。.…！!]*是[零一二三四五六七八九十幺拐两洞\d]{3}"
)


def _asked_what_first(text: str) -> bool:
    joined = _SPACES.sub("", text)
    first = _WHAT_FIRST.match(joined)
    if first is None:
        return False
    rest = joined[first.end() :].strip("？?，,。.…！! ")
    last = _CLAUSE_BREAKS.split(rest)[-1]
    asks_again = bool(_WH_WORD.search(last)) and not _ANSWER_WORDS.search(last)
    return not rest or asks_again or bool(_OFFER_ASKED_BACK.fullmatch(rest))


#: A question asked back, then a gap written by the recogniser and more (是不是 对 取消).
_QUESTION_GAPPED = re.compile(r"(是\s*不\s*是|对\s*不\s*对|要\s*不\s*要|是\s*吧|吗)(?=\s+\S)")
#: A slow speaker's pauses (能……能下来……慢慢的……): three pieces or more, each short.
_PAUSES = re.compile(r"…+|\.{3,}")
_SLOW_PIECES = 3
_SLOW_PIECE = 5
#: A yes said first, then a gap written by the recogniser (要 要 / 下 楼 得 嘛 / 好 的): of
#: two characters or more (要 or 好 alone opens 要好多钱, 好热今天).
_YES_FIRST_GAPPED = re.compile(
    r"^\s*(?:要\s+要|好\s+好|对\s+对|要\s*得|好\s*的|对\s*的|可\s*以|下\s*楼\s*得|下\s*得\s*来)"
    r"(?:\s*(?:嘛|嘞|呢|噻|哦|啊|的))?\s+"
)
#: ... and nothing after it that could make it a no, a question or a concession.
_NOT_PLAINLY_AFTER = re.compile(
    r"[不没莫别?？吗么]|哪|啥|咋|什么|几|多少|好多|好久|就是|但是|不过|可是|还是|要是"
    # where the caller is (我在螺蛳湾这边): it may put right where the car was to go
    r"|我\s*在|在\s*这\s*边|在\s*那\s*边"
)


def _parse_yesno(text: str) -> str:
    """Return ``"yes"``, ``"no"`` or ``"unknown"``.

    Spaces are word gaps written by the recogniser ("可 以", "错 了"), not clause breaks:
    they are removed before anything else; punctuation still separates clauses.
    """
    text = _NO_NEED_OF_THAT.sub("没必要", text)  # 没 得 那 个 必 要: no 要 in it
    text = _HEARD_AS_EN.sub("嗯", _HEARD_AS_NE.sub(r"\1呢", text))  # 恩 恩 / 要涅
    spaceless = _SPACES.sub("", text)
    agreed = _AS_YOU_SAY.sub("好", spaceless)
    if agreed != spaceless:  # 你说咋个整就咋个整: as the hotline says
        text = spaceless = agreed
    asked_back = _ASKED_BACK_THEN_YES.match(spaceless)
    if asked_back:  # 给 要 叫 车 要 呢: the question asked back, then the answer (no pause heard)
        text = spaceless = f"{asked_back['question']}？{asked_back['answer']}"
    if _asks_another_thing(spaceless):
        return "unknown"  # 好，车来了以后再帮我挂个号: ask again, one thing at a time
    if _NO_THEN_ANOTHER.match(spaceless) or _NO_THEN_WHAT_FOR.match(spaceless):
        return "no"  # 不转，你就帮我挂就行 / 不要嘛，要那个整哪样: refused, and said why
    text = _NOTHING_MORE.sub("", text) or text  # 嗯对，没得哪样问题了，再见
    text = _HEARD_AS_YAO.sub("要", _HEARD_AS_BU.sub("不", text))  # 药呢药呢 / 步四步四
    text = _HEARD_AS_QUXIAO.sub("取", text)  # 去消掉 / 不 曲 消
    text = _HEARD_AS_RENGONG.sub(  # 转人宫 / 转个人 / 形嘛
        lambda m: f"{m[1] or m[2] or ''}人工", _HEARD_AS_XING.sub("行", text)
    )
    text = _HEARD_AS_DELEI.sub("得", text)  # 的嘞的嘞
    text = _HEARD_AS_ZHUNBEI.sub(lambda m: "没" if m[0].strip() == "么" else f"{m[1]}备", text)
    text = _HEARD_AS_TUIDIAO.sub(r"\1掉", text)
    text = _HEARD_AS_XIAO.sub(r"\1消", _HEARD_AS_FA.sub("发", text))
    text = _HEARD_AS_JIAO_CHE.sub(lambda m: f"{m[1]}车" if m[1] is not None else "叫", text)
    text = _DO_NOT_GET_IT_WRONG.sub("", text)  # 要得要得，莫搞错了哈: no "no"
    text = _NOBODY_WHO.sub(r"没\1人", text)  # 没有哪个帮我: "nobody", no question
    text = _ASK_DRIVER_TO_WAIT.sub("，", text)  # 对的，你叫车子等一下我: no wait for the answer
    text = _detail_said_first().sub("", text)  # 老年医学科可以 / 零零八三 对呢: the answer follows
    text = _ASIDE.sub("，", text)  # 要 妈 你坐好 要叫车: said to someone in the room
    text = _COUGH.sub(" ", text)  # 要 咳 咳 要 叫 车
    text = _HEARING_COMPLAINT.sub("，", text) if _ANY_YES_WORD.search(text) else text
    text = _HEARD_AS_SHI_DUI_HAO.sub(lambda m: _SHI_DUI_HAO[m["w"]], text)  # 事呢 / 队的
    text = _GAP_BEFORE_LAST_YES.sub(r"，\1", text)  # ……五五二零 对的: the answer said last
    slip = _OWN_SLIP_LAST.search(text)
    if slip and _YES_AFTER_CORRECTION.search(text, 0, slip.start()):
        text = text[: slip.start()]  # 不要哦要呢要呢，刚才说错了: the slip was the no before
    joined = _SPACES.sub("", text)  # the recogniser's gaps: 还 挂 号 做 哪 样
    if _CHECKED_BACK.match(joined) or (
        _ONE_QUESTION.match(joined)
        and not _ALREADY_SAID.search(joined)  # 我不是说了要吗: said already, a yes
        and "还用" not in joined  # 那还用问吗: "need you ask", a yes
    ):
        return "unknown"
    if _HUMMED_ONLY.match(joined) or _mixed_sounds(joined) or _fillers_only(joined):
        return "unknown"
    if (where := _where_they_are(joined)) is not None:
        return where  # (seventeenth round: before the verb said back; 还没还没，马上下来了)
    if (
        _verb_said_back(joined)
        or _object_then_verb(joined)
        or _SO_AND_NOT_OTHER.match(_SPACES.sub("", text.strip()))
    ):
        return "yes"
    if _NOT_OTHERS_BUT_ME.match(joined):
        return "yes"  # 不是给别人，是给我自己叫的: nobody else, the caller
    if (
        _left_to_others(clean(joined))
        or _TORN.search(joined)
        or _WHICH_OF_TWO.search(joined)
    ):
        return "unknown"  # 我要问一下我儿子，他说挂就挂 / 也不是说去也不是说不去 / 是A还是B
    slip = _SLIP_TO_YES.match(joined)
    if slip and not _NEGATING.search(joined, slip.end()):
        return "yes"  # 不是 哦 是是 是给我自己 / 不要……哦不对不对，要的要的: a slip put right
    cancel = _cancel_answered(_PUNCT_GAPS.sub("", joined))
    if cancel is None and _put_right(_SPACES.sub("", text)):
        return "no"
    if cancel is not None:
        return cancel
    text = _answers_put_as_questions(text, joined)
    text = _HESITATING_HUM.sub("", _OR_ELSE_HOW.sub("", text)) or text
    heard_wrong = _MISHEARD_THEN.search(text)
    if heard_wrong:  # 不要不要……哦，我听错了，要的要的: the answer after the mishearing
        text = text[heard_wrong.end() :]
    text = _MISHEARD_TAIL.sub("", _ONCE_WANTED.sub("", text)) or text
    text = _HEARD_ME_TAIL.sub("", text) or text  # 要，是要！你听清楚没得？: no question asked
    text = _NOT_TOO.sub(lambda m: "晚一点" if m["when"] == "早" else "早一点", text)
    text = _DOUBTS_DROPPED.sub("", text)
    if "取消" not in text:  # 不取消，我还是要去 answers a cancel question: that no stands
        text = _STILL_WANTED.sub("还是要，", text)
    rewritten = _SPACES.sub("", text)
    if _STILL_ARGUING.search(rewritten):
        return "unknown"  # 我女婿说要，我姑娘说不要，他们还在争
    this_not_that = _THIS_NOT_THAT.search(rewritten)
    if this_not_that:
        return "no" if this_not_that[1] == "不要" else "yes"
    if _CONCESSION.search(rewritten) and _NO_AFTER_ALL.search(rewritten):
        return "no"  # 好是好，但是我不要 / 要是要的，但是今天不要了
    last_said = list(_FINALLY_SAID.finditer(rewritten))
    if last_said and (final := parse_yesno(rewritten[last_said[-1].end() :])) != "unknown":
        return final  # (seventeenth round) 他说不要，又说要……最后说要嘛: what was said in the end
    passed = _passed_on(text)
    if passed is not None:
        return passed  # 她说要: the answer of someone in the room, passed on
    decided = _decided_last(text)
    if decided is None and _SPACES.search(text):  # 不 用 了 哎 算 了 还 是 叫 嘛
        decided = _decided_last(_SPACES.sub("", text))
    if decided is not None:
        return decided
    text = _after_asking_back(text)
    while (gapped := _GAP_AFTER_YES.sub(r"\1，", text, count=1)) != text:
        text = gapped
    text = _GAP_AFTER_WANT.sub(r"\1，", text)  # 要 我妈在楼下等
    text = _GAP_AFTER_THINKING.sub(r"\1，", text)
    text = _STUTTER.sub(lambda m: m[1] or m[2], text)
    text = text.replace("嗯哪", "嗯呐")  # 嗯哪，是这样: a yes, not 哪是 (how could it be)
    text = _PARTICLE_ENDS.sub(r"\1，", _SPACES.sub("", text))
    text = _SAID_OVER.sub(r"\g<0>，", text)
    text = _VERB_BACK.sub("要", _SAID_TWICE.sub(r"\1", _VERB_THEN_SAME.sub("，要", text)))
    text = _TAKEN_AS_IT_IS.sub("，好", text)
    text = _I_SAID_WRONG.sub("", text)
    text = after_correction(_SI_FOR_SHI.sub("是", text))
    text = _RHETORICAL_YES.sub("是", text)
    text = _RHETORICAL_WANT.sub("要，", _THAT_IS_NO.sub("", text))  # (no 要是: 不是不需要是需要的)
    cleaned = clean(text)
    if not cleaned or _trails_off(text) or _opens_with_a_condition(cleaned):
        return "unknown"
    if _BOTH_WAYS.search(cleaned) or _TORN.search(text) or _ON_A_CONDITION.search(cleaned):
        return "unknown"
    if _asked_in_return(text, cleaned):
        return "unknown"
    if _THINKING_LAST.search(cleaned):
        return "unknown"  # 嗯我想下: not answered yet
    if _STILL_DECIDING_LAST.search(cleaned):
        return "unknown"  # 嗯……不……等等 / 嗯 不 那个 等等: not decided yet
    heard = [
        h
        for h in matcher().hits(cleaned)
        if h.label != "none" and not _said_of_something(cleaned, h)
    ]
    heard = [h for h in heard if not _of_someone_else(cleaned, h, heard)]
    hits = [_negated_assent(cleaned, h) for h in heard if _counts(cleaned, h)]
    if _only_yes_words(cleaned, heard) and not _CONCESSION.search(cleaned):
        return "yes"  # 是的 要 我要: every word said is a yes (not 可以是可以，就是: "but")
    if any(h.label == "yes" and _WH_WORD.match(cleaned, h.end) for h in hits):
        return "unknown"  # 是哪家医院 / 是几点: a question that starts like a yes
    if hits and _LOOKING_FOR_A_WORD.fullmatch(cleaned, hits[-1].end) and all(
        set(cleaned[h.start : h.end]) <= _ACKNOWLEDGING for h in hits
    ):
        return "unknown"  # 嗯 那个 啥: a hum, then only a word looked for
    assents = any(h.label == "yes" for h in hits)
    if assents and _yes_said_last(text, cleaned, heard) and not _CONCESSION.search(cleaned):
        return "yes"  # 我跟你说……我老倌又去他姑娘家了，要呢！咋个不要！: the answer after the story
    if assents and _yes_then_more_of_it(text, cleaned, hits):
        return "yes"  # 要得要得，我老伴也要一起去，你喊个宽点的车: details of the same thing
    if assents and _YES_WITH_A_WISH.match(joined) and not _WISH_CHANGES_IT.search(joined):
        return "yes"  # (eighteenth round) 可以嘛，就是要司机上楼来扶一下我: how, not whether
    if assents and (
        asks_for_something(cleaned)
        or _turns_elsewhere(text, cleaned)
        or _CONCESSION.search(text)
        or _CHANGED_AFTER.search(cleaned, min(h.end for h in hits if h.label == "yes"))
    ):
        # Not an assent: a no said with it still counts (不，要晚一点的), else ask again.
        hits = [h for h in hits if h.label != "yes"]
        if not hits:
            return "unknown"
    if not hits:
        # A one-character answer mis-heard as a sound-alike (四 for 是, 队 for 对).
        if len(cleaned) == 1:
            return _single_sounds().get(char_key(cleaned), "unknown")
        return "unknown"
    if any(h.label == "unclear" for h in hits):
        return _answer_after_thinking(cleaned, hits)
    if all(h.label == "no" for h in hits) and _asks_about_another(text, cleaned):
        return "unknown"  # 不要，我想问问挂号咋个挂: a no to this, and a question about another
    if len({h.label for h in hits}) > 1 and (last := _last_answer_clause(cleaned, hits)):
        return last  # 不要——要！要要，你莫管他，要: the last word counts
    tier = [h for h in hits if _strong(h)] or hits
    labels = {h.label for h in tier}
    if len(labels) == 1:
        return labels.pop()
    # Conflicting answers: a later clause that only takes the yes back (好的好的，不对)
    # makes it a no (the last word counts); otherwise the first clause that holds an answer
    # decides, if it is consistent (对的，不用改 is a yes).
    first = clause_start(cleaned, tier[0].start)
    labels = {h.label for h in tier if clause_start(cleaned, h.start) == first}
    later = cleaned[first:].split(SEP)[1:]
    if labels == {"yes"} and any(c in _TAKING_BACK or _PART_WRONG.search(c) for c in later):
        return "no"  # 骨科没错，日子不对: one part of what was read back is wrong
    if labels == {"yes"} and (given_up := _given_up_after(cleaned, first, tier)) is not None:
        return given_up  # (twenty-first round) 要得 莫要了 / 要得 算了算了: the last word counts
    return labels.pop() if len(labels) == 1 else "unknown"


#: (twenty-first round) A later clause that gives the whole thing up after a yes (要得，莫要了 /
#: 要得，算了算了，我自己开车送她): the no; "no need" (要得，不用了) may be "nothing more": asked
#: again.
_NO_NEED = frozenset({"不用了", "不消了"})
_SOUND_FIRST = "^(?:哦|噢|哎|唉|哎呀|呃|嗯)?"
_GIVEN_UP_AFTER_YES = re.compile(
    _SOUND_FIRST + "(?:" + "|".join(sorted(_DONE_WITH - _NO_NEED | {"不来了", "不克了"})) + ")"
)
_NO_NEED_AFTER_YES = re.compile(_SOUND_FIRST + "(?:" + "|".join(sorted(_NO_NEED)) + ")")
_CANCEL_WORDS = re.compile("取消|退|确定")


def _given_up_after(cleaned: str, first: int, hits: list[Hit]) -> str | None:
    if _CANCEL_WORDS.search(cleaned):
        return None  # 取消嘛，不去了 / 确定，不要了: giving it up is the yes to a cancel
    start = cleaned.find(SEP, first)
    while start >= 0:
        clause = cleaned[start + 1 :]
        if not any(h.label == "yes" and h.start > start for h in hits):
            if _GIVEN_UP_AFTER_YES.match(clause):
                return "no"
            if _NO_NEED_AFTER_YES.match(clause):
                return "unknown"
        start = cleaned.find(SEP, start + 1)
    return None


#: What may come before a condition and still leave it the opening (嗯……要是不贵就叫).
_BEFORE_A_CONDITION = frozenset({"嗯", "呃", "那", "那么", "嗯嗯", "这样"})


def _opens_with_a_condition(cleaned: str) -> bool:
    """要是不贵就叫 / 嗯……如果明天不下雨就去 / 有车的话就要: the answer depends on a
    condition."""
    if "的话" in cleaned.split(SEP, 1)[0]:
        return True
    for clause in cleaned.split(SEP):
        if clause.startswith(_conditionals()):
            return True
        if clause not in _BEFORE_A_CONDITION:
            return False
    return False


#: 要嘛不要嘛，你说呢: the question put back to the one asking.
_PUT_BACK = re.compile(r"(?<![噻嘛]，)(?<![噻嘛],)你\s*(?:说|讲|看|觉得)\s*呢[\s?？。.!！]*$")
#: 下雨了没得 / 车来了没有: a Kunming question (has it ... or not), not a no.
_HAS_IT = re.compile("(?:了|(?<!没)有\\w{1,3})没(?:得|有)$")
#: What may stand before 不好 when it answers (我不好说 is not 腿不好, said of the legs).
_BEFORE_AN_ANSWER = frozenset("我你那这也都就还是说" + SEP)


def _asked_in_return(raw: str, cleaned: str) -> bool:
    """要钱不 / 要嘛不要嘛，你说呢 / 下雨了没得: the answer ends in a question."""
    return (
        _is_tail_question(cleaned)
        or _PUT_BACK.search(raw) is not None
        or _HAS_IT.search(cleaned) is not None
    )


def _said_of_something(cleaned: str, hit: Hit) -> bool:
    """腿不好 / 身体不好: 不好 said of something, in the middle of a clause, is no answer;
    nor is 看不清楚 (the eyes), which is not "I don't know"."""
    said = cleaned[hit.start : hit.end]
    if said == "不清楚":  # 我眼睛看不清楚了: what the eyes do, not "I don't know"
        return cleaned.endswith("看", 0, hit.start)
    if said in ("没有", "没得", "没的", "莫得") and cleaned.startswith(_NOBODY, hit.end):
        return True  # (seventeenth round) 没有哪个帮我挂 / 没得人帮: "there is nobody"
    if said == "不是" and cleaned.endswith(("又", "也"), 0, hit.start):
        return True  # (seventeenth round) 又不是闲得慌: "it's not as if", no answer
    if said in ("不得行", "不行", "不好") and cleaned.endswith(_BODY, 0, hit.start):
        return True  # (seventeenth round) 我腿脚不得行: how the body is, no answer
    before = cleaned[: hit.start] + said[:-2]
    if said in ("不好", "说不好", "讲不好") and before.endswith(_SPEECH):
        return True  # (seventeenth round) 我汉话说不好: how the caller speaks, no answer
    return said == "不好" and hit.start > 0 and cleaned[hit.start - 1] not in _BEFORE_AN_ANSWER


_NOBODY = ("人", "哪个", "谁", "别人", "别个", "声音", "信号")
_BODY = ("腿", "脚", "身体", "身子", "眼睛", "耳朵", "腰", "腰杆", "手", "脑壳", "记性", "腿杆")
_NOBODY_WHO = re.compile("没(有|得|的)(?:哪个|哪一个|谁)")
#: 我老伴不去 / 他们不管: a third person said before a no in its clause.
_THIRD_PERSON = re.compile(f"(?:他|她|{relatives()})")


def _of_someone_else(cleaned: str, hit: Hit, heard: list[Hit]) -> bool:
    """(seventeenth round) 是给我自己挂的，我老伴不去: a no said of someone else, in a clause
    after the one that answered yes, is what they do, not the answer."""
    if hit.label != "no":
        return False
    start = clause_start(cleaned, hit.start)
    answered = any(h.label == "yes" and h.end <= start for h in heard)
    return answered and _THIRD_PERSON.search(cleaned, start, hit.start) is not None


#: 汉话说不好 / 普通话讲不好: what is said badly is the language.
_SPEECH = ("话说", "话讲", "话也说", "话也讲")


def _last_answer_clause(cleaned: str, hits: list[Hit]) -> str | None:
    """The label of the last clause when it is nothing but an answer (要 / 不要 / 要要) and
    answers conflict: the last word counts (不要——要！要要，你莫管他，要)."""
    clauses = cleaned.split(SEP)
    if len(clauses) < 3 or clauses[-2] == "不":
        return None  # 不……要 is 不要 said with a pause; two clauses decide as before
    start = len(cleaned) - len(clauses[-1])
    inside = [h for h in hits if start <= h.start]
    labels = {h.label for h in inside}
    covered = sum(h.end - h.start for h in inside) == len(clauses[-1])
    return labels.pop() if covered and labels in ({"yes"}, {"no"}) else None


#: The yes of someone listening (是是, 对对, 嗯): it may only be going on to talk.
_ACKNOWLEDGING = frozenset("是对嗯")
#: Who may be named in an answer made only of yes words (是的 要 我要).
_WHO = re.compile("我们|我|他|她")


#: The thing asked about, said with the yes (要 车 要, 是要车): no other matter.
_THE_THING = re.compile("车子|车|号")


def _yes_said_last(raw: str, cleaned: str, heard: list[Hit]) -> bool:
    """A story or a reason first, then the answer in clauses of nothing but yes words (要呢！
    要！), with no no and no question anywhere: the last word counts."""
    if _QUESTION_MARK.search(raw) or any(w in cleaned for w in _ANOTHER_QUESTION):
        return False
    counted = [h for h in heard if _counts(cleaned, h)]
    if any(h.label != "yes" for h in counted):
        return False
    left = _without_hits(cleaned, counted).split(SEP)  # what each clause says besides a yes
    said = cleaned.split(SEP)
    return len(left) >= 2 and left[-1] == "" and said[-1] != "" and any(left[:-1])


def _only_yes_words(cleaned: str, hits: list[Hit]) -> bool:
    """Every word of the answer (besides who says it and the thing asked about) is a yes
    word, said more than once."""
    yes = [h for h in hits if h.label == "yes"]
    if len(yes) < 2 or len(yes) != len(hits):
        return False
    return not _THE_THING.sub("", _WHO.sub("", _without_hits(cleaned, yes).replace(SEP, "")))


def _without_hits(cleaned: str, hits: list[Hit]) -> str:
    """The answer with the words of ``hits`` taken out (clause breaks kept)."""
    left = list(cleaned)
    for h in hits:
        left[h.start : h.end] = [""] * (h.end - h.start)
    return "".join(left)


#: Words that change what was asked (要，要晚一点的 / 好，换个专家): no plain yes after all.
_CHANGES = (
    *("晚一点", "晚点", "晚些", "晚上", "早一点", "早点", "早些"),
    *("换", "改", "别的", "其他", "另外", "专家"),
    *("不过", "但是", "就是", "还要", "还是要"),
)


def _yes_then_more_of_it(raw: str, cleaned: str, hits: list[Hit]) -> bool:
    """A first clause that is only a yes (要得要得 / 要嘛要嘛 / 要), then more words about the
    same thing, with no no, no question, no condition, no other matter and nothing asked to
    be changed: the yes stands (the caller adds details or chats on)."""
    first = cleaned.split(SEP, 1)[0]
    if SEP not in cleaned or not first:
        return False
    in_first = [h for h in hits if h.end <= len(first)]
    if not in_first or any(h.label != "yes" for h in in_first):
        return False
    if sum(h.end - h.start for h in in_first) < len(first):
        return False  # something else said in the first clause too
    rest = cleaned[len(first) + 1 :]
    # 要呢要呢，我跟你讲……: an emphatic yes (said twice, or with its particle) stays a yes
    # while the caller goes on telling; a plain one before 我跟你说 turns to something else
    clauses = cleaned.split(SEP)
    # 是是，我跟你说……: "yes, yes" said to go on talking (no wanting in it) is no emphasis
    emphatic = not set(first) <= _ACKNOWLEDGING and (
        len(in_first) > 1
        or clauses[1] == first
        or _EMPHATIC_START.match(_SPACES.sub("", raw)) is not None
    )
    return not (
        any(h.label != "yes" for h in hits)
        or "?" in raw
        or "？" in raw
        or any(w in rest for w in (*_ANOTHER_QUESTION, *_STILL_DECIDING))
        or (not emphatic and _turns_elsewhere(raw, cleaned))
        or _CONCESSION.search(raw)
        or any(c in rest for c in _CHANGES)
        or _CHANGED_AFTER.search(rest)  # 对的，可是我要下午去: another half-day asked for
        or any(rest.startswith(w) or f"{SEP}{w}" in rest for w in _conditionals())
        or _TAKEN_BACK_LATER.search(rest) is not None  # 要的 哦 不是 不要 我搞错了
    )


#: (nineteenth round) A clause that is only a question word (啥, 哪样, 什么): a word looked for.
_LOOKING_FOR_A_WORD = re.compile(f"[{SEP}]*(?:啥子?|哪样|什么|啥个)[{SEP}]*")
#: (nineteenth round) 嗯 written 恩.
_HEARD_AS_EN = re.compile(r"恩(?![人情德惠])")
#: (twentieth round) The particle 呢 written 涅 after a yes or no word (要涅, 是涅).
_HEARD_AS_NE = re.compile(r"(?<=[要是对好得行])(\s*)涅")
#: (nineteenth round) "No need for that" with 那个 in it (没得那个必要).
_NO_NEED_OF_THAT = re.compile(r"[没莫么]\s*(?:得|有)?\s*[那这]\s*个\s*必\s*要")
#: (seventeenth round) The yes taken back in what follows it, wherever it sits in its clause.
_TAKEN_BACK_LATER = re.compile("(?:^|[哦噢喔哎唉])不(?:是|对|要)|搞错了|说错了|不要了|算了")


def undecided(text: str) -> bool:
    """An answer that asks back, or opens or ends with a condition (要是不贵就叫, 贵了我就不
    要了): the caller is asked again; no second opinion fills it in."""
    cleaned = clean(_SPACES.sub("", text))
    return (
        asks_back(text)
        or _opens_with_a_condition(cleaned)
        or _ON_A_CONDITION.search(cleaned) is not None  # (sixteenth round) 太远了我就不叫了
    )


def asks_back(text: str) -> bool:
    """Is the answer a question back (是不是不要了, 去得了不, 给是明天)? Then the rules'
    unknown is meant: the caller is asked again, no second opinion fills it in."""
    cleaned = clean(_SPACES.sub("", text))
    return bool(cleaned) and (
        _asked_in_return(text, cleaned)
        or _QUESTION_BACK.search(cleaned) is not None
        # (twentieth round) 孙子吗？: a question, with no answer word of its own before it
        or _ENDS_ASKING.search(text) is not None and not _NEGATION_SAID.search(cleaned)
    )


#: An answer that ends as a question (孙子吗 / 明天？).
_ENDS_ASKING = re.compile(r"(?:吗|[？?])[\s。.…]*$")
_NEGATION_SAID = re.compile(f"[{_NEGATIONS}]")


#: 是不是 / 对不对 / 要不要 / 可不可以 (A-not-A) and the Kunming 给是 / 格是: a question.
_QUESTION_BACK = re.compile(r"(?P<a>[^\W不])不(?P=a)|[给格阿嘎噶][是要对行得]")



#: What keeps a yes from being filled in by the statistical backstop: any negation, a "but",
#: a question word or mark (the yes may be a no or a question in other words).
_NOT_PLAINLY_YES = re.compile(
    "[不没莫别?？吗]|可是|但是|不过|倒是|就是要?[挂晚早换]|哪|啥|咋|什么|几|多少"
    # still thinking or leaving it to others (我看看, 想一下, 问我儿子, 等一下)
    "|看看|看一下|想|考虑|商量|问|等一下|等下|等等|等哈|晓得|知道|觉得|算了|还是|要我说"
)


#: A car asked for with the answer (要车, 要个车) is the car offered, for the backstop's yes.
_CAR_ASKED = re.compile("要(?:个|一个|辆|一辆)?车子?")


def plainly_assenting(text: str) -> bool:
    """May the backstop's confident "yes" stand where the rules abstained (fourteenth
    round)? Only for an answer with nothing in it that could make it a no or a question:
    no negation, no "but", no question, no thinking aloud, not undecided, nothing else
    asked for (a car asked for is the car offered) or changed, no concession, not opening
    with a word that only looks like a yes (对门, 要命, 好像: ``not_answers``), and a yes
    word in it that the rules heard but did not trust."""
    joined = _SPACES.sub("", text)
    cleaned = clean(joined)
    if not cleaned or _NOT_PLAINLY_YES.search(joined) or _NOT_PLAINLY_YES.search(cleaned):
        return False
    if undecided(text) or _CONCESSION.search(joined) or _CHANGED_AFTER.search(cleaned):
        return False
    if _asks_another_thing(joined):
        return False  # 要，顺便帮我挂个号
    if any(c in cleaned for c in _CHANGES) or asks_for_something(_CAR_ASKED.sub("", cleaned)):
        return False  # 要晚一点的 / 行是行，就是远了点: something else asked for
    hits = matcher().hits(cleaned)
    if hits and hits[0].start == 0 and hits[0].label == "none":
        return False
    # an assent the rules heard but did not trust (给我自己挂 at "给您母亲挂吗？" has none)
    return any(h.label == "yes" for h in hits)
