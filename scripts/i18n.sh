#!/usr/bin/env bash
# The translation catalogues. Source strings are Danish; grants/translations/<locale> holds
# the other languages (English: en).
#
#   scripts/i18n.sh extract   write grants/translations/messages.pot from the source
#                             (babel.cfg says where to look and which keywords mark a string)
#   scripts/i18n.sh update    extract, then merge the template into every catalogue; lists
#                             the strings that still need a translation
#   scripts/i18n.sh compile   compile the catalogues to .mo (build artefacts, gitignored)
#   scripts/i18n.sh check     fail if messages.pot is out of date or a catalogue is incomplete
#
# Choices, to keep diffs small and translations honest:
#   * Locations are written without line numbers (--add-location=file) and entries are
#     ordered by file: a translator still sees which page or module a string is on, and
#     editing a file does not rewrite the location comment of every string below the edit.
#   * messages.pot is only rewritten when its messages change, not for a new
#     POT-Creation-Date alone.
#   * No fuzzy matching: a new or changed string gets an empty translation rather than a
#     guess copied from a similar string. Fuzzy entries are not compiled, so a guess would
#     never reach the user anyway, but an empty msgstr is what a translator (and
#     tests/core/test_translations.py) looks for. Obsolete entries are dropped; git keeps
#     the old translation (it sits next to the new string in the diff).
set -euo pipefail

cd "$(dirname "$0")/.."

PYBABEL=.venv/bin/pybabel
PYTHON=.venv/bin/python
DIR=grants/translations
POT=$DIR/messages.pot
LOCALES=(en)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The messages of a .pot/.po without the POT-Creation-Date line, for comparing.
without_date() {
  grep -v '^"POT-Creation-Date: ' "$1"
}

# Extracts the messages of the source into $1. On a template that does not parse, says which.
extract_to() {
  if ! "$PYBABEL" extract \
    --mapping-file=babel.cfg \
    --add-location=file --sort-by-file \
    --project=Rejsetilskud --copyright-holder="Ballerup Kommune" \
    --output-file="$1" \
    . >"$work/extract.log" 2>&1; then
    grep '^extracting messages from' "$work/extract.log" | tail -n 1 >&2 || true
    tail -n 1 "$work/extract.log" >&2
    echo "extraction failed" >&2
    exit 1
  fi
}

extract() {
  mkdir -p "$DIR"
  extract_to "$work/messages.pot"
  if [[ -f $POT ]] && cmp -s <(without_date "$work/messages.pot") <(without_date "$POT"); then
    echo "$POT is up to date ($(count "$POT") messages)"
  else
    cp "$work/messages.pot" "$POT"
    echo "wrote $POT ($(count "$POT") messages)"
  fi
}

count() {
  "$PYTHON" - "$1" <<'EOF'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    print(sum(1 for m in read_po(f) if m.id))
EOF
}

# Lists what is untranslated or fuzzy in each catalogue; exits 1 if anything is.
status() {
  "$PYTHON" - "$DIR" "${LOCALES[@]}" <<'EOF'
import sys
from pathlib import Path
from babel.messages.pofile import read_po

directory, locales = Path(sys.argv[1]), sys.argv[2:]
incomplete = False
for locale in locales:
    po = directory / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    todo = [m for m in catalog if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else (m.string,)))]
    total = sum(1 for m in catalog if m.id)
    print(f"{po}: {total - len(todo)} of {total} messages translated")
    for m in todo:
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        print(f"  {'fuzzy' if m.fuzzy else 'missing'}: {msgid}")
    incomplete = incomplete or bool(todo) or catalog.fuzzy
    if catalog.fuzzy:
        print("  the header is marked fuzzy: pybabel compile would skip the whole catalogue")
sys.exit(1 if incomplete else 0)
EOF
}

update() {
  extract
  for locale in "${LOCALES[@]}"; do
    if [[ ! -f $DIR/$locale/LC_MESSAGES/messages.po ]]; then
      "$PYBABEL" -q init --input-file="$POT" --output-dir="$DIR" --locale="$locale"
    fi
  done
  "$PYBABEL" -q update --input-file="$POT" --output-dir="$DIR" \
    --no-fuzzy-matching --ignore-obsolete
  status || echo "Translate the strings above in $DIR/<locale>/LC_MESSAGES/messages.po."
}

compile() {
  if ! compgen -G "$DIR/*/LC_MESSAGES/messages.po" >/dev/null; then
    echo "no catalogues in $DIR to compile"
    return
  fi
  "$PYBABEL" -q compile --directory="$DIR"
}

check() {
  extract_to "$work/messages.pot"
  if ! cmp -s <(without_date "$work/messages.pot") <(without_date "$POT"); then
    echo "$POT is out of date: run scripts/i18n.sh update" >&2
    exit 1
  fi
  status
}

case "${1:-}" in
  extract | update | compile | check) "$1" ;;
  *)
    echo "usage: $0 extract|update|compile|check" >&2
    exit 2
    ;;
esac
