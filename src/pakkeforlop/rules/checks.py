"""The registry of rule implementations: each check is a function registered under a rule id.

A check never prints, exits or knows about reports: it receives a subject (a document, a
pathway instance or the whole export) and yields :class:`Hit` records; the engine turns them
into findings with the catalogue's severity and message.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any, TypeVar

from pakkeforlop.model.findings import MessageArg
from pakkeforlop.model.records import Document, ExportFacts, PathwayInstance


class Scope(StrEnum):
    """What a check looks at."""

    DOCUMENT = "document"
    INSTANCE = "instance"
    EXPORT = "export"
    ENGINE = "engine"


@dataclass(frozen=True, slots=True)
class Hit:
    """A check's report of one place where its rule fires.

    ``pointer`` is a JSON Pointer into the subject document; ``path`` and ``line`` override the
    subject's own location (instance checks point at the event or document concerned).
    ``xpath`` is the element concerned, for checks on KITH XML messages (with its ``line``).
    """

    pointer: str | None = None
    args: Mapping[str, MessageArg] = field(default_factory=dict)
    path: str | None = None
    line: int | None = None
    xpath: str | None = None


@dataclass(frozen=True, slots=True)
class ExportView:
    """What an export-scope check sees: the manifest's facts and every instance."""

    facts: ExportFacts
    instances: Mapping[str, PathwayInstance]
    #: What export checks derived from the view, shared among them; it goes with the view.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


DocumentFunction = Callable[[Document, ExportFacts], Iterable[Hit]]
InstanceFunction = Callable[[PathwayInstance, ExportFacts], Iterable[Hit]]
ExportFunction = Callable[[ExportView], Iterable[Hit]]
Applies = Callable[[Any, ExportFacts], bool]
#: What an export check made of parts computes of some of the instances (see
#: :attr:`Check.part`).
ExportPart = Callable[[Iterable[PathwayInstance], ExportFacts], Any]
#: What makes a check's hits on a document repeats of an earlier document's in the same file.
OncePerFile = Callable[[Document, ExportFacts], Hashable]
#: A test that none of a table's checks finds anything in a document, or in a pathway instance
#: (see :attr:`Check.quiet`).
Quiet = Callable[[Any, ExportFacts], bool]


class Present:
    """A quiet test (see :attr:`Check.quiet`): every member at these paths (member names from
    the document's root) is there with a value that is not empty, false, zero or null.

    Why: it clears checks that find something only where such a member is missing, false or
    empty, at a look-up per member, made in C for the members of one object (an
    ``itemgetter``: half the cost of ``dict.get`` called through ``map``).
    """

    __slots__ = ("_places", "paths")

    def __init__(self, *paths: tuple[str, ...]) -> None:
        self.paths = paths
        places: dict[tuple[str, ...], list[str]] = {}
        for path in paths:
            places.setdefault(path[:-1], []).append(path[-1])
        #: Each parent object's path, and what gives the values of the members asked for in it.
        self._places = tuple((parent, _values(*names)) for parent, names in places.items())

    def __call__(self, document: Document, _facts: ExportFacts) -> bool:
        try:
            for parent, values in self._places:
                holder: Any = document.value
                for name in parent:
                    holder = holder[name]
                if not all(values(holder)):
                    return False
        except (KeyError, TypeError):  # a member missing, or where a value is not an object
            return False
        return True


def _values(*names: str) -> Callable[[Any], tuple[Any, ...]]:
    """What gives the values of these members of an object, as a tuple."""
    values = itemgetter(*names)
    if len(names) > 1:
        return values
    return lambda holder: (values(holder),)  # (one name's itemgetter gives the value itself)


def always(_subject: object, _facts: ExportFacts) -> bool:
    """The default ``applies``: every subject of the check's kinds (the engine skips the call)."""
    return True


#: The document conditions that read the export's facts alone (see :func:`export_condition`).
_EXPORT_CONDITIONS: set[Applies] = set()

A = TypeVar("A", bound=Applies)


def export_condition(condition: A) -> A:
    """Mark a document check's condition (``applies``) that reads nothing of the document,
    only the export's facts (whether the manifest gives its creation day, say).

    Why: such a condition gives one answer for every document of an export; the engine asks
    it once per export's facts, not once per document (a call each, on every document).
    """
    _EXPORT_CONDITIONS.add(condition)
    return condition


def of_the_export(condition: Applies) -> bool:
    """Whether ``condition`` reads only the export's facts (see :func:`export_condition`)."""
    return condition in _EXPORT_CONDITIONS


def has_events(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """Whether a pathway instance has events: the ``given`` (see :attr:`Check.given`) of the
    instance checks that judge its events. A count, not the events: asking makes no records."""
    return instance.event_count > 0


@dataclass(frozen=True, slots=True)
class Check:
    """One registered rule implementation."""

    rule_id: str
    scope: Scope
    kinds: frozenset[str]
    function: Callable[..., Iterable[Hit]]
    applies: Applies = always
    #: The members of an NDJSON event line (kind ``pathway-event``) that the check and its
    #: ``applies`` read, when they read nothing else of it but the export's facts (``None``:
    #: undeclared): lines equal in these members get equal hits, so the engine may check
    #: each distinct combination once.
    reads: tuple[str, ...] | None = None
    #: For a check that reports a value once per file: the value. The engine keeps the hits
    #: of the first document of a file with that value, and drops the others'.
    once_per_file: OncePerFile | None = None
    #: For a document check of a table of checks that look at a document alike (the presence
    #: of a referral's content items, say): a test, shared by the table's checks, that holds
    #: only for a document in which none of them hits (total: it never raises). The engine
    #: asks it once per document and, where it holds, calls none of them (each is exercised
    #: all the same, where its ``applies`` holds); where it does not, each runs as any other
    #: check. Why: most documents are complete, and one look at the whole table costs a
    #: fraction of its checks run one by one (a call and a result each). The same for an
    #: instance check, per instance.
    quiet: Quiet | None = None
    #: For an export check that sums up the instances: what it computes of some of them,
    #: run in the process that checked them (where the instance checks remembered what it
    #: reads, ``PathwayInstance.remember``); its ``function`` then takes the export view and
    #: every process's part, in any order. Where a forked worker checks some of the
    #: instances, it sends back its part; such a check, and the export checks after it, run
    #: once it has, and the ones before it meanwhile.
    part: ExportPart | None = None
    #: For an instance check: a condition many checks share, asked before ``applies`` (the
    #: check applies where both hold; :func:`has_events`, say). The engine asks it once per
    #: instance for the checks next to each other in rule-id order that share it, and skips
    #: them all where it does not hold. Why: an instance read only from documents has no
    #: events (an export of documents alone has none), and most instance checks judge
    #: events; one answer spares asking each of their conditions.
    given: Applies | None = None


class InstanceStep:
    """Instance checks next to each other in rule-id order that share their condition
    (``applies``) and their ``quiet`` test (see :attr:`Check.quiet`), run as one: the
    condition is asked once per instance (and the quiet test once where it holds), and the
    checks' rules are added to a result's exercised rules once, the first time it holds (the
    set only grows, and a new part's result is a new set: the step remembers which set it
    last added them to). Why: the instance checks ran one by one, each asking its condition
    and adding its rule, for every instance of an export. Identical to checking one by one:
    a step whose condition holds runs (and so exercises) every one of its checks, unless its
    quiet test says none of them finds anything.
    """

    __slots__ = ("applies", "checks", "exercised_into", "quiet", "rule_ids")

    def __init__(self, checks: tuple[Check, ...], quiet: Quiet | None) -> None:
        self.applies = checks[0].applies
        #: The checks' quiet test, as one that does not raise (see :func:`total_quiet`).
        self.quiet = quiet
        self.checks = checks
        self.rule_ids = tuple(check.rule_id for check in checks)
        #: The set of exercised rules the step's rules were last added to.
        self.exercised_into: set[str] | None = None

    @classmethod
    def plan(cls, checks: Iterable[Check]) -> list[tuple[Applies, list[InstanceStep]]]:
        """``checks`` (in rule-id order) as steps, in the same order, in blocks of the steps
        next to each other that share their ``given`` (see :attr:`Check.given`), each with
        that condition (:func:`always` for checks without one)."""
        blocks: list[tuple[Applies, list[Check]]] = []
        for check in checks:
            given = always if check.given is None else check.given
            if not blocks or blocks[-1][0] is not given:
                blocks.append((given, []))
            blocks[-1][1].append(check)
        made: dict[Quiet, Quiet] = {}
        return [
            (given, [cls(tuple(run), total_quiet(run[0].quiet, made)) for run in alike_runs(block)])
            for given, block in blocks
        ]


def alike_runs(checks: Iterable[Check]) -> list[list[Check]]:
    """``checks`` (in rule-id order) cut into runs of checks next to each other that share
    their condition (``applies``) and their ``quiet`` test: what runs as one step, of
    documents or of instances."""
    runs: list[list[Check]] = []
    for check in checks:
        last = runs[-1][-1] if runs else None
        if last is not None and (last.applies, last.quiet) == (check.applies, check.quiet):
            runs[-1].append(check)
        else:
            runs.append([check])
    return runs


def total_quiet(quiet: Quiet | None, made: dict[Quiet, Quiet]) -> Quiet | None:
    """``quiet`` as a test that does not raise (one that fails clears nothing: the checks then
    run, and report what they find, as they would without it); the same one for every step of
    one quiet test (kept in ``made``), so that it is asked once per document or instance."""
    if quiet is None:
        return None
    found = made.get(quiet)
    if found is None:

        def found(subject: Any, facts: ExportFacts) -> bool:
            try:
                return bool(quiet(subject, facts))
            except Exception:  # a shortcut only
                return False

        made[quiet] = found
    return found


_REGISTRY: dict[str, Check] = {}

F = TypeVar("F", bound=Callable[..., Iterable[Hit]])


def _register(check: Check) -> None:
    if check.rule_id in _REGISTRY:
        msg = f"{check.rule_id} is implemented twice"
        raise ValueError(msg)
    _REGISTRY[check.rule_id] = check


def document_check(
    rule_id: str,
    *kinds: str,
    applies: Applies = always,
    reads: tuple[str, ...] | None = None,
    once_per_file: OncePerFile | None = None,
    quiet: Quiet | None = None,
) -> Callable[[F], F]:
    """Register a check run on every document of the given kinds (see :class:`Check`)."""

    def decorate(function: F) -> F:
        kind_set = frozenset(kinds)
        _register(
            Check(rule_id, Scope.DOCUMENT, kind_set, function, applies, reads, once_per_file, quiet)
        )
        return function

    return decorate


def instance_check(
    rule_id: str,
    *,
    applies: Applies = always,
    given: Applies | None = None,
    quiet: Quiet | None = None,
) -> Callable[[F], F]:
    """Register a check run once per pathway instance, after every file has been read, on
    the instances where ``given`` (see :attr:`Check.given`) and ``applies`` hold (``quiet``:
    see :attr:`Check.quiet`)."""

    def decorate(function: F) -> F:
        kinds = frozenset({"pathway-event"})
        _register(
            Check(rule_id, Scope.INSTANCE, kinds, function, applies, quiet=quiet, given=given)
        )
        return function

    return decorate


def export_check(
    rule_id: str, *, applies: Applies = always, part: ExportPart | None = None
) -> Callable[[F], F]:
    """Register a check run once per export, after every instance check (``part``: what it
    computes of some of the instances, where they were checked; see :attr:`Check.part`)."""

    def decorate(function: F) -> F:
        kinds = frozenset({"export"})
        _register(Check(rule_id, Scope.EXPORT, kinds, function, applies, part=part))
        return function

    return decorate


def engine_rule(rule_id: str, *kinds: str) -> None:
    """Declare a rule the engine itself reports (input problems, schema violations)."""
    _register(Check(rule_id, Scope.ENGINE, frozenset(kinds), _no_hits))


def _no_hits(*_args: object) -> Iterable[Hit]:
    return ()


def registered() -> Mapping[str, Check]:
    """Every registered check, keyed by rule id (importing the rule modules registers them)."""
    import pakkeforlop.rules  # noqa: F401, PLC0415  (registration happens on import)

    return dict(_REGISTRY)


def by_scope(scope: Scope) -> list[Check]:
    """The registered checks of one scope, in rule-id order."""
    return sorted(
        (check for check in registered().values() if check.scope is scope),
        key=lambda check: check.rule_id,
    )
