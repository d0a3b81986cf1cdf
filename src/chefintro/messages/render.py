"""Filling the message templates: Jinja2 in a sandbox (the only jinja2 importer).

Each kind has three templates: ``<kind>.subject.txt`` (one line), ``<kind>.txt`` (the
plain-text body) and ``<kind>.html`` (the HTML body, autoescaped). The built-in Swedish
ones live in ``templates/`` beside this file; ``--template DIR`` puts edited copies in
front of them, file by file. A template that does not parse, or that names a field the
kind does not have, stops everything with its file and line (exit 65) before any message
is written or sent.

An edited template is someone's text run against everyone's data, so it runs fenced in:
Jinja2's immutable sandbox, each message with a fresh copy of its fields (nothing one
message's template does reaches the next), and a :class:`_Budget` per message — time,
output size, include/macro depth, and the size of a string or number an operator may
make. Whatever stops a template is exit 65 with its file and line. ``--template DIR``
serves only files inside DIR: a symbolic link out of it is refused.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import sys
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from chefintro.errors import InvalidInputError, UnreadableInputError
from chefintro.messages.content import FIELDS, KINDS, Outgoing

BUILTIN_DIR = Path(__file__).parent / "templates"
PARTS = ("subject.txt", "txt", "html")
_SPACE = re.compile(r"\s+")

#: The most time one message's templates may take, in seconds.
TIME_LIMIT_SECONDS = 2.0
#: The most characters one filled template may hold.
OUTPUT_LIMIT = 1_000_000
#: The deepest templates may include each other or call macros.
DEPTH_LIMIT = 40
#: The longest string or list an operator or filter may make, and the largest number.
VALUE_LIMIT = 100_000
NUMBER_LIMIT = 10**18
_WIDTH = re.compile(r"%[-#0 +]*(\d+)|\{[^{}]*?(\d{6,})[^{}]*\}")


class TemplateStopped(Exception):
    """A template went past one of its limits (time, size, depth)."""


class TooDeep(TemplateStopped):
    """Templates included each other, or macros called each other, too deep."""


class _Budget:
    """The limits of one message's rendering, checked as the template's own code runs.

    Jinja2 compiles a template to Python; a trace function sees each line of that code
    (and nothing else), so an empty loop in a loop, a self-include or a macro calling
    itself is stopped by time or depth however little it writes.
    """

    def __init__(self, template_files: set[str]) -> None:
        self.files = template_files
        self.deadline = time.monotonic() + TIME_LIMIT_SECONDS
        self.depth = 0
        self.lines = 0

    def _local(self, frame: FrameType, event: str, _arg: object) -> Callable[..., Any] | None:
        if event == "line":
            self.lines += 1
            if self.lines % 1024 == 0 and time.monotonic() > self.deadline:
                raise TemplateStopped(
                    f"it took more than {TIME_LIMIT_SECONDS:g} seconds for one message "
                    "(a loop without end, or loops in loops?)"
                )
        elif event == "return":
            self.depth -= 1
        return self._local

    def trace(self, frame: FrameType, event: str, _arg: object) -> Callable[..., Any] | None:
        if event != "call" or frame.f_code.co_filename not in self.files:
            return None
        self.depth += 1
        if self.depth > DEPTH_LIMIT:
            raise TooDeep(
                f"templates and macros call each other more than {DEPTH_LIMIT} deep "
                "(does a template include itself, or a macro call itself?)"
            )
        return self._local

    def render(self, template: Any, context: dict[str, Any], *, traced: bool = True) -> str:
        previous = sys.gettrace()
        if traced:
            sys.settrace(self.trace)
        try:
            size = 0
            pieces = []
            chunks: Generator[str, None, None] = template.generate(context)
            for chunk in chunks:
                size += len(chunk)
                if size > OUTPUT_LIMIT:
                    # Thrown in where the template is, so that its line can be named.
                    chunks.throw(
                        TemplateStopped(
                            f"it wrote more than {OUTPUT_LIMIT:,} characters for one message"
                        )
                    )
                pieces.append(chunk)
            return "".join(pieces)
        finally:
            if traced:
                sys.settrace(previous)


def _too_big(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return abs(value) > NUMBER_LIMIT
    if isinstance(value, str | bytes | list | tuple):
        return len(value) > VALUE_LIMIT
    return False


def _checked(value: object) -> object:
    if _too_big(value):
        raise TemplateStopped(
            f"it made a value larger than the limit ({VALUE_LIMIT:,} characters or items)"
        )
    return value


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


def _guarded_environment() -> type:
    """Return the immutable sandbox with operators and padding filters held to the limits."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Guarded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(("*", "**", "%", "+"))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and _huge_power(left, right):
                raise TemplateStopped("it raised a number to a power past 2**63")
            if operator == "*":
                for count, other in ((left, right), (right, left)):
                    if isinstance(count, int) and hasattr(other, "__len__"):
                        if count * len(other) > VALUE_LIMIT:
                            raise TemplateStopped(
                                f"it repeated a text or list past {VALUE_LIMIT:,} characters"
                            )
            if operator == "%" and isinstance(left, str):
                _check_widths(left)
            return _checked(super().call_binop(context, operator, left, right))

        def call(self, context: Any, obj: Any, *args: Any, **kwargs: Any) -> Any:
            method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
            if getattr(method, "__name__", None) in ("format", "format_map") and isinstance(
                getattr(method, "__self__", None), str
            ):
                _check_widths(method.__self__)
            return _checked(super().call(context, obj, *args, **kwargs))

    return Guarded


def _huge_power(base: object, exponent: object) -> bool:
    numbers = (int, float)
    if not isinstance(base, numbers) or not isinstance(exponent, numbers):
        return False
    if abs(base) <= 1 or exponent <= 0:
        return False
    return float(exponent) * math.log2(abs(base)) > 63


def _check_widths(fmt: str) -> None:
    for match in _WIDTH.finditer(fmt):
        width = match.group(1) or match.group(2)
        if width and int(width) > VALUE_LIMIT:
            raise TemplateStopped(f"a format asks for a width of {int(width):,} characters")


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    # wraps keeps Jinja2's mark of a filter that takes the evaluation context first
    # (join does): without it the filter was called without one (exit 70).
    @functools.wraps(original)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        for number in (*args, *kwargs.values()):
            if isinstance(number, int) and not isinstance(number, bool) and number > VALUE_LIMIT:
                raise TemplateStopped(f"the filter {name} was given {number:,}")
        return _checked(original(value, *args, **kwargs))

    return bounded


def _inside_loader(folder: Path) -> Any:
    """Return a loader of ``folder``'s templates that refuses a symbolic link out of it."""
    from jinja2 import Environment, FileSystemLoader

    root = folder.resolve()

    class Inside(FileSystemLoader):
        def get_source(
            self, environment: Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            source, filename, uptodate = super().get_source(environment, template)
            real = Path(filename).resolve()
            if not real.is_relative_to(root):
                raise _template_error(
                    filename,
                    None,
                    "it is a link to a file outside the template folder; copy the file in instead",
                )
            return source, filename, uptodate

    return Inside(str(folder), encoding="utf-8")


def _environment(template_dir: Path | None) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined

    loaders: list[Any] = [FileSystemLoader(str(BUILTIN_DIR), encoding="utf-8")]
    if template_dir is not None:
        if not template_dir.is_dir():
            raise UnreadableInputError(
                f"The template folder {template_dir} does not exist or is not a folder; "
                "'chefintro message templates DIR' writes one to edit."
            )
        loaders.insert(0, _inside_loader(template_dir))
    environment = _guarded_environment()(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".html")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name in ("center", "indent", "wordwrap", "truncate", "format", "join", "batch", "slice"):
        environment.filters[name] = _bounded_filter(name, environment.filters[name])
    # Jinja2's placeholder text: lipsum(10**7) writes gigabytes in its own code, where
    # neither the time limit nor the output limit can stop it. A letter has no use for it.
    environment.globals.pop("lipsum", None)
    return environment


def _template_error(path: str, line: int | None, message: str) -> InvalidInputError:
    where = f"{path}, line {line}" if line else path
    return InvalidInputError(
        f"Template {where}: {message.rstrip('.')}. Nothing was written or sent; fix the template "
        "(or leave it out of --template to use the built-in one)."
    )


@dataclass(frozen=True)
class _Loaded:
    """A checked template, and whether it runs each of its lines at most once."""

    template: Any
    straight: bool


def _straight(tree: Any) -> bool:
    """Tell whether a parsed template runs each of its lines at most once: no loop, no
    macro or call block, no block and no other template (include, import, extends). Such
    a template cannot loop or call itself, so its time and depth are bounded by its own
    length and it is filled without the trace hook of :class:`_Budget`, which costs about
    a tenth of `message intro` (issue 32); its output and values are limited as before."""
    from jinja2 import nodes

    unbounded = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.Block, nodes.Include,
                 nodes.Import, nodes.FromImport, nodes.Extends)  # fmt: skip
    return next(tree.find_all(unbounded), None) is None


def _load(environment: Any, name: str, allowed: Sequence[str]) -> _Loaded:
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
        return _Loaded(environment.get_template(name), _straight(tree))
    except TemplateSyntaxError as exc:  # pragma: no cover - parsed above already
        raise _template_error(filename, exc.lineno, exc.message or "syntax error") from None


class Renderer:
    """One kind's templates, loaded and checked once, filling one message at a time.

    Loading raises InvalidInputError (exit 65) for a template that does not parse or names
    an unknown field, before any message is filled; :meth:`render` raises it for a message
    its templates stop on.
    """

    def __init__(self, kind: str, template_dir: Path | None = None) -> None:
        self.environment = _environment(template_dir)
        self.templates = {
            part: _load(self.environment, f"{kind}.{part}", FIELDS[kind]) for part in PARTS
        }

    def render(self, item: Outgoing) -> Rendered:
        """Fill the templates for one message."""
        # A fresh copy of the fields for every message: nothing a template does to them
        # can reach another message (the sandbox refuses changes to them as well).
        context = _fresh(item.context)
        filled = {
            part: _fill(self.environment, loaded.template, context, traced=not loaded.straight)
            for part, loaded in self.templates.items()
        }
        subject = _SPACE.sub(" ", filled["subject.txt"]).strip()
        if not subject:
            raise _template_error(
                self.templates["subject.txt"].template.filename, None, "the subject is empty"
            )
        return Rendered(outgoing=item, subject=subject, text=filled["txt"], html=filled["html"])


def _fresh(value: Any) -> Any:
    """Return a copy of a message's fields: dicts and lists copied all the way down, plain
    values as they are (they cannot be changed), anything else deep-copied."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)


def render_messages(
    kind: str, items: Sequence[Outgoing], *, template_dir: Path | None = None
) -> list[Rendered]:
    """Fill the kind's templates for every message, or raise InvalidInputError (exit 65)."""
    renderer = Renderer(kind, template_dir)
    return [renderer.render(item) for item in items]


def _fill(environment: Any, template: Any, context: dict[str, Any], *, traced: bool = True) -> str:
    """Fill one template with one message's fields, within its budget (``traced``: with
    the trace hook that limits its time and depth); raise InvalidInputError."""
    from jinja2 import TemplateError, UndefinedError
    from jinja2.exceptions import SecurityError

    files = {str(template.filename), *_template_files(environment)}
    try:
        return _Budget(files).render(template, context, traced=traced)
    except (UndefinedError, SecurityError) as exc:
        where, line = _where(exc.__traceback__, files, template.filename)
        raise _template_error(where, line, str(exc.message)) from None
    except InvalidInputError:
        raise
    except TemplateStopped as exc:
        # Too deep: name where it began (the outermost call); otherwise where it stopped.
        outermost = isinstance(exc, TooDeep)
        where, line = _where(exc.__traceback__, files, template.filename, outermost=outermost)
        raise _template_error(where, line, f"stopped: {exc}") from None
    except RecursionError:
        raise _template_error(
            template.filename, None, "stopped: templates or macros call each other without end"
        ) from None
    except TemplateError as exc:
        where, line = _where(exc.__traceback__, files, template.filename)
        raise _template_error(where, line, str(exc)) from None
    except (ArithmeticError, ValueError, TypeError, LookupError, MemoryError) as exc:
        where, line = _where(exc.__traceback__, files, template.filename)
        reason = str(exc) or type(exc).__name__
        raise _template_error(where, line, f"stopped: {reason}") from None


def _template_files(environment: Any) -> set[str]:
    """Return the file names of the templates loaded so far (includes, imports)."""
    cache = getattr(environment, "cache", None) or {}
    return {str(t.filename) for t in cache.values() if getattr(t, "filename", None)}


def _where(
    traceback: TracebackType | None, files: set[str], default: str, *, outermost: bool = False
) -> tuple[str, int | None]:
    """Return the template file and line an error came from (Jinja2 rewrites tracebacks
    to template lines): the innermost template frame, or the outermost if asked."""
    found: tuple[str, int | None] = (default, None)
    while traceback is not None:
        name = traceback.tb_frame.f_code.co_filename
        if name in files:
            found = (name, traceback.tb_lineno)
            if outermost:
                return found
        traceback = traceback.tb_next
    return found
