"""Typing into the code editor as a person does: focus it, select all, type (insert) the new text.

Playwright's ``fill`` selects a contenteditable's contents before focusing it, which races CodeMirror's
own selection handling on an editor that has no focus yet; Ctrl+A goes through the editor's keymap."""


def fill_code(locator, text: str) -> None:
    locator.click()
    locator.press("Control+a")
    if text:
        locator.page.keyboard.insert_text(text)
    else:
        locator.press("Delete")
