"""Staff accounts: users, passwords, sign-in throttling, the `ivr users` command."""
