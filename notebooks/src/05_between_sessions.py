# %% [markdown]
# # 05 · Between sessions
#
# *What to do before the next session, based on what your team has saved so far.*
#
# **In this notebook you will:**
# - see a summary of your project so far;
# - get next steps that fit where your team is;
# - know where to get support.
#
# **Time:** about 10 minutes.

# %% tags=["parameters"]
# Parameters. You can leave these as they are. An improvement advisor may change them.
project_file: str = ""  # your team's project file (.yaml); empty means the default in your equitylab folder
area_code: str = "E09000012"  # ONS code of your area; E09000012 is Hackney
service_data: str = ""  # your service extract (.csv, .xlsx, .parquet); empty means synthetic teaching data
mapping: str = ""  # a YAML file naming headers equitylab does not recognise; empty means none
bad_rows: str = "error"  # "exclude" leaves rows with problems out (and says so) instead of stopping

# %% jupyter={"source_hidden": true}
# setup: load equitylab and open the project file
from equitylab import lesson

session = lesson.start(project_file, area_code, service_data, notebook="05", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## Your project so far

# %%
session.project_summary(full=True)

# %% [markdown]
# ## Your next steps
#
# Teams that are **just starting** and teams that have been **working for a while** need different next
# steps. The list below is made from your project file: your team, your data, your aim and driver diagram,
# a change to test, and your measurement plan.

# %%
session.next_steps()

# %% [markdown]
# Record where your project is now and how often you will meet.

# %%
session.form("progress")

# %% [markdown]
# ## Where to get support
#
# You always have support from **QI coaches** and **improvement advisors**. Ask them for:
#
# - a coach and a sponsor, if you do not have one yet;
# - help with a measurement plan, or with getting data out of your systems;
# - help to test a change idea;
# - a report of your area's equity profile (`equitylab report`), to share with your managers.
#
# Between sessions, you can open these notebooks again at any time. Your answers are in your project
# file and come back when you do.

# %% [markdown]
# ## Recap
#
# **What you saved:** your progress score, meeting plan and next steps.
#
# **What is next:** the next learning session. Bring your project file, your data plan and any data or
# stories you have collected.
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes at the end of the session.
# - **Prompts:** "What is the one thing you will do before we meet again?" "Who will do it?"
# - **Progress scores** follow the IHI scale from 0.5 (intent to take part) to 5.0 (outstanding, sustained
#   results). Most teams will be at 1.0 to 1.5 after the first session.
# - **Project on a page:** `equitylab project export FILE --format html --out project.html` gives a
#   one-page summary to share with a sponsor.
