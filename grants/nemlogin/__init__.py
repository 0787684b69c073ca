"""Logging in with MitID through NemLog-in: the app as a SAML 2.0 service provider following
the OIOSAML 3 profile (pysaml2, with Debian's xmlsec1). docs/login.md tells how to register it."""
