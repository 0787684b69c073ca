"""How a letter reaches its recipient: Digital Post (KOMBIT SF1601), e-mail with a secure
link, or print (docs/integrations.md)."""
