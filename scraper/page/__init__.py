"""A page before cleaning: its bytes decoded (``encoding``), parsed once (``parse``), and what
it says about itself read (``metadata``: title, author, date, JSON-LD, Open Graph), its
addresses joined and split without raising (``urls``).

Nothing here knows about chrome or articles; the cleaner takes these as its first stages.
"""
