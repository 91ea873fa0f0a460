"""Add Vietnamese translations to the catalogue from a Python dict file (msgid -> msgstr).

Usage: python scripts/add_translations.py TRANSLATIONS.py
Only msgids that ``make extract-messages`` put in the catalogue are filled in; the script
prints any msgid of the catalogue that is still untranslated afterwards.
"""

import runpy
import sys

from babel.messages.pofile import read_po, write_po

CATALOGUE = "lms/translations/vi/LC_MESSAGES/messages.po"

translations = runpy.run_path(sys.argv[1])["VI"]
with open(CATALOGUE, "rb") as stream:
    catalogue = read_po(stream)
# a fuzzy header makes pybabel skip the whole catalogue
catalogue.fuzzy = False
catalogue.project, catalogue.version = "lms", "0.1"
catalogue.copyright_holder = catalogue.last_translator = "the lms contributors"
catalogue.language_team = "Vietnamese"
catalogue.msgid_bugs_address = ""
for message in catalogue:
    if message.id and message.id in translations:
        message.string = translations[message.id]
        message.flags.discard("fuzzy")
with open(CATALOGUE, "wb") as stream:
    write_po(stream, catalogue, width=100, sort_output=True, omit_header=False)
missing = [m.id for m in catalogue if m.id and not m.string]
print("\n".join(missing) or "every entry is translated")
