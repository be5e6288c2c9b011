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


def relatives(*, gaps: bool = False) -> str:
    """A regex alternation of the relatives, the longest first; with ``gaps`` each may have
    the recogniser's spaces between its characters (奶 奶)."""
    join = r"\s*".join if gaps else "".join
    words = "|".join(join(map(re.escape, w)) for w in sorted(RELATIVES, key=len, reverse=True))
    firsts = "".join(sorted({w[0] for w in RELATIVES}))
    return f"(?=[{firsts}])(?:{words})"  # the first characters looked at once, not each word
