"""One scheduler for time-based work (releasing booked rides, evening reminders)."""
