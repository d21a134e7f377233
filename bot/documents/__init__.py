"""Word documents of an innovation: its profile and its proposal.

``bot.documents.model`` holds the plain data they are made of; ``bot.documents.docx``
renders them (it imports python-docx, so import it where a document is made, not at start).
"""
