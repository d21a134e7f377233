"""The public catalog: server-rendered pages of the innovations on the catalog (``/katalog``)."""
