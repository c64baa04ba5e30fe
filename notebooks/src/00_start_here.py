# %% [markdown]
# # 00 · Start here
#
# *Get your laptop, your team's project file and your area ready for the session.*
#
# **In this notebook you will:**
# - learn how to run a box of code and fill in a form;
# - check that this computer has what the session needs;
# - choose or create your team's project file, where your answers are kept;
# - choose the area your team works in.
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
# setup: load equitylab and open (or create) the project file
from equitylab import lesson

session = lesson.start(project_file, area_code, service_data, notebook="00", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## How a notebook works
#
# A notebook is a page of text with small boxes of code in between. You do not need to write
# or change any code.
#
# - To run a box, click in it and press **Shift + Enter**. The result shows up under the box.
# - To run the whole page, choose **Run → Run All Cells** from the menu at the top.
# - Some boxes show a **form**. Type your answers in the form. They are saved to your team's
#   project file for you, and a note says when they were last saved.
# - If something looks wrong, choose **Kernel → Restart Kernel and Run All Cells**. Your saved
#   answers are not lost.
#
# Try it now: run the box below.

# %%
session.hello()

# %% [markdown]
# ## Is this computer ready?
#
# The next box checks that everything the session needs is here. Each line should say **OK**.

# %%
session.check()

# %% [markdown]
# ## Your team's project file
#
# Everything your team writes in these notebooks goes into one file that your team owns: the
# **project file**. It is a plain text file, so you can keep it, share it inside your
# organisation and open it again next time. It is kept outside this folder of notebooks.
#
# Each time it is saved, a copy of the last version is kept as a backup. If a save goes
# wrong, nothing is lost.

# %%
session.project_summary()

# %% [markdown]
# ### Join your team (live sessions)
#
# In a live session, everyone in a breakout team writes to the same project file, so your answers land
# together. Type your team's name, press **Join team**, then carry on. Working on your own? This box
# just says so.

# %%
session.join_team()

# %% [markdown]
# Use the form to give your project a title and say which team you are.

# %%
session.form("start")

# %% [markdown]
# ## Your area
#
# Many charts in the next notebooks show your own area. Here is the area this session uses.
# To change it, ask your facilitator, or use the form above.

# %%
session.area_summary()

# %% [markdown]
# ## Recap
#
# **What you saved:** your project's title, your team's name and your area, in your project file.
#
# **What is next:** [01 · Defining equity](01_defining_equity.ipynb): what we mean by equity,
# and what the gaps look like in your area.
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes at the start of the session. Run the set-up check on every laptop before people arrive.
# - **If the check shows FAIL:** the laptop is missing a package. Run `equitylab check` in a terminal and
#   reinstall with `pip install -e .` from the equitylab folder (or `conda env create -f environment.yml`).
# - **Where the project file lives:** by default in the learner's equitylab folder (set `EQUITYLAB_HOME` to
#   choose another). For a team sharing one file, set `project_file` to a shared path.
# - **If the project file will not open:** the message names the line that is wrong. Fix that line, or run
#   `equitylab project restore FILE` to go back to the last good backup.
# - **Area codes:** any English local authority, region or England (E92000001). Codes are checked, and a
#   wrong one gives suggestions.
