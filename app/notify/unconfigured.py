"""What staff are told while no phone service (Twilio) is configured.

Without `Settings.notifications_configured` nothing in the outbox is sent. The consoles
(app/consoles/phone_service.py) and `ivr outbox status` say so with these words.
"""

from __future__ import annotations

BANNER = "未配置电话服务：短信和回拨电话不会发出。请联系管理员配置 Twilio。"
NOT_SENT = "未发出：没有配置电话服务"
