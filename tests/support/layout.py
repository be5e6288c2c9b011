"""Layout checks run in the browser tests (page.evaluate)."""

from __future__ import annotations

# The labels of a form not beside (same row, to the left) or just above their own field.
LABELS_OFF_THEIR_FIELDS = """sel => [...document.querySelectorAll(sel + ' label[for]')]
  .filter(label => {
    const l = label.getBoundingClientRect();
    const f = document.getElementById(label.htmlFor).getBoundingClientRect();
    const beside = f.left >= l.right && f.top < l.bottom && l.top < f.bottom;
    const above = f.top >= l.bottom - 1 && f.top - l.bottom < 16 && f.left <= l.left + 1;
    return !(beside || above);
  }).map(label => label.textContent)"""
