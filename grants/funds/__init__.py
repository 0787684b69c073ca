"""Funds: the pools of money applications are made to, with their rules of decision."""
