#!/usr/bin/env python3
"""Print, as CREATE OR REPLACE, the functions of the extension pieces whose
definition differs between two installed versions (with their COMMENTs).

    upgrade_functions.py DIFF_FILE PIECE...

DIFF_FILE lists one function name per line (schema.name, as the pieces
spell it after @extschema@ is replaced by chibo).  Used when writing an
upgrade step (sql/upgrades/chibo--A--B.sql): the step redefines exactly
these functions, in the pieces' own words, so that the updated extension
is the one CREATE EXTENSION makes (the upgrade stage of the test command
compares them object by object).
"""
import re
import sys


def statements(path):
    """Yield (qualified name, text) of each CREATE FUNCTION in a piece."""
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        m = re.match(r'CREATE FUNCTION ([@\w]+)\.(\w+)\(', lines[i])
        if not m:
            i += 1
            continue
        start, atomic, dollar = i, False, None
        while True:
            line = lines[i]
            if dollar is None and not atomic:
                if re.match(r'BEGIN ATOMIC\s*$', line):
                    atomic = True
                d = re.search(r'\bAS (\$\w*\$)', line)
                if d:
                    dollar = d.group(1)
                    if line.rstrip().endswith(dollar + ';') and line.count(dollar) == 2:
                        break
                elif not atomic and line.rstrip().endswith(';'):
                    break   # a C function: AS 'MODULE_PATHNAME', ... ;
            elif atomic and line == 'END;':
                break
            elif dollar is not None and line.startswith(dollar) and line.rstrip() == dollar + ';':
                break
            i += 1
        # and the function's COMMENT, if it follows
        if i + 1 < len(lines) and lines[i + 1].startswith('COMMENT ON FUNCTION'):
            i += 1
            while not lines[i].rstrip().endswith(';'):
                i += 1
        text = '\n'.join(lines[start:i + 1])
        schema = m.group(1).replace('@extschema@', 'chibo')
        yield schema + '.' + m.group(2), text.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1)
        i += 1


def main():
    wanted = [w.strip() for w in open(sys.argv[1]) if w.strip()]
    found = {}
    for piece in sys.argv[2:]:
        for name, text in statements(piece):
            found.setdefault(name, []).append(text)
    missing = [w for w in wanted if w not in found]
    if missing:
        sys.exit('not found in the pieces: ' + ', '.join(missing))
    for piece in sys.argv[2:]:
        for name, text in statements(piece):
            if name in wanted:
                print(text)
                print()


if __name__ == '__main__':
    main()
