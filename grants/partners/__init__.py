"""Partner cities: the register of twin cities and partnerships, with the dates they hold."""
