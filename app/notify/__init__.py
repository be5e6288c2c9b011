"""Telling callers and their families: the outbox worker, the Twilio sender, status callbacks.

`enqueue_message` (app.notify.outbox) writes a message in the caller's transaction; the
`OutboxWorker` here sends it through the Twilio REST API, at most once per idempotency key,
and `routes.router` records Twilio's delivery status callbacks. See docs/notifications.md.
"""
