"""The data model: tables, services, master data and the clock."""

from models import catalog_tables as catalog_tables  # registers its tables on Base
from models import document_tables as document_tables  # registers its tables on Base
from models import whatsapp_tables as whatsapp_tables  # registers its tables on Base
