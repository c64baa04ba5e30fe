# %% [markdown]
# # Facilitator · Where the teams are
#
# *For the person running a live session: every team's answers in one table for the plenary.*
#
# **In this notebook you will:**
# - see each team's topic, where it is on the ladder of co-production, its "where are you now?"
#   answers, its aim and its progress score, as the teams save them;
# - refresh the table while the breakouts run (a button, or by itself every few seconds);
# - export a one-page summary of the cohort to print or share after the session.
#
# Nothing here changes a team's project file: it only reads them.

# %% tags=["parameters"]
# Parameters. On the JupyterHub these can stay as they are.
cohort_dir: str = ""  # the session's shared cohort folder; empty means EQUITYLAB_COHORT_DIR (the hub sets it)
refresh_seconds: int = 0  # refresh the table by itself every so many seconds; 0 means only with the Refresh button
summary_file: str = ""  # where Export summary writes the one-page HTML; empty means cohort_summary.html in the cohort folder

# %% jupyter={"source_hidden": true}
# setup: load equitylab and read every team's project file
from equitylab.widgets.cohort import facilitator_dashboard

board = facilitator_dashboard(cohort_dir, refresh_seconds=refresh_seconds, summary_path=summary_file or None)

# %% [markdown]
# ## The teams
#
# Press **Refresh** to read the teams' files again, or tick **Refresh by itself**. A team
# appears as soon as its first member joins it in *00 · Start here*. "not yet" means the
# team has not answered that question so far.

# %%
board

# %% [markdown]
# ## The one-page summary
#
# **Export summary** (above) writes a single HTML page with one row per team. Open it in a
# browser and print it (it fits one A4 landscape page for a dozen teams), or share the file.
# The box below writes it too when an improvement advisor runs this notebook with `summary_file` set.

# %%
if summary_file:
    board.export()

# %% [markdown]
# ---
#
# ### Facilitator notes
#
# - **Before the session:** the hub administrator sets up the cohort folder (see `deploy/README.md`).
#   You can create the teams beforehand, so learners pick from a list:
#   `python -c "from equitylab import cohort; cohort.create_teams('', ['Team A', 'Team B'])"`.
# - **Without code:** `voila notebooks/facilitator.ipynb` shows only the table and its buttons.
# - **A row says a file cannot be read:** the message names the file and line; the team can run
#   `equitylab project restore FILE` to go back to its last good version.
# - **The summary holds the teams' own working notes:** keep it within the session's organisations.
