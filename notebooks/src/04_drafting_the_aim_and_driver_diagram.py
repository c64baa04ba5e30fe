# %% [markdown]
# # 04 · Drafting the aim and driver diagram
#
# *Turn what you have learned into an equity aim, a theory of change, and a way to tell if a change helps.*
#
# **In this notebook you will:**
# - use the three questions of the Model for Improvement;
# - write an equity aim and check it;
# - build a driver diagram, from the aim to change ideas you can test;
# - choose measures and look at them over time, group by group, with the gap charted;
# - plan your first PDSA cycle.
#
# **Time:** about 50 minutes.

# %% tags=["parameters"]
# Parameters. You can leave these as they are. An improvement advisor may change them.
project_file: str = ""  # your team's project file (.yaml); empty means the default in your equitylab folder
area_code: str = "E09000012"  # ONS code of your area; E09000012 is Hackney
service_data: str = ""  # your service extract (.csv, .xlsx, .parquet); empty means synthetic teaching data
mapping: str = ""  # a YAML file naming headers equitylab does not recognise; empty means none
bad_rows: str = "error"  # "exclude" leaves rows with problems out (and says so) instead of stopping

# %% jupyter={"source_hidden": true}
# setup: load equitylab, open the project file and the service data
from equitylab import lesson

session = lesson.start(project_file, area_code, service_data, notebook="04", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## The Model for Improvement
#
# The Model for Improvement asks three questions, then tests changes in small cycles [1]:
#
# 1. **What are we trying to accomplish?** This is your **aim**.
# 2. **How will we know that a change is an improvement?** These are your **measures**.
# 3. **What changes can we make that will result in improvement?** These are your **change ideas**.
#
# Each change is then tested in a **Plan, Do, Study, Act** (PDSA) cycle: plan a small test, do it, study
# what happened, and act on what you learned.

# %% [markdown]
# ## An equity aim
#
# A good aim says **what** will change, **how much**, **by when**, **for whom** and **where**. An equity
# aim also names the group facing the inequity, and the gap you want to close. "Some is not a number;
# soon is not a time" (Don Berwick).
#
# A pattern that works: *reduce the gap in [measure] between [group A] and [group B] from [now] to
# [target] by [date]*. The checker under the form tells you what is missing as you type.

# %%
session.form("aim")

# %% [markdown]
# ## The driver diagram
#
# A driver diagram is your team's theory of how to reach the aim. Read it from left to right:
#
# - the **aim**;
# - **primary drivers**: the few big things that must change (usually two to five);
# - **secondary drivers**: the parts of each primary driver;
# - **change ideas**: specific things you can test.
#
# One idea can serve several drivers. A solid line means a strong link; a dashed line a weaker one.
# Add measures to the drivers as you go, so you can tell whether each one moves.

# %%
session.form("driver_diagram")

# %%
session.driver_diagram()

# %% [markdown]
# ## Measures, group by group
#
# Choose three kinds of measure:
#
# - an **outcome** measure: is the aim being met? (for example, missed first appointments);
# - **process** measures: are the changes happening? (for example, reminders sent in the person's language);
# - a **balancing** measure: has the change caused a problem somewhere else? (for example, waiting time).
#
# For equity, every measure is **stratified**: shown for each group, not just on average.

# %%
session.form("measures")

# %% [markdown]
# ## Looking at data over time
#
# A **run chart** plots a measure over time with its median. Simple rules tell you when a pattern is
# unlikely to be chance: a **shift** (six or more points in a row on one side of the median), a **trend**
# (five or more going up or down), too few or too many runs, and points that are clearly unusual.

# %%
session.run_chart(by=None)

# %% [markdown]
# A **statistical process control** (SPC) chart adds limits that show how much a measure usually varies.
# Points outside the limits, or some patterns inside them, are **special cause** variation: something has
# changed. The colours follow NHS England's *Making Data Count*: grey for usual variation, blue for
# improvement, orange for concern. Shapes and words carry the same meaning, so colour is never needed to
# read the chart.
#
# A table comes first, one row per group: its *Making Data Count* icon (a circle with **H** or **L** for a
# special cause in higher or lower values, a wave for usual variation) and the same verdict in words, the
# latest value and the centre line. Being seen within 28 days is better when it is higher, so a drop is a
# concern. When your aim sets a target for it, the table also says whether the process will hit it.
# Then there is one chart per group, on the same scale.

# %%
session.control_chart(by="ethnicity")

# %% [markdown]
# ### Is the gap closing?
#
# For equity, the gap between groups matters as much as each group's own line. This chart shows the gap
# between one group and a reference group over time. A gap that closes because the better-off group got
# **worse** is not a success: the chart warns about this "levelling down".

# %%
session.gap_chart()

# %% [markdown]
# <div class="alert alert-success">
#
# ## Plan your first PDSA cycle
#
# Pick one change idea from your driver diagram. Plan a small test: what you will do, who, when and
# where; what you predict will happen; and what data you will collect.
#
# <details><summary>Hints</summary>
#
# - Small is good: one clinic, one week, five patients.
# - Write your prediction down before you start. Learning comes from comparing it with what happened.
# </details>
# </div>

# %%
session.form("pdsa")

# %% [markdown]
# ## Recap
#
# - The Model for Improvement: an aim, measures and change ideas, tested in PDSA cycles.
# - An equity aim names the group and the gap, with numbers and a date.
# - A driver diagram links the aim to ideas you can test.
# - Stratify every measure by group, and chart the gap as well as each group.
#
# **What you saved:** your aim, driver diagram, measures and first PDSA plan.
#
# **What is next:** [05 · Between sessions](05_between_sessions.ipynb).
#
# ### Sources
#
# 1. Langley GJ, Moen RD, Nolan KM, Nolan TW, Norman CL, Provost LP. *The Improvement Guide*, 2nd edition.
#    Jossey-Bass, 2009.
# 2. Institute for Healthcare Improvement. QI Essentials Toolkit: driver diagram and PDSA worksheet.
# 3. NHS England. *Making Data Count* (SPC charts and their icons).
# 4. Provost LP, Murray SK. *The Health Care Data Guide*. Jossey-Bass, 2011 (run chart rules).
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes on the model and aim, 15 on the driver diagram, 15 on charts, 10 on the PDSA plan.
# - **The charts use the synthetic extract** unless a real one was given: say so. With real data, teams need
#   at least 12 points before SPC limits mean much; the chart warns when limits are only trial limits.
# - **Aim checker:** it looks for a number, a date, a named group and a baseline. A team can still save an aim
#   it flags; the point is the conversation.
# - **Prompts:** "Whose voice shaped this aim?" "Which change idea could you test next week?"
