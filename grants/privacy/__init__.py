"""Personal data: purging it from cases closed long ago, and a person's own data for them."""
