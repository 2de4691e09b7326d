"""The functions' sections of a GNU ld or gold link map (-Map), for scripts/order-file.

    link_map.py entries MAP     "HEXADDRESS SECTION" of every non-empty .text.* input section
                                (one per address: the link placed each function in its own)
    link_map.py order HITS      the sections that ran (ordertrace's output) as a
                                --section-ordering-file: first run first, each once, without the
                                catch-all .text sections of objects built without
                                -ffunction-sections (naming them would move them all)
"""
import re
import sys

SECTION_ALONE = re.compile(r"^ (\.text\S*)\s*$")
SECTION_WITH_PLACE = re.compile(r"^ (\.text\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+\S")
PLACE = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+\S")
CATCH_ALL = {".text", ".text.unlikely", ".text.hot", ".text.startup", ".text.exit"}


def entries(map_path):
    lines = open(map_path, encoding="utf-8", errors="replace").read().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(".text "))
    pending, seen = None, set()
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break  # the next output section
        match = SECTION_ALONE.match(line)
        if match:
            pending = match.group(1)
            continue
        match = SECTION_WITH_PLACE.match(line)
        if match:
            name, address, size = match.group(1), int(match.group(2), 16), int(match.group(3), 16)
        else:
            match = PLACE.match(line)
            if not (match and pending):
                continue
            name, address, size = pending, int(match.group(1), 16), int(match.group(2), 16)
        pending = None
        if size and address not in seen:
            seen.add(address)
            print(f"{address:x} {name}")


def order(hits_path):
    seen = set()
    for name in open(hits_path, encoding="utf-8").read().split():
        if name not in CATCH_ALL and name not in seen:
            seen.add(name)
            print(name)


if __name__ == "__main__":
    {"entries": entries, "order": order}[sys.argv[1]](sys.argv[2])
