"""Web consoles for staff: sign-in, sessions, CSRF, roles, and the console pages."""
