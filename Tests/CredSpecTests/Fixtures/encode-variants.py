#!/usr/bin/env python3
# Regenerates the BOM variants of new-credentialspec.json (UTF-8 with BOM, UTF-16LE and UTF-16BE
# with BOM, as Windows PowerShell saves files); run it from this directory.
import codecs

text = open("new-credentialspec.json", "rb").read().decode("utf-8")
variants = {
    "new-credentialspec-utf8-bom.json": codecs.BOM_UTF8 + text.encode("utf-8"),
    "new-credentialspec-utf16le-bom.json": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "new-credentialspec-utf16be-bom.json": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}
for name, data in variants.items():
    open(name, "wb").write(data)
