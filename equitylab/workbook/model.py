"""The team's improvement project: plain dataclasses that mirror the project file.

Every exercise in the first learning session ("Pursuing Equity", ELFT 2022) has a home
here: the breakout (topic, barriers, enablers), the team and its mix, the ladder of
co-production, the four "best chance of success" questions, the data plan, what we heard,
the aim, the driver diagram, measures with their data, PDSA cycles and the progress score.
Nothing here imports a user interface; the forms in :mod:`equitylab.widgets` sit on top.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date

from ..errors import DataError

# the file's reading, writing and import live beside this module and import it back; they read
# its names at call time (model.Project), so the classes below are defined before they are used
from . import measure_data, schema, store

SCHEMA_VERSION = 1

ROLES = (
    "service user", "carer", "expert by experience", "peer supporter", "clinician", "nurse",
    "doctor", "therapist", "manager", "administrator", "analyst", "QI coach", "sponsor",
    "improvement advisor", "community partner", "other",
)
LIVED_EXPERIENCE_ROLES = ("service user", "carer", "expert by experience", "peer supporter")
DECISION_MAKER_ROLES = ("manager", "sponsor")

# Think Local Act Personal ladder of co-production, bottom rung first.
LADDER = ("coercion", "educating", "informing", "consultation", "engagement", "co-design",
          "co-production")
LADDER_MEANING = {
    "coercion": "people are passive recipients; their views are not considered",
    "educating": "we help people understand the service",
    "informing": "we tell people about decisions and the reasons for them",
    "consultation": "we ask for views through surveys or meetings; this can be tokenistic",
    "engagement": "people have more chances to give views and some influence",
    "co-design": "people help design the change and have genuine influence, but do not see it through",
    "co-production": "an equal partnership from start to finish",
}
# ELFT: "little i" = consulted; "Big I" = service users and carers are full team members.
INVOLVEMENT = ("", "consulted", "full team members")

FOUR_QUESTIONS = {
    "diverse_team": "Is your diverse team comfortable with discussing bias and inequity?",
    "meeting_often": "Are there frequent opportunities to meet?",
    "coach_and_sponsor": "Do you have active support from a QI coach and sponsor?",
    "coproduction": "Is there authentic co-production and service user involvement?",
}

DATA_QUESTIONS = {
    "service": "What does our service and wider population data tell us about who is impacted by the issue?",
    "affected": "What can those who are affected tell us about the issue?",
    "staff": "What do people providing care or support think?",
}
DATA_KINDS = ("numbers", "words", "pictures")
HEARD_FROM = ("people affected", "staff")

NODE_KINDS = ("primary", "secondary", "change_idea")
NODE_KIND_NAMES = {"aim": "Aim", "primary": "Primary driver", "secondary": "Secondary driver",
                   "change_idea": "Change idea"}
STRENGTHS = ("strong", "weak")
MEASURE_KINDS = ("outcome", "process", "balancing")
ACTS = ("", "adopt", "adapt", "abandon")
IMPROVEMENT = ("", "increase", "decrease")
IMPROVEMENT_WORDS = {"": "no direction stated", "increase": "higher is better", "decrease": "lower is better"}

# IHI progress scores as Life QI shows them (blog.lifeqisystem.com/ihi-progress-scores).
PROGRESS_STAGES = {
    0.5: "Intent to participate",
    1.0: "Charter and team established",
    1.5: "Planning for the project has begun",
    2.0: "Activity, but no changes",
    2.5: "Changes tested, but no improvement",
    3.0: "Modest improvement",
    3.5: "Improvement",
    4.0: "Significant improvement",
    4.5: "Sustainable improvement",
    5.0: "Outstanding sustainable results",
}


def new_id(prefix: str) -> str:
    """A short random id; random so that two people adding items at once never collide."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _choice(*values):
    return {"choices": tuple(values)}


@dataclass
class Member:
    """One person on the team. ``name`` is optional; a lived-experience role is shown beside
    a name only when ``consent_to_name`` is true."""

    role: str = field(default="other", metadata=_choice(*ROLES))
    name: str = ""
    consent_to_name: bool = False
    decision_maker: bool = False
    notes: str = ""
    id: str = field(default_factory=lambda: new_id("member"))

    @property
    def lived_experience(self) -> bool:
        return self.role in LIVED_EXPERIENCE_ROLES

    def display(self) -> str:
        """How the member appears in anything shown to others, respecting naming consent."""
        if self.name and (self.consent_to_name or not self.lived_experience):
            return f"{self.name} ({self.role})"
        return self.role[:1].upper() + self.role[1:]


@dataclass
class Coproduction:
    """Where the project stands on the ladder of co-production and where it aims to be."""

    current_rung: str = field(default="", metadata=_choice("", *LADDER))
    target_rung: str = field(default="", metadata=_choice("", *LADDER))
    evidence: str = ""
    involvement: str = field(default="", metadata=_choice(*INVOLVEMENT))
    next_steps: str = ""


@dataclass
class Answer:
    """One row of the "where are you now and where do you want to be" exercise."""

    where_we_are: str = ""
    next_steps: str = ""


@dataclass
class BestChance:
    """The four questions that give improvement work its best chance of success."""

    diverse_team: Answer = field(default_factory=Answer)
    meeting_often: Answer = field(default_factory=Answer)
    coach_and_sponsor: Answer = field(default_factory=Answer)
    coproduction: Answer = field(default_factory=Answer)


@dataclass
class DataPlanItem:
    """One line of the data plan: which of the three questions, numbers/words/pictures,
    what to look at or ask, how to collect it, and the challenges."""

    question: str = field(default="service", metadata=_choice(*DATA_QUESTIONS))
    kind: str = field(default="numbers", metadata=_choice(*DATA_KINDS))
    what: str = ""
    ask: str = ""
    how_to_collect: str = ""
    challenges: str = ""
    id: str = field(default_factory=lambda: new_id("data"))


@dataclass
class Quote:
    """Something we heard, with the speaker's role (never their name)."""

    text: str = ""
    speaker_role: str = ""
    heard_from: str = field(default="people affected", metadata=_choice(*HEARD_FROM))
    consent: bool = False
    theme: str = ""
    driver: str = ""
    id: str = field(default_factory=lambda: new_id("quote"))

    def identifiers(self) -> list[str]:
        return identifier_kinds(self.text)


@dataclass
class Aim:
    """IHI aim fields (what, how much, by when, for whom, where) plus the equity gap:
    the group experiencing the inequity and the group it is compared with."""

    what: str = ""
    group: str = ""
    comparison_group: str = ""
    baseline: float | None = None
    target: float | None = None
    unit: str = ""
    by_when: date | None = None
    for_whom: str = ""
    where: str = ""
    statement: str = ""

    def sentence(self) -> str:
        """The aim as one sentence: the team's own wording, else one built from the fields."""
        if self.statement.strip():
            return self.statement.strip()
        if not self.what:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        parts = [self.what.strip()]
        if self.group and self.comparison_group:
            parts = [f"reduce the gap in {self.what.strip()} between {self.group} and {self.comparison_group}"]
        elif self.group:
            parts.append(f"for {self.group}")
        if self.baseline is not None and self.target is not None:
            parts.append(f"from {_num(self.baseline)}{unit} to {_num(self.target)}{unit}")
        if self.where:
            parts.append(f"in {self.where}")
        if self.by_when:
            parts.append(f"by {self.by_when.day} {self.by_when:%B %Y}")
        text = " ".join(parts)
        return text[:1].upper() + text[1:]


def _num(x: float) -> str:
    return f"{x:g}"


@dataclass
class Node:
    """A box in the driver diagram: a primary or secondary driver or a change idea."""

    kind: str = field(default="primary", metadata=_choice(*NODE_KINDS))
    text: str = ""
    measures: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("node"))


def _same_words(a: str, b: str) -> bool:
    """Two box texts say the same thing: the same words, whatever the case, spacing or final full stop."""
    def words(text: str) -> str:
        return " ".join(text.casefold().split()).rstrip(".!;: ")
    return words(a) == words(b)


@dataclass
class Link:
    """A many-to-many link between two nodes (or from the aim, id ``aim``); solid when strong."""

    source: str = "aim"
    target: str = ""
    strength: str = field(default="strong", metadata=_choice(*STRENGTHS))
    id: str = field(default_factory=lambda: new_id("link"))


@dataclass
class DriverDiagram:
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def add(self, kind: str, text: str, *, linked_to: str | list[str] | None = None,
            strength: str = "strong", node_id: str | None = None) -> Node:
        """Add a node; ``linked_to`` names the node(s) to its left (``"aim"`` for a primary driver)."""
        if kind not in NODE_KINDS:
            raise DataError(f"A driver diagram box must be one of {', '.join(NODE_KINDS)}, not '{kind}'",
                            hint="Use 'primary', 'secondary' or 'change_idea'")
        twin = next((n for n in self.nodes if n.kind == kind and _same_words(n.text, text)), None)
        if twin is not None:
            name = NODE_KIND_NAMES[kind].lower()
            raise DataError(f"There is already a {name} box that says \u201c{twin.text}\u201d",
                            hint="Link to that box instead of adding it again")
        node = Node(kind=kind, text=text, **({"id": node_id} if node_id else {}))
        self.nodes.append(node)
        if linked_to is None and kind == "primary":
            linked_to = "aim"
        for left in [linked_to] if isinstance(linked_to, str) else (linked_to or []):
            self.link(left, node.id, strength)
        return node

    def link(self, source: str, target: str, strength: str = "strong") -> Link:
        """Link ``source`` (left) to ``target`` (right); relinking changes the strength."""
        ids = {"aim"} | {n.id for n in self.nodes}
        for end in (source, target):
            if end not in ids:
                raise DataError(f"There is no box with id '{end}' in the driver diagram",
                                hint="Add the box first, then link it")
        if strength not in STRENGTHS:
            raise DataError(f"A link is 'strong' or 'weak', not '{strength}'")
        for existing in self.links:
            if existing.source == source and existing.target == target:
                existing.strength = strength
                return existing
        link = Link(source=source, target=target, strength=strength)
        self.links.append(link)
        return link

    def remove(self, node_id: str) -> None:
        self.nodes = [n for n in self.nodes if n.id != node_id]
        self.links = [lk for lk in self.links if node_id not in (lk.source, lk.target)]


@dataclass
class DataPoint:
    """One period's value for one group: numerator over denominator, or a value alone."""

    period: date | None = None
    group: str = "All"
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    note: str = ""

    def result(self, multiplier: float = 100.0) -> float | None:
        if self.value is not None:
            return self.value
        if self.numerator is not None and self.denominator:
            return self.numerator / self.denominator * multiplier
        return None


@dataclass
class Measure:
    """An outcome, process or balancing measure with its operational definition."""

    name: str = ""
    kind: str = field(default="outcome", metadata=_choice(*MEASURE_KINDS))
    definition: str = ""
    numerator: str = ""
    denominator: str = ""
    data_source: str = ""
    stratified_by: list[str] = field(default_factory=list)
    multiplier: float = 100.0
    unit: str = "%"
    # which way is better (Making Data Count's improvement direction): "increase", "decrease", or "" when
    # the team has not said, and then a signal on its chart is neither improvement nor concern
    improvement: str = field(default="", metadata=_choice(*IMPROVEMENT))
    data: list[DataPoint] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("measure"))

    @property
    def direction_words(self) -> str:
        """The improvement direction as a reader says it."""
        return IMPROVEMENT_WORDS[self.improvement]

    def add_period(self, period: date, group: str = "All", *, numerator: float | None = None,
                   denominator: float | None = None, value: float | None = None,
                   note: str = "") -> DataPoint:
        """Add (or replace) one period's value for one group: the "add this period" form."""
        if numerator is None and value is None:
            raise DataError(f"Give a numerator and denominator, or a value, for {self.name or 'this measure'}")
        if numerator is not None and denominator is not None:
            if denominator <= 0:
                raise DataError("The denominator must be more than zero", column="denominator")
            if numerator < 0 or numerator > denominator:
                raise DataError("The numerator must be between zero and the denominator", column="numerator")
        group = group or "All"
        point = DataPoint(period=period, group=group, numerator=numerator, denominator=denominator,
                          value=value, note=note)
        self.data = [p for p in self.data if not (p.period == period and p.group == group)]
        self.data.append(point)
        self.data.sort(key=lambda p: (p.period or date.min, p.group))
        return point


@dataclass
class Plan:
    who: str = ""
    what: str = ""
    when: str = ""
    where: str = ""


@dataclass
class PDSA:
    """One Plan-Do-Study-Act cycle (IHI PDSA worksheet, kept as a log)."""

    change_idea: str = ""
    cycle: int = 1
    objective: str = ""
    questions: str = ""
    predictions: str = ""
    plan: Plan = field(default_factory=Plan)
    what_happened: str = ""
    learned: str = ""
    act: str = field(default="", metadata=_choice(*ACTS))
    next_steps: str = ""
    start: date | None = None
    end: date | None = None
    id: str = field(default_factory=lambda: new_id("pdsa"))


@dataclass
class TeamMix:
    """The answer to "do we have the right people?" (ELFT: 5-8 mixed disciplines, a
    decision-maker, ideally a service user or carer, a QI coach and a sponsor)."""

    size: int
    lived_experience: bool
    decision_maker: bool
    qi_coach: bool
    sponsor: bool
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Project:
    """A team's improvement project, saved as one human-readable YAML file.

    Create with :meth:`Project.new`, read with :meth:`Project.load`, write with
    :meth:`save` (safe for several team members saving at once; see
    :mod:`equitylab.workbook.store`). Two projects are equal when their content is.
    """

    title: str = ""
    team: str = ""
    area_code: str = ""
    topic: str = ""
    why_it_matters: str = ""
    members: list[Member] = field(default_factory=list)
    coproduction: Coproduction = field(default_factory=Coproduction)
    barriers: list[str] = field(default_factory=list)
    enablers: list[str] = field(default_factory=list)
    best_chance: BestChance = field(default_factory=BestChance)
    data_plan: list[DataPlanItem] = field(default_factory=list)
    heard: list[Quote] = field(default_factory=list)
    aim: Aim = field(default_factory=Aim)
    drivers: DriverDiagram = field(default_factory=DriverDiagram)
    measures: list[Measure] = field(default_factory=list)
    pdsa: list[PDSA] = field(default_factory=list)
    progress_score: float | None = field(default=None, metadata=_choice(None, *PROGRESS_STAGES))
    meeting_cadence: str = ""
    next_steps: list[str] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    # what this process last read from or wrote to the file: the base of a three-way merge
    _base: dict | None = field(default=None, compare=False, repr=False)
    # the fields this process has saved, so a save can say when a team-mate later changed one
    _written: set = field(default_factory=set, compare=False, repr=False)

    @classmethod
    def new(cls, title: str, **fields_) -> Project:
        """A new, empty project; any field can be given by name (``team=``, ``topic=`` ...)."""
        return cls(title=title, **fields_)

    @classmethod
    def load(cls, path) -> Project:
        """Read a project file; a broken file raises :class:`ProjectFileError` naming the line."""
        return store.load(path)

    def save(self, path, **options):
        """Save safely: lock, merge with what others saved since we loaded, back up, write atomically.

        ``options``: ``lock_timeout`` (seconds to wait for a team-mate's save).
        """
        return store.save(self, path, **options)

    def to_dict(self) -> dict:
        return schema.to_data(self)

    @classmethod
    def from_dict(cls, data: dict, *, file: str | None = None) -> Project:
        return schema.project_from_data(data, file=file)

    @property
    def progress_stage(self) -> str:
        """The IHI stage name for the progress score ("" if no score yet)."""
        return PROGRESS_STAGES.get(self.progress_score, "") if self.progress_score is not None else ""

    def team_mix(self) -> TeamMix:
        """Check the team: lived experience present, a decision-maker, a QI coach and a sponsor."""
        roles = [m.role for m in self.members]
        lived = any(r in LIVED_EXPERIENCE_ROLES for r in roles)
        decider = any(m.decision_maker or m.role in DECISION_MAKER_ROLES for m in self.members)
        coach, sponsor = "QI coach" in roles, "sponsor" in roles
        problems = []
        if not lived:
            problems.append("No one on the team brings lived experience (a service user, carer or "
                            "expert by experience). Invite them from the beginning, not as an afterthought.")
        if not decider:
            problems.append("No decision-maker: add someone who can agree to changes in the service.")
        if not coach:
            problems.append("No QI coach: ask your improvement advisor to find one.")
        if not sponsor:
            problems.append("No sponsor: ask your improvement advisor to find one.")
        if len(self.members) < 5:
            problems.append(f"The team has {len(self.members)} member(s); ELFT suggests 5 to 8 from mixed backgrounds.")
        return TeamMix(len(self.members), lived, decider, coach, sponsor, problems)

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id or m.name == measure_id:
                return m
        raise KeyError(measure_id)

    def add_member(self, role: str, name: str = "", *, consent_to_name: bool = False,
                   decision_maker: bool = False) -> Member:
        if role not in ROLES:
            raise DataError(f"'{role}' is not a role we know", hint="Use one of: " + ", ".join(ROLES))
        member = Member(role=role, name=name, consent_to_name=consent_to_name, decision_maker=decision_maker)
        self.members.append(member)
        return member

    def add_quote(self, text: str, speaker_role: str, *, heard_from: str = "people affected",
                  consent: bool = False, theme: str = "", driver: str = "") -> Quote:
        """Record something we heard; refuses text that could identify someone."""
        found = identifier_kinds(text)
        if found:
            raise DataError("This quote looks as if it could identify someone (it contains "
                            + ", ".join(found) + ")",
                            hint="Remove the identifying detail, then add the quote again")
        if heard_from not in HEARD_FROM:
            raise DataError(f"'heard from' is one of {', '.join(HEARD_FROM)}")
        quote = Quote(text=text, speaker_role=speaker_role, heard_from=heard_from, consent=consent,
                      theme=theme, driver=driver)
        self.heard.append(quote)
        return quote

    def privacy_problems(self) -> list[str]:
        """Plain-English warnings about anything in the file that could identify a person."""
        out = []
        for i, q in enumerate(self.heard, 1):
            found = q.identifiers()
            if found:
                out.append(f"What we heard, quote {i}: contains {', '.join(found)}; remove it before sharing.")
        return out

    def import_measure_data(self, path) -> int:
        """Add the rows of a filled-in measure template (CSV or Excel); returns how many."""
        return len(measure_data.import_measure_data(path, project=self))

    def replace_with(self, other: Project) -> None:
        """Take ``other``'s content in place (used after a merge), keeping this object and
        its nested single objects (aim, co-production, ...) so views bound to them stay live."""
        _update_in_place(self, other)


def _update_in_place(target, source) -> None:
    for f in fields(target):
        if f.name.startswith("_"):
            continue
        old, new = getattr(target, f.name), getattr(source, f.name)
        if is_dataclass(old) and type(old) is type(new) and not isinstance(old, list):
            _update_in_place(old, new)
        else:
            setattr(target, f.name, new)


_PATTERNS = [
    ("an NHS number", re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("an email address", re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}")),  # bounded: linear time
    ("a phone number", re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")),
    ("a full postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    ("a person's name", re.compile(r"\b(?:my name is|my name's|i am called|i'm called|call me)\s+[A-Z]",
                                   re.IGNORECASE)),
]


def identifier_kinds(text: str) -> list[str]:
    """Which kinds of identifier appear in ``text`` (never the values themselves).

    Looks for NHS numbers (any 10 digits, spaced 3-3-4 or not), email addresses, UK phone
    numbers, full postcodes and "my name is ..." phrases.
    """
    if not text:
        return []
    return [kind for kind, pattern in _PATTERNS if pattern.search(text)]
