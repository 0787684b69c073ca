"""How the tests' stand-in servers (the identity provider, the timestamp authority,
Serviceplatformen, the CVR register) serve on their thread."""

# A server's shutdown waits for its loop to look at the stop flag, which it does between
# waits for a request: at the default 0.5 s that was half a second at the end of each test
# with a stand-in (a second with two), 25 s of the SQLite run. Looking every 0.02 s costs an
# idle thread nothing to speak of.
SERVE = {"poll_interval": 0.02}
