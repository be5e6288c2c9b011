"""The people an older caller speaks of: who they book for, who answers for them in the
room, whom they must ask at home first. One list for every kind of answer."""

from __future__ import annotations

import re

#: As said and as the clean-up leaves them (老倌 becomes 老头, 老奶奶 老太太).
RELATIVES = (
    "他", "她", "我妈", "我爸", "妈", "爸", "我爹", "爹", "老伴", "老倌", "老头", "老头子",
    "老太", "老太太", "老人", "老人家", "爷爷", "奶奶", "外婆", "外公", "婆婆", "公公", "家婆",
    "家公", "儿子", "女儿", "姑娘", "孙子", "孙女", "外孙", "外孙女", "孙", "媳妇", "儿媳",
    "女婿", "老公", "老婆", "爱人", "哥", "姐", "弟", "妹", "家里", "家里人", "屋头",
)

#: Kin words by the person they name, as a caller and as the hotline's read-back say them
#: (给您母亲张秀英 / 给我妈): what a yes/no answer to a read-back compares.
KIN: dict[str, tuple[str, ...]] = {
    "self": ("自己", "本人", "自家", "我个人", "我本人"),
    "mother": ("母亲", "妈妈", "老妈", "我妈", "阿妈", "老娘"),
    "father": ("父亲", "爸爸", "老爸", "我爸", "阿爸", "老爹", "我爹"),
    "spouse": (
        "老伴", "老头子", "老头", "老倌", "老太婆", "老太太", "老太", "老公", "老婆", "爱人",
        "丈夫", "妻子",
    ),
    "son": ("儿子",),
    "daughter": ("女儿", "姑娘", "闺女"),
    "grandson": ("孙子", "孙儿"),
    "granddaughter": ("孙女",),
    "daughters_son": ("外孙子", "外孙"),
    "daughters_daughter": ("外孙女",),
    "grandmother": ("奶奶", "阿奶"),
    "grandfather": ("爷爷", "阿爷"),
    "maternal_grandmother": ("外婆", "姥姥"),
    "maternal_grandfather": ("外公", "姥爷"),
    "daughter_in_law": ("儿媳妇", "儿媳"),
    "son_in_law": ("女婿",),
}


def kin_words() -> list[str]:
    """Every kin word of :data:`KIN` (for the recogniser's phrase list at a yes/no question)."""
    return sorted({word for words in KIN.values() for word in words})


def relatives(*, gaps: bool = False) -> str:
    """A regex alternation of the relatives, the longest first; with ``gaps`` each may have
    the recogniser's spaces between its characters (奶 奶)."""
    join = r"\s*".join if gaps else "".join
    words = "|".join(join(map(re.escape, w)) for w in sorted(RELATIVES, key=len, reverse=True))
    firsts = "".join(sorted({w[0] for w in RELATIVES}))
    return f"(?=[{firsts}])(?:{words})"  # the first characters looked at once, not each word
