"""One form per exercise in the first learning session, each over the team's project file."""
from __future__ import annotations

from datetime import date
from html import escape

import ipywidgets as w

from ..errors import DataError
from ..workbook import PDSA, DataPlanItem, Measure, check_aim, equity_aim_template
from ..workbook import diagram as _diagram
from ..workbook.model import (
    DATA_KINDS,
    DATA_QUESTIONS,
    FOUR_QUESTIONS,
    HEARD_FROM,
    IMPROVEMENT_WORDS,
    LADDER,
    LADDER_MEANING,
    MEASURE_KINDS,
    NODE_KIND_NAMES,
    PROGRESS_STAGES,
    ROLES,
    STRENGTHS,
)
from .base import ProjectForm, button, dropdown, fmt, lines, number, text


class BreakoutForm(ProjectForm):
    heading = "Your topic, and what helps or gets in the way"
    intro = ("Breakout: the topic you will work on and why it matters to the people affected; "
             "the barriers and enablers to achieving equity. Write one barrier or enabler a line.")

    def build(self):
        p = self.project
        return [
            self.bind("title", text("Project title"), lambda v: setattr(p, "title", v)),
            self.bind("team", text("Team name"), lambda v: setattr(p, "team", v)),
            self.bind("area_code", text("Area code", placeholder="e.g. E09000030"),
                      lambda v: setattr(p, "area_code", v.strip())),
            self.bind("topic", text("Topic", multiline=True), lambda v: setattr(p, "topic", v)),
            self.bind("why_it_matters", text("Why it matters to the people affected", multiline=True),
                      lambda v: setattr(p, "why_it_matters", v)),
            self.bind("barriers", text("Barriers (one a line)", multiline=True, rows=4),
                      lambda v: setattr(p, "barriers", lines(v))),
            self.bind("enablers", text("Enablers (one a line)", multiline=True, rows=4),
                      lambda v: setattr(p, "enablers", lines(v))),
        ]

    def fill(self):
        p, c = self.project, self.controls
        for name in ("title", "team", "area_code", "topic", "why_it_matters"):
            c[name].value = getattr(p, name)
        c["barriers"].value = "\n".join(p.barriers)
        c["enablers"].value = "\n".join(p.enablers)


class TeamForm(ProjectForm):
    heading = "Your team"
    intro = ("Who is on the team and in what role. Names are optional. Someone with lived experience "
             "is only named where they have agreed to be.")

    def build(self):
        c = self.controls
        c["role"] = dropdown("Role", ROLES)
        c["name"] = text("Name (optional)")
        c["consent_to_name"] = w.Checkbox(description="They agree to be named", indent=False)
        c["decision_maker"] = w.Checkbox(description="Can agree to changes in the service (decision-maker)",
                                         indent=False)
        c["add"] = button("Add team member", self.add, style="primary")
        c["member"] = dropdown("Team member", [("(none)", "")])
        c["remove"] = button("Remove team member", self.remove)
        c["roster"] = w.HTML()
        c["mix"] = w.HTML()
        return [c["role"], c["name"], c["consent_to_name"], c["decision_maker"], c["add"], c["roster"],
                c["mix"], w.HBox([c["member"], c["remove"]])]

    def add(self):
        c = self.controls

        def do():
            self.project.add_member(c["role"].value, c["name"].value.strip(),
                                    consent_to_name=c["consent_to_name"].value,
                                    decision_maker=c["decision_maker"].value)

        if self.edit(do):
            c["name"].value = ""
            c["consent_to_name"].value = c["decision_maker"].value = False

    def remove(self):
        chosen = self.controls["member"].value
        if chosen:
            self.edit(lambda: setattr(self.project, "members", [m for m in self.project.members if m.id != chosen]))

    def fill(self):
        p, c = self.project, self.controls
        c["member"].options = [("(none)", "")] + [(m.display(), m.id) for m in p.members]
        c["roster"].value = ("<ul>" + "".join(f"<li>{escape(m.display())}</li>" for m in p.members) + "</ul>"
                             if p.members else "<p>No one added yet.</p>")
        mix = p.team_mix()
        c["mix"].value = ("<p><b>Team mix:</b> looks right.</p>" if mix.ok else
                          "<p><b>Team mix:</b></p><ul>" + "".join(f"<li>{escape(x)}</li>" for x in mix.problems)
                          + "</ul>")


class CoproductionForm(ProjectForm):
    heading = "The ladder of co-production"
    intro = "Where is your project on the ladder now, and where do you want it to be?"

    def build(self):
        p = self.project
        rungs = [("(not chosen)", "")] + [(f"{i}. {r[:1].upper() + r[1:]}: {LADDER_MEANING[r]}", r)
                                          for i, r in enumerate(LADDER, 1)]
        co = p.coproduction
        return [
            self.bind("current_rung", dropdown("Where we are now", rungs), lambda v: setattr(co, "current_rung", v)),
            self.bind("target_rung", dropdown("Where we aim to be", rungs), lambda v: setattr(co, "target_rung", v)),
            self.bind("involvement", w.RadioButtons(
                options=[("Not decided", ""), ("Service users are consulted (little i)", "consulted"),
                         ("Service users are full team members (Big I)", "full team members")],
                description="Service users are"),
                lambda v: setattr(co, "involvement", v)),
            self.bind("evidence", text("What tells us this (evidence)", multiline=True),
                      lambda v: setattr(co, "evidence", v)),
            self.bind("next_steps", text("Our next steps", multiline=True), lambda v: setattr(co, "next_steps", v)),
        ]

    def fill(self):
        co, c = self.project.coproduction, self.controls
        for name in ("current_rung", "target_rung", "involvement", "evidence", "next_steps"):
            c[name].value = getattr(co, name)


class FourQuestionsForm(ProjectForm):
    heading = "Giving your work the best chance of success"
    intro = "For each question: where are you now, and what are your next steps?"

    def build(self):
        out = []
        for key, question in FOUR_QUESTIONS.items():
            answer = getattr(self.project.best_chance, key)
            out.append(w.HTML(f"<h3>{escape(question)}</h3>"))
            out.append(self.bind(f"{key}.where_we_are", text("Where are you now?", multiline=True, rows=2),
                                 lambda v, a=answer: setattr(a, "where_we_are", v)))
            out.append(self.bind(f"{key}.next_steps", text("Your next steps", multiline=True, rows=2),
                                 lambda v, a=answer: setattr(a, "next_steps", v)))
        return out

    def fill(self):
        for key in FOUR_QUESTIONS:
            answer = getattr(self.project.best_chance, key)
            self.controls[f"{key}.where_we_are"].value = answer.where_we_are
            self.controls[f"{key}.next_steps"].value = answer.next_steps


class DataPlanForm(ProjectForm):
    heading = "What data will help you understand the problem?"
    intro = "Numbers, words and pictures, for each of the three questions."

    def build(self):
        c = self.controls
        c["question"] = dropdown("Question", [(q, k) for k, q in DATA_QUESTIONS.items()])
        c["kind"] = dropdown("Numbers, words or pictures", DATA_KINDS)
        c["what"] = text("What data would help")
        c["ask"] = text("What we could ask people")
        c["how_to_collect"] = text("How we will collect it")
        c["challenges"] = text("Challenges")
        c["add"] = button("Add to data plan", self.add, style="primary")
        c["plan"] = w.HTML()
        c["item"] = dropdown("Item", [("(none)", "")])
        c["remove"] = button("Remove item", self.remove)
        return [c[k] for k in ("question", "kind", "what", "ask", "how_to_collect", "challenges", "add", "plan")] + [
            w.HBox([c["item"], c["remove"]])]

    def add(self):
        c = self.controls
        if not (c["what"].value.strip() or c["ask"].value.strip()):
            self.say("Write what data would help, or what you could ask people.", error=True)
            return
        item = DataPlanItem(**{k: c[k].value.strip() if isinstance(c[k].value, str) else c[k].value
                               for k in ("question", "kind", "what", "ask", "how_to_collect", "challenges")})
        if self.edit(lambda: self.project.data_plan.append(item)):
            for k in ("what", "ask", "how_to_collect", "challenges"):
                c[k].value = ""

    def remove(self):
        chosen = self.controls["item"].value
        if chosen:
            self.edit(lambda: setattr(self.project, "data_plan", [d for d in self.project.data_plan if d.id != chosen]))

    def fill(self):
        p, c = self.project, self.controls
        html = []
        for key, question in DATA_QUESTIONS.items():
            items = [d for d in p.data_plan if d.question == key]
            html.append(f"<p><b>{escape(question)}</b></p>")
            html.append("<ul>" + "".join(
                f"<li>[{d.kind}] {escape(d.what or d.ask)}"
                + (f"; ask: {escape(d.ask)}" if d.ask and d.what else "")
                + (f"; how: {escape(d.how_to_collect)}" if d.how_to_collect else "")
                + (f"; challenges: {escape(d.challenges)}" if d.challenges else "") + "</li>" for d in items)
                + "</ul>" if items else "<p><i>Nothing yet.</i></p>")
        c["plan"].value = "".join(html)
        c["item"].options = [("(none)", "")] + [(f"{d.kind}: {d.what or d.ask}"[:80], d.id) for d in p.data_plan]


class HeardForm(ProjectForm):
    heading = "What we heard"
    intro = ("Quotes and themes from people affected and from staff. Record the speaker's role, never their "
             "name, and whether they agreed we can share it. Quotes that could identify someone are refused.")

    def build(self):
        c = self.controls
        c["text"] = text("What was said", multiline=True)
        c["speaker_role"] = dropdown("Speaker's role", ROLES)
        c["heard_from"] = dropdown("Heard from", HEARD_FROM)
        c["consent"] = w.Checkbox(description="They agreed we can share this", indent=False)
        c["theme"] = text("Theme")
        c["driver"] = dropdown("Driver it informs", [("(none)", "")])
        c["add"] = button("Add what we heard", self.add, style="primary")
        c["list"] = w.HTML()
        return [c[k] for k in ("text", "speaker_role", "heard_from", "consent", "theme", "driver", "add", "list")]

    def add(self):
        c = self.controls
        if not c["text"].value.strip():
            self.say("Write what was said first.", error=True)
            return
        ok = self.edit(lambda: self.project.add_quote(
            c["text"].value.strip(), c["speaker_role"].value, heard_from=c["heard_from"].value,
            consent=c["consent"].value, theme=c["theme"].value.strip(), driver=c["driver"].value))
        if ok:
            c["text"].value = c["theme"].value = ""
            c["consent"].value = False

    def fill(self):
        p, c = self.project, self.controls
        c["driver"].options = [("(none)", "")] + [(f"{NODE_KIND_NAMES[n.kind]}: {n.text}"[:80], n.id)
                                                  for n in p.drivers.nodes if n.kind != "change_idea"]
        c["list"].value = "<ul>" + "".join(
            f"<li>“{escape(q.text)}” ({escape(q.speaker_role)}{'' if q.consent else ', not for sharing'})"
            + (f" — {escape(q.theme)}" if q.theme else "") + "</li>" for q in p.heard) + "</ul>"


class AimForm(ProjectForm):
    heading = "Your aim"
    intro = escape("What, for whom, how much, by when, where. An equity aim: " + equity_aim_template())

    def build(self):
        a = self.project.aim
        c = self.controls

        def set_number(name):
            def setter(v):
                try:
                    setattr(a, name, number(v))
                except ValueError:
                    raise DataError(f"The {name} must be a number, such as 12 or 4.5") from None
            return setter

        body = [
            self.bind("what", text("What will change", live=True), lambda v: setattr(a, "what", v)),
            self.bind("group", text("Group experiencing the inequity", live=True), lambda v: setattr(a, "group", v)),
            self.bind("comparison_group", text("Compared with", live=True),
                      lambda v: setattr(a, "comparison_group", v)),
            self.bind("baseline", text("Where we are now (a number; with two groups, the gap between them)",
                                       live=True), set_number("baseline")),
            self.bind("target", text("Where we aim to be (a number; with two groups, the gap you aim for)",
                                     live=True), set_number("target")),
            self.bind("unit", text("Unit (e.g. %, per 1,000)", live=True), lambda v: setattr(a, "unit", v)),
            self.bind("by_when", w.DatePicker(description="By when"),
                      lambda v: setattr(a, "by_when", v)),
            self.bind("for_whom", text("For whom", live=True), lambda v: setattr(a, "for_whom", v)),
            self.bind("where", text("Where (service or area)", live=True), lambda v: setattr(a, "where", v)),
            self.bind("statement", text("Our aim in our own words (optional)", multiline=True, live=True),
                      lambda v: setattr(a, "statement", v)),
        ]
        c["sentence"] = w.HTML()
        c["feedback"] = w.HTML()
        return body + [c["sentence"], c["feedback"]]

    def fill(self):
        a, c = self.project.aim, self.controls
        for name in ("what", "group", "comparison_group", "unit", "for_whom", "where", "statement"):
            c[name].value = getattr(a, name)
        c["baseline"].value = fmt(a.baseline)
        c["target"].value = fmt(a.target)
        c["by_when"].value = a.by_when
        self.after_change()

    def after_change(self):
        a, c = self.project.aim, self.controls
        c["sentence"].value = f"<p><b>Your aim:</b> {escape(a.sentence())}</p>" if a.sentence() else ""
        problems = check_aim(a)
        c["feedback"].value = ("<p style='color:#1b5e20'>This aim says what, for whom, how much and by when.</p>"
                               if not problems else "<p>To make the aim stronger:</p><ul>"
                               + "".join(f"<li>{escape(x)}</li>" for x in problems) + "</ul>")


class DriverDiagramForm(ProjectForm):
    heading = "Your driver diagram"
    intro = ("Add primary drivers (linked to the aim), secondary drivers and change ideas, then link them. "
             "A strong link is drawn solid, a weaker one dashed.")

    def build(self):
        c = self.controls
        kinds = [("Primary driver", "primary"), ("Secondary driver", "secondary"), ("Change idea", "change_idea")]
        c["kind"] = dropdown("Kind of box", kinds)
        c["text"] = text("Text", multiline=True, rows=2)
        c["linked_to"] = dropdown("Linked to (on its left)", [("Aim", "aim")])
        c["strength"] = dropdown("Relationship", STRENGTHS)
        c["add"] = button("Add box", self.add, style="primary")
        c["source"] = dropdown("Link from", [("Aim", "aim")])
        c["target"] = dropdown("to", [("(none)", "")])
        c["link_strength"] = dropdown("Relationship", STRENGTHS)
        c["link"] = button("Link boxes", self.link)
        c["node"] = dropdown("Box", [("(none)", "")])
        c["measure"] = dropdown("Measure", [("(none)", "")])
        c["attach"] = button("Attach measure to box", self.attach)
        c["remove"] = button("Remove box", self.remove)
        c["picture"] = w.HTML()
        c["outline"] = w.HTML()
        return [w.HTML("<h3>Add a box</h3>"), c["kind"], c["text"], c["linked_to"], c["strength"], c["add"],
                w.HTML("<h3>Link two boxes</h3>"), c["source"], c["target"], c["link_strength"], c["link"],
                w.HTML("<h3>Change a box</h3>"), c["node"], c["measure"], w.HBox([c["attach"], c["remove"]]),
                c["picture"], c["outline"]]

    def add(self):
        c = self.controls
        if not c["text"].value.strip():
            self.say("Write the text for the box first.", error=True)
            return
        left = c["linked_to"].value or None
        if self.edit(lambda: self.project.drivers.add(c["kind"].value, c["text"].value.strip(), linked_to=left,
                                                      strength=c["strength"].value)):
            c["text"].value = ""

    def link(self):
        c = self.controls
        if not c["target"].value:
            self.say("Choose the box to link to.", error=True)
            return
        self.edit(lambda: self.project.drivers.link(c["source"].value, c["target"].value, c["link_strength"].value))

    def attach(self):
        c = self.controls
        node_id, measure_id = c["node"].value, c["measure"].value
        if node_id and measure_id:
            def do():
                node = self.project.drivers.node(node_id)
                if measure_id not in node.measures:
                    node.measures.append(measure_id)
            self.edit(do)

    def remove(self):
        node_id = self.controls["node"].value
        if node_id:
            self.edit(lambda: self.project.drivers.remove(node_id))

    def fill(self):
        p, c = self.project, self.controls
        nodes = [(f"{NODE_KIND_NAMES[n.kind]}: {n.text}"[:80], n.id) for n in p.drivers.nodes]
        c["linked_to"].options = [("Aim", "aim"), ("(nothing yet)", "")] + nodes
        c["source"].options = [("Aim", "aim")] + nodes
        c["target"].options = [("(none)", "")] + nodes
        c["node"].options = [("(none)", "")] + nodes
        c["measure"].options = [("(none)", "")] + [(m.name, m.id) for m in p.measures]
        # on a narrow screen the picture keeps a readable size and scrolls sideways on its own (WCAG 1.4.10
        # allows it for diagrams); the text outline below says the same in words
        c["picture"].value = ('<div class="equitylab-diagram" role="region" aria-label="Driver diagram picture" '
                              f'tabindex="0">{_diagram.to_svg(p, page=False)}</div>' if p.drivers.nodes else "")
        c["outline"].value = f"<details><summary>Text outline</summary><pre>{escape(_diagram.outline(p))}</pre></details>"


class MeasuresForm(ProjectForm):
    heading = "Measures"
    intro = ("Outcome, process and balancing measures, each with an operational definition. "
             "Then add each period's numbers, one group at a time.")

    def build(self):
        c = self.controls
        c["name"] = text("Measure name")
        c["kind"] = dropdown("Kind", MEASURE_KINDS)
        c["definition"] = text("Operational definition", multiline=True, rows=2)
        c["numerator_text"] = text("Numerator (what is counted)")
        c["denominator_text"] = text("Denominator (out of what)")
        c["data_source"] = text("Data source")
        c["improvement"] = dropdown("Which way is better", [(words, key) for key, words in IMPROVEMENT_WORDS.items()])
        c["groups"] = text("Groups (comma separated)", placeholder="e.g. Black African, White British")
        c["add"] = button("Add measure", self.add, style="primary")
        c["measure"] = dropdown("Measure", [("(none)", "")])
        c["period"] = w.DatePicker(description="Period starting")
        c["group"] = w.Combobox(description="Group", options=["All"], value="All", ensure_option=False,
                                )
        c["numerator"] = text("Numerator")
        c["denominator"] = text("Denominator")
        c["value"] = text("Or a value")
        c["note"] = text("Note")
        c["add_period"] = button("Add this period", self.add_period, style="primary")
        c["table"] = w.HTML()
        c["measure"].observe(lambda _ch: self._show(), names="value")
        return [c[k] for k in ("name", "kind", "definition", "numerator_text", "denominator_text", "data_source",
                               "improvement", "groups", "add")] + [w.HTML("<h3>Add this period</h3>")] + [
            c[k] for k in ("measure", "period", "group", "numerator", "denominator", "value", "note", "add_period",
                           "table")]

    def add(self):
        c = self.controls
        if not c["name"].value.strip():
            self.say("Give the measure a name first.", error=True)
            return
        groups = [g.strip() for g in c["groups"].value.split(",") if g.strip()]
        m = Measure(name=c["name"].value.strip(), kind=c["kind"].value, definition=c["definition"].value.strip(),
                    numerator=c["numerator_text"].value.strip(), denominator=c["denominator_text"].value.strip(),
                    data_source=c["data_source"].value.strip(), improvement=c["improvement"].value,
                    stratified_by=groups)
        if self.edit(lambda: self.project.measures.append(m)):
            for k in ("name", "definition", "numerator_text", "denominator_text", "data_source", "groups"):
                c[k].value = ""
            c["measure"].value = m.id

    def add_period(self):
        c = self.controls
        if not c["measure"].value:
            self.say("Choose a measure first.", error=True)
            return
        if c["period"].value is None:
            self.say("Choose the date the period starts.", error=True)
            return
        try:
            num, den, val = number(c["numerator"].value), number(c["denominator"].value), number(c["value"].value)
        except ValueError:
            self.say("Numerator, denominator and value must be numbers.", error=True)
            return
        if num is not None and den is None:
            self.say("Give the denominator as well as the numerator.", error=True)
            return
        measure = self.project.measure(c["measure"].value)
        if self.edit(lambda: measure.add_period(c["period"].value, c["group"].value.strip() or "All",
                                                numerator=num, denominator=den, value=val,
                                                note=c["note"].value.strip())):
            for k in ("numerator", "denominator", "value", "note"):
                c[k].value = ""
            self.say(f"Added {c['period'].value:%d %b %Y} for {c['group'].value or 'All'}.")

    def _show(self):
        c = self.controls
        chosen = c["measure"].value
        if not chosen:
            c["table"].value = ""
            return
        m = self.project.measure(chosen)
        c["group"].options = list(dict.fromkeys(["All", *m.stratified_by]))
        rows = "".join(
            f"<tr><td>{p.period}</td><td>{escape(p.group)}</td><td>{fmt(p.numerator)}</td><td>{fmt(p.denominator)}</td>"
            f"<td>{fmt(None if p.result(m.multiplier) is None else round(p.result(m.multiplier), 2))}</td>"
            f"<td>{escape(p.note)}</td></tr>" for p in m.data)
        c["table"].value = ("<table><tr><th>Period</th><th>Group</th><th>Numerator</th><th>Denominator</th>"
                            f"<th>Value ({escape(m.unit)})</th><th>Note</th></tr>{rows}</table>")

    def fill(self):
        c = self.controls
        current = c["measure"].value
        options = [("(none)", "")] + [(m.name, m.id) for m in self.project.measures]
        c["measure"].options = options
        if current in [o[1] for o in options]:
            c["measure"].value = current
        self._show()


class PDSAForm(ProjectForm):
    heading = "PDSA cycles"
    intro = ("Plan: what do you predict will happen? Do: what actually happened? Study: what did you learn? "
             "Act: adopt, adapt or abandon.")

    FIELDS = ("objective", "questions", "predictions", "what_happened", "learned", "next_steps")

    def build(self):
        c = self.controls
        c["cycle_choice"] = dropdown("Cycle", [("(none yet)", "")])
        c["new"] = button("Start a new cycle", self.new_cycle, style="primary")
        c["cycle_choice"].observe(lambda _ch: None if self._filling else self.refresh(), names="value")
        body = [w.HBox([c["cycle_choice"], c["new"]])]
        body.append(self.bind("change_idea", dropdown("Change idea", [("(none)", "")]),
                              lambda v: self._set("change_idea", v)))
        body.append(self.bind("cycle", w.BoundedIntText(description="Cycle number", min=1, max=999, value=1),
                              lambda v: self._set("cycle", int(v))))
        labels = {"objective": "Objective of this cycle", "questions": "Questions", "predictions": "Predictions",
                  "what_happened": "What happened", "learned": "What we learned", "next_steps": "What next"}
        for name in self.FIELDS[:3]:
            body.append(self.bind(name, text(labels[name], multiline=True, rows=2),
                                  lambda v, n=name: self._set(n, v)))
        for name in ("who", "what", "when", "where"):
            body.append(self.bind(f"plan.{name}", text(f"Plan: {name}"), lambda v, n=name: self._set_plan(n, v)))
        for name in self.FIELDS[3:]:
            body.append(self.bind(name, text(labels[name], multiline=True, rows=2),
                                  lambda v, n=name: self._set(n, v)))
        body.append(self.bind("act", dropdown("Act", [("(not yet)", ""), ("Adopt", "adopt"), ("Adapt", "adapt"),
                                                       ("Abandon", "abandon")]), lambda v: self._set("act", v)))
        body.append(self.bind("start", w.DatePicker(description="Start"),
                              lambda v: self._set("start", v)))
        body.append(self.bind("end", w.DatePicker(description="End"),
                              lambda v: self._set("end", v)))
        c["log"] = w.HTML()
        return body + [c["log"]]

    def current(self) -> PDSA | None:
        chosen = self.controls["cycle_choice"].value
        return next((x for x in self.project.pdsa if x.id == chosen), None)

    def _set(self, name, value):
        cycle = self.current()
        if cycle is None:
            raise ValueError("Start a new cycle first.")
        setattr(cycle, name, value)

    def _set_plan(self, name, value):
        cycle = self.current()
        if cycle is None:
            raise ValueError("Start a new cycle first.")
        setattr(cycle.plan, name, value)

    def new_cycle(self):
        previous = self.current()
        cycle = PDSA(change_idea=previous.change_idea if previous else "",
                     cycle=(previous.cycle + 1) if previous else len(self.project.pdsa) + 1, start=date.today())
        if self.edit(lambda: self.project.pdsa.append(cycle)):
            self.controls["cycle_choice"].value = cycle.id

    def fill(self):
        p, c = self.project, self.controls
        current = c["cycle_choice"].value
        options = [("(none yet)", "")] + [(f"Cycle {x.cycle}: {x.objective or 'no objective yet'}"[:80], x.id)
                                          for x in p.pdsa]
        c["cycle_choice"].options = options
        if current and current in [o[1] for o in options]:
            c["cycle_choice"].value = current
        elif p.pdsa:
            c["cycle_choice"].value = p.pdsa[-1].id
        ideas = [(n.text[:80], n.id) for n in p.drivers.nodes if n.kind == "change_idea"]
        cycle = self.current()
        extra = [(cycle.change_idea, cycle.change_idea)] if cycle and cycle.change_idea and cycle.change_idea not in [
            i[1] for i in ideas] else []
        c["change_idea"].options = [("(none)", "")] + ideas + extra
        for name, control in c.items():
            if name in ("cycle_choice", "new", "log"):
                continue
            control.disabled = cycle is None
        if cycle is not None:
            c["change_idea"].value = cycle.change_idea
            c["cycle"].value = cycle.cycle
            for name in self.FIELDS + ("act",):
                c[name].value = getattr(cycle, name)
            for name in ("who", "what", "when", "where"):
                c[f"plan.{name}"].value = getattr(cycle.plan, name)
            c["start"].value, c["end"].value = cycle.start, cycle.end
        names = {n.id: n.text for n in p.drivers.nodes}
        c["log"].value = "<ul>" + "".join(
            f"<li>Cycle {x.cycle} ({escape(names.get(x.change_idea, x.change_idea) or 'no change idea')}): "
            f"{escape(x.objective)} {('→ ' + x.act) if x.act else ''}</li>" for x in p.pdsa) + "</ul>"


class ProgressForm(ProjectForm):
    heading = "Progress and next steps"
    intro = "The IHI progress score (0.5 to 5.0), how often you meet, and what you will do before the next session."

    def build(self):
        p = self.project
        # "" rather than None for "not scored": ipywidgets takes a None value for "nothing chosen",
        # which left the list blank and the arrow keys choosing nothing
        scores = [("(not scored yet)", "")] + [(f"{s:g}: {name}", s) for s, name in PROGRESS_STAGES.items()]
        return [
            self.bind("progress_score", dropdown("Progress score", scores, value=""),
                      lambda v: setattr(p, "progress_score", None if v == "" else v)),
            self.bind("meeting_cadence", text("How often we meet", placeholder="e.g. 30 minutes every fortnight"),
                      lambda v: setattr(p, "meeting_cadence", v)),
            self.bind("next_steps", text("Next steps (one a line)", multiline=True, rows=4),
                      lambda v: setattr(p, "next_steps", lines(v))),
        ]

    def fill(self):
        p, c = self.project, self.controls
        c["progress_score"].value = "" if p.progress_score is None else p.progress_score
        c["meeting_cadence"].value = p.meeting_cadence
        c["next_steps"].value = "\n".join(p.next_steps)
