"""Filling the message templates: Jinja2 in a sandbox (the only jinja2 importer).

Each kind has three templates: ``<kind>.subject.txt`` (one line), ``<kind>.txt`` (the
plain-text body) and ``<kind>.html`` (the HTML body, autoescaped). The built-in Swedish
ones live in ``templates/`` beside this file; ``--template DIR`` puts edited copies in
front of them, file by file. A template that does not parse, or that names a field the
kind does not have, stops everything with its file and line (exit 65) before any message
is written or sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from chefintro.errors import InvalidInputError, UnreadableInputError
from chefintro.messages.content import FIELDS, KINDS, Outgoing

BUILTIN_DIR = Path(__file__).parent / "templates"
PARTS = ("subject.txt", "txt", "html")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendered:
    """A message's filled templates."""

    outgoing: Outgoing
    subject: str
    text: str
    html: str


def template_names(kind: str) -> list[str]:
    """Return the file names of one kind's templates."""
    return [f"{kind}.{part}" for part in PARTS]


def builtin_templates() -> dict[str, str]:
    """Return every built-in template by file name."""
    return {
        name: (BUILTIN_DIR / name).read_text(encoding="utf-8")
        for kind in KINDS
        for name in template_names(kind)
    }


def _environment(template_dir: Path | None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders = [FileSystemLoader(str(BUILTIN_DIR), encoding="utf-8")]
    if template_dir is not None:
        if not template_dir.is_dir():
            raise UnreadableInputError(
                f"The template folder {template_dir} does not exist or is not a folder; "
                "'chefintro message templates DIR' writes one to edit."
            )
        loaders.insert(0, FileSystemLoader(str(template_dir), encoding="utf-8"))
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".html")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template_error(path: str, line: int | None, message: str) -> InvalidInputError:
    where = f"{path}, line {line}" if line else path
    return InvalidInputError(
        f"Template {where}: {message.rstrip('.')}. Nothing was written or sent; fix the template "
        "(or leave it out of --template to use the built-in one)."
    )


def _line_in(traceback: TracebackType | None, filename: str) -> int | None:
    """Return the template line an error came from (Jinja2 rewrites tracebacks to them)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _load(environment: Any, name: str, allowed: Sequence[str]) -> Any:
    """Load and check one template: it parses, and every top-level name is a known field."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    source, filename, _ = environment.loader.get_source(environment, name)
    try:
        tree = environment.parse(source, name, filename)
    except TemplateSyntaxError as exc:
        raise _template_error(filename, exc.lineno, exc.message or "syntax error") from None
    unknown = sorted(meta.find_undeclared_variables(tree) - set(allowed))
    if unknown:
        first = min(
            (node.lineno for node in tree.find_all(nodes.Name) if node.name in unknown),
            default=None,
        )
        names = ", ".join(repr(u) for u in unknown)
        fields = ", ".join(allowed)
        raise _template_error(
            filename, first, f"unknown field {names}; this template's fields are {fields}"
        )
    try:
        return environment.get_template(name)
    except TemplateSyntaxError as exc:  # pragma: no cover - parsed above already
        raise _template_error(filename, exc.lineno, exc.message or "syntax error") from None


def render_messages(
    kind: str, items: Sequence[Outgoing], *, template_dir: Path | None = None
) -> list[Rendered]:
    """Fill the kind's templates for every message, or raise InvalidInputError (exit 65)."""
    from jinja2 import TemplateError, UndefinedError
    from jinja2.exceptions import SecurityError

    environment = _environment(template_dir)
    templates = {part: _load(environment, f"{kind}.{part}", FIELDS[kind]) for part in PARTS}
    result = []
    for item in items:
        filled: dict[str, str] = {}
        for part, template in templates.items():
            try:
                filled[part] = template.render(item.context)
            except (UndefinedError, SecurityError) as exc:
                line = _line_in(exc.__traceback__, template.filename)
                raise _template_error(template.filename, line, str(exc.message)) from None
            except TemplateError as exc:
                line = _line_in(exc.__traceback__, template.filename)
                raise _template_error(template.filename, line, str(exc)) from None
        subject = _SPACE.sub(" ", filled["subject.txt"]).strip()
        if not subject:
            raise _template_error(templates["subject.txt"].filename, None, "the subject is empty")
        result.append(
            Rendered(outgoing=item, subject=subject, text=filled["txt"], html=filled["html"])
        )
    return result
