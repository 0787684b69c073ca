"""People: users, their roles, logging in and out."""
