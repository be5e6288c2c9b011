"""How places are said on the phone."""

from __future__ import annotations

PROVINCE_AND_CITY = ("云南省", "昆明市")
# Kunming's districts and counties: a caller knows which one they live in.
KUNMING_DISTRICTS = (
    "五华区",
    "盘龙区",
    "官渡区",
    "西山区",
    "呈贡区",
    "东川区",
    "晋宁区",
    "安宁市",
    "富民县",
    "宜良县",
    "嵩明县",
    "石林彝族自治县",
    "禄劝彝族苗族自治县",
    "寻甸回族彝族自治县",
)


def spoken_address(address: str) -> str:
    """Drop the province, city and district, to keep prompts short:
    云南省昆明市五华区翠湖南路12号 -> 翠湖南路12号."""
    short = address.strip()
    for prefix in (*PROVINCE_AND_CITY, *KUNMING_DISTRICTS):
        if short.startswith(prefix) and len(short) > len(prefix):
            short = short[len(prefix) :]
    return short
