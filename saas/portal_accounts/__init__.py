"""Portal accounts: the studio's client contacts who may open the client portal, their one-time sign-in links
and their sessions. The portal surface (`saas.portal`) shows pages; who may enter, and how, is decided here."""
