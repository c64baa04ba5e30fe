# %% [markdown]
# # 02 · Building the team
#
# *Who needs to be in your team, and how to work with people who use your service as equal partners.*
#
# **In this notebook you will:**
# - see why taking part in decisions about care is a right;
# - place your project on the ladder of co-production, now and where you want it to be;
# - check your team against four questions that give improvement work its best chance;
# - record who is in your team and check its mix.
#
# **Time:** about 35 minutes, with a team exercise.

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

session = lesson.start(project_file, area_code, service_data, notebook="02", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## Taking part is a right
#
# The NHS Constitution for England gives people two rights that matter here [1]:
#
# - the right to take part in talks and decisions about their own health and care, and to get the
#   information they need to do so; where it fits, this includes family and carers;
# - the right to be involved, in person or through people who speak for them, when services are
#   planned, when changes are proposed, and when decisions are made about how services run.
#
# So involving people who use a service is not a favour. It is part of how the NHS should work.

# %% [markdown]
# ## Co-production and partnership
#
# **Co-production** means people with lived experience and staff work together as equals, from
# the start to the end. Each side brings knowledge the other does not have. Nobody's view counts
# for more because of their job title.
#
# Many trusts describe a move from asking how people *feel* about a service to people *changing*
# the service with staff. Service users and carers become expert partners, not just people to
# survey.
#
# In East London NHS Foundation Trust's language, "little i" involvement means asking people for
# their views now and then (surveys, focus groups). "Big I" involvement means service users and
# carers are full members of the team throughout [2].

# %% [markdown]
# ## The ladder of co-production
#
# The ladder describes seven ways of working with people, from doing things **to** them, through
# doing things **for** them, to doing things **with** them [3].
#
# | rung | name | what it looks like |
# |---|---|---|
# | 7 | **Co-production** | an equal partnership, all the way through |
# | 6 | **Co-design** | people help design the change, but do not see it through |
# | 5 | **Engagement** | people have more chances to give views, and some influence |
# | 4 | **Consultation** | people are asked, for example in a survey; it can be token |
# | 3 | **Informing** | people are told what was decided and why |
# | 2 | **Educating** | people are helped to understand the service |
# | 1 | **Coercion** | people are passive; their views are not sought |
#
# Rungs 1 and 2 are doing **to**, rungs 3 to 5 doing **for**, and rungs 6 and 7 doing **with**.
# Place your project on the ladder now, and say where you want it to be. Give a reason.

# %%
session.form("coproduction")

# %% [markdown]
# ## What we have learned about co-producing with service users
#
# - Taking part in improvement work can help a person's own recovery.
# - Involve people **from the beginning**, not as an afterthought once the plan is made.
# - Be clear about what they will do. Agree their role together, and ask what they would like to gain.
# - Think about how you invite people and how you talk to them. Hold meetings at times and places
#   that suit them, and pay for their time where your organisation allows it.

# %% [markdown]
# ## Four questions for the best chance of success
#
# 1. Is your **diverse team** comfortable talking about bias and inequity?
# 2. Are there **frequent chances to meet**?
# 3. Do you have **active support** from a QI coach and a sponsor?
# 4. Is there **real co-production**, with service users involved?
#
# <div class="alert alert-success">
#
# **Team exercise: where are you now, and where do you want to be?** For each question, say where
# your team is today and write one or two next steps. Help each other think it through.
#
# <details><summary>Hints</summary>
#
# - "Where are you" can be short: "we meet monthly, but two of us can rarely come".
# - A good next step names who will do what, by when.
# </details>
# </div>

# %%
session.form("four_questions")

# %% [markdown]
# ## Your team
#
# List the people in your team and their roles. Names are optional. Someone with lived experience is
# only shown by name if they have agreed to it.

# %%
session.form("team")

# %% [markdown]
# The box below checks your team's mix: is there lived experience, someone who can make decisions,
# a QI coach and a sponsor?

# %%
session.team_mix()

# %% [markdown]
# ## Recap
#
# - Taking part in decisions about care, and about services, is a right.
# - Co-production means working as equals from start to finish: the top of the ladder.
# - Four questions give your work its best chance: a diverse team at ease talking about bias, chances to
#   meet, a coach and a sponsor, and real co-production.
#
# **What you saved:** your place on the ladder, your answers to the four questions with next steps, and your
# team list.
#
# **What is next:** [03 · Running the data exercise](03_running_the_data_exercise.ipynb).
#
# ### Sources
#
# 1. Department of Health and Social Care. *The NHS Constitution for England* (updated 2023): rights on
#    involvement in your healthcare and in the NHS.
# 2. East London NHS Foundation Trust Quality Improvement programme: service user involvement ("little i"
#    and "Big I").
# 3. Think Local Act Personal and the National Co-production Advisory Group: the ladder of co-production
#    (after Arnstein's ladder of citizen participation, 1969).
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes on rights and co-production, 5 on the ladder, 15 for the four-questions exercise,
#   5 on the team list.
# - **Prompts:** "Who is missing from this team?" "What would make it easier for a service user to come to
#   your meetings?" "What would the next rung up the ladder look like for you?"
# - **Names:** never type a service user's name unless they have said yes. Roles alone are fine.
# - **If the team has no lived experience yet:** that is a next step, not a failure. Record it as one.
# - **If a form does not save:** the note under it says why (for example the file is open elsewhere). Wait a
#   moment and try again; team-mates' answers are kept.
