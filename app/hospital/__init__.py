"""Hospital registration: booking rules, offers, appointments, the hospital desk and console."""
