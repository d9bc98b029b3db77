"""The client portal, in each studio's name: /portal/<studio-slug>/."""
