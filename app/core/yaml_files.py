"""The YAML loader for the service's own files (dialogs, texts, grammars).

libyaml's safe loader when PyYAML was built with it: the same data as `yaml.safe_load`,
about twenty times faster, which is most of the time start-up spends reading dialogs/.
"""

from __future__ import annotations

import yaml

FAST_SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
