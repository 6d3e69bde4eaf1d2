"""Matchmaking events (百场万企): registrations, an optimised 1:1 meeting grid, schedules, check-in and outcomes."""
