"""Organisations: associations, schools and institutions that apply for youth subsidies.

An organisation is registered once; several people act for it (members) and each sees all
its cases. A member invites another by e-mail.
"""
