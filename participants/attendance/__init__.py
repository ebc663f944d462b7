"""Attendance: who was at which session, and the academic hours that follow from it."""
