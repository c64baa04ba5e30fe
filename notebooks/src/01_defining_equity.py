# %% [markdown]
# # 01 · Defining equity
#
# *What we mean by equity, and what unfair gaps in health look like in real data for your area.*
#
# **In this notebook you will:**
# - tell equality, equity and inequity apart;
# - see why some differences in health are unfair and could be avoided;
# - look at deprivation, ethnic mix and life expectancy in your own area, using real public data;
# - agree, as a team, the topic you will work on, why it matters, and what may help or get in the way.
#
# **Time:** about 40 minutes, with a 15-minute team discussion.

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

session = lesson.start(project_file, area_code, service_data, notebook="01", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## Four words
#
# | word | what it means | a picture |
# |---|---|---|
# | **Equality** | everyone gets the same | everyone is given the same size of box to stand on |
# | **Inequality** | things are not the same | some people are taller than others |
# | **Equity** | fairness: people get what they need | each person gets the box they need to see over the fence |
# | **Inequity** | a gap that is unfair or unjust | the fence is higher in front of some people |
#
# Giving everyone the same is not always fair. People start from different places. Equity means
# giving each group what it needs so that everyone has a fair chance of good health.

# %% [markdown]
# ## What makes a difference unfair?
#
# Not every difference in health is an inequity. Older people have more illness than younger
# people, and that is not in itself unfair. A difference becomes an **inequity** when it is:
#
# - **avoidable**: it comes from how society or services work, not from biology alone;
# - **unfair and unjust**: it puts people who already have less at a further disadvantage.
#
# Margaret Whitehead put it this way in 1992: inequities are gaps in health that are not needed
# and could be avoided, and that are also unfair and unjust [1]. The World Health Organization
# says equity is the absence of unfair, avoidable or remediable differences between groups of
# people. Those groups can be defined by money, place, age, sex, gender, ethnicity, disability,
# sexual orientation or other ways that society sorts people [2].
#
# Two more papers help. Sudhir Anand argued that health deserves special concern, because good
# health is part of a good life and lets people do the other things they value [3]. Paula
# Braveman and Sofia Gruskin defined equity in health as the absence of **systematic** gaps in
# health, or in what shapes health, between groups with more and less social advantage [4].
# Health is a human right, and health equity is reached when everyone can reach their full
# potential for health and wellbeing.

# %% [markdown]
# ## What shapes health
#
# Much of what makes us healthy happens outside health care. These are the **social
# determinants of health**:
#
# - the homes we live in and the money we have;
# - our neighbourhoods, schools and workplaces;
# - health and care services, and whether we can use them;
# - the policies and programmes that shape all of these.
#
# So the people who use your service may have very different chances of good health before
# they ever reach you. A service can make those gaps wider or narrower.

# %% [markdown]
# ## Your area: how deprived are its neighbourhoods?
#
# England is split into about 33,000 small areas, each with about 1,500 people. The English
# Indices of Deprivation 2019 rank every one of them, from most to least deprived. A **decile**
# is a tenth of them: decile 1 is the 10% most deprived in England and decile 10 the 10% least
# deprived.
#
# The chart shows how many of your area's small areas fall in each national decile.

# %%
session.deprivation_profile()

# %% [markdown]
# ## Your area: who lives there?
#
# The 2021 Census asked people their ethnic group. This chart shows your area's people in the
# five broad groups the Census uses.

# %%
session.ethnic_mix()

# %% [markdown]
# ## A gradient across England
#
# Health often gets worse, step by step, the more deprived a neighbourhood is. This is called
# the **social gradient**. The chart shows an example from the Fingertips data of the Office for
# Health Improvement and Disparities (OHID): adults who do little physical activity, by how
# deprived their neighbourhood is.
#
# The line across the bars is the **slope index of inequality** (SII). It is the gap between the
# most and the least deprived ends of the line, taking every decile into account, not just the two ends.

# %%
session.england_gradient()

# %% [markdown]
# ## Life expectancy and deprivation, area by area
#
# Each dot is one local authority in England. It shows how long people there can expect to
# live, against how deprived the authority is overall. Your area is marked.
#
# This is a comparison **between** areas. It does not show the gap **inside** your area.

# %%
session.life_expectancy_between_areas()

# %% [markdown]
# ## The gap inside your area
#
# The gap between the most and least deprived parts of one area is a different number. OHID
# publishes it in each Local Authority Health Profile.

# %%
session.within_area_gap()

# %% [markdown]
# <div class="alert alert-success">
#
# ## Team discussion (15 minutes)
#
# In your breakout group, talk about:
#
# 1. **The topic you will work on** for your equity project, and why it matters to the people affected.
# 2. **What may get in the way** of equity (barriers), and **what may help** (enablers).
#
# Write your answers in the forms below. They are saved to your project file.
#
# <details><summary>Hints</summary>
#
# - Name a group of people and a part of your service, for example "waiting times for
#   Black African men referred to our memory service".
# - Barriers and enablers can be about people, time, data, money, culture or power.
# - Think about who is not in the room and how you will hear from them.
# </details>
# </div>

# %%
session.form("breakout")

# %% [markdown]
# ## Recap
#
# - **Equity** means fairness. An **inequity** is a gap in health that is avoidable, unfair and unjust.
# - Much of health is shaped by where and how people live: the **social determinants of health**.
# - You have seen the deprivation and ethnic mix of your area, a gradient across England, and how
#   life expectancy differs between areas.
#
# **What you saved:** your topic, why it matters, and your barriers and enablers.
#
# **What is next:** [02 · Building the team](02_building_the_team.ipynb).
#
# ### Sources
#
# 1. Whitehead M. The concepts and principles of equity in health. *International Journal of Health Services*
#    1992;22(3):429–445.
# 2. World Health Organization. Health equity (health topic).
# 3. Anand S. The concern for equity in health. *Journal of Epidemiology and Community Health* 2002;56:485–487.
# 4. Braveman P, Gruskin S. Defining equity in health. *Journal of Epidemiology and Community Health*
#    2003;57:254–258. (The session slides give a link to this paper under Anand's title.)
# 5. Data: Ministry of Housing, Communities and Local Government, English Indices of Deprivation 2019;
#    Office for National Statistics, Census 2021 (TS021) and life expectancy for local areas (2023);
#    OHID Fingertips. All under the Open Government Licence v3.0.
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes on the words, 15 minutes on the charts, 15 minutes for the breakout.
# - **Prompts:** "Which of the differences you see would you call unfair? Why?" "Who might be missing from
#   these numbers?"
# - **The within-area gap:** the offline data has the published figure for Hackney only (2019 profile).
#   For other areas the notebook says that live Fingertips data is needed; do not read a within-area gap off
#   the between-area chart.
# - **If a chart is empty:** the area may be a county council, which some offline files do not cover. Use a
#   district, unitary authority or London borough code, or connect to the internet and run
#   `equitylab data refresh`.
# - **If a form does not appear:** run the box again; if it still does not, restart the kernel and run all.
