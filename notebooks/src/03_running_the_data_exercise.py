# %% [markdown]
# # 03 · Running the data exercise
#
# *Use numbers, words and pictures to find out who is affected by the problem you want to tackle.*
#
# **In this notebook you will:**
# - ask three questions about your topic, of three kinds of source;
# - look at public data on your area's population, with its source and date;
# - look at your service's data: who uses it, how they find it, and how they do, group by group;
# - plan what to ask the people affected and the staff, and note what you have heard;
# - save a plan for collecting the data you still need.
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

session = lesson.start(project_file, area_code, service_data, notebook="03", mapping=mapping,
                       bad_rows=bad_rows)

# %% [markdown]
# ## Three questions
#
# 1. What do **service and population data** tell you about who is affected by the problem?
# 2. What can **the people who face the inequity** tell you? What is not working, and what would make it better?
# 3. What do **the people who provide care or support** say about how big the problem is?
#
# Each question needs a different kind of evidence: **numbers** (data), **words** (what people say) and
# **pictures** (photos, maps, drawings, journey maps). You need all three.

# %% [markdown]
# ## Population data: Fingertips
#
# OHID's **Fingertips** website has public health profiles for every area in England. The session
# points to these profiles:

# %%
session.profiles()

# %% [markdown]
# Here is what this notebook can show for your area. It says where each figure comes from and how
# old it is. Without the internet, it uses a saved copy of real Fingertips data. With the internet
# and `equitylab data refresh`, it uses today's data.

# %%
session.population_indicators()

# %% [markdown]
# ### An example profile: Hackney, 2019
#
# OHID's Local Authority Health Profile for Hackney was published in March 2020. It is a good example of
# the kind of facts to look for. Figures quoted from the profile are shown with their source.

# %%
session.published_profile("E09000012")

# %% [markdown]
# ## Your service's data
#
# Your team's own data shows who **uses** your service, how they **find** it, and how they **do**. The box
# below loads it. If you have not given a file, it uses a **synthetic** (made-up) extract for a community
# mental health team, built on the real make-up of your area. Every table and chart made from it says
# SYNTHETIC.
#
# When a file is loaded, columns that could identify a person (NHS numbers, names, dates of birth, full
# postcodes) are found and removed before anything else happens. Small numbers are marked so they are not
# shared by mistake.

# %%
session.service_summary()

# %% [markdown]
# ### Access: who uses the service, compared with who lives here?
#
# If a group makes up 20% of the people in your area but only 10% of the people using your service, that
# group may be finding it harder to get in. This compares each group's share of the service with its
# share of the local population (2021 Census). It is not a measure of need unless we add what we know
# about how common the condition is in each group.

# %%
session.access("ethnicity")

# %%
session.access("age")

# %% [markdown]
# ### Experience: do some groups have a worse time?
#
# Experience has several sides: what people say about the service (for example the Friends and Family
# Test), missed appointments, and people who stop coming. Each bar shows a group with its **95%
# confidence interval**: the range the true value is likely to lie in. Where the ranges of two groups do
# not overlap, the difference is unlikely to be chance alone.

# %%
session.experience(by="ethnicity")

# %%
session.experience(by="deprivation")

# %% [markdown]
# ### Outcomes: do some groups do less well?
#
# Here the outcome is going back into hospital within 90 days of discharge, by ethnic group, sex, age and
# deprivation. Deprivation here uses **deciles within your area**: your area's own neighbourhoods split
# into ten equal groups, from most to least deprived. That way every group has people in it, even in an
# area that has few of England's least deprived neighbourhoods.

# %%
session.outcomes(by=["ethnicity", "sex", "age_band"])

# %%
session.outcomes_by_deprivation()

# %% [markdown]
# ### Where disadvantages meet
#
# A person is not only their ethnic group, or their sex, or where they live: they are all of these at once.
# The people who fare worst are often where several disadvantages meet, for example Black men in the most
# deprived areas. Split the data every way at once and most groups become small, and small groups give
# jumpy numbers. So this view uses a model (MAIHDA) that **borrows strength**: a combination with few
# people is pulled toward what its ethnic group, sex and deprivation would predict, and a large one keeps
# close to its own numbers. This is called **shrinkage**. It stops one or two unlucky cases from making a
# small group look extreme, and its interval says how sure we can be. The dots are the model's estimates;
# the small ticks are the raw figures.
#
# The words also say whether a combination is worse than its groups predict on their own: a sign that the
# disadvantages add up to more than their sum. Here the measure is the wait for a first appointment.

# %%
session.intersections(by=["ethnicity", "sex", "deprivation"])

# %% [markdown]
# ## Words and pictures: what do people say?
#
# Numbers tell you **where** a gap is. People tell you **why**, and what would help. Some ways to hear them:
#
# - short conversations in the waiting room, at a community group, or by phone;
# - a photo or drawing of a journey through the service, made with the people who use it;
# - a few questions to staff: where do they see people struggle? who do they rarely see?
#
# Useful questions: *What was hard about getting here? What made you feel welcome, or not? What would you
# change first?* Never write down names. Note the speaker's role (for example "carer") and whether they
# agreed to being quoted.

# %%
session.form("heard")

# %% [markdown]
# <div class="alert alert-success">
#
# ## Team exercise: your data plan
#
# For each of the three questions, note: what data would help and what you could ask people; how you will
# collect it; and what might make that hard. Mark each item as **numbers**, **words** or **pictures**.
#
# <details><summary>Hints</summary>
#
# - Start with data you already have, then add what is missing.
# - For words and pictures, think about who can reach the group you are worried about.
# - Challenges might be consent, time, interpreters, or data that is not recorded.
# </details>
# </div>

# %%
session.form("data_plan")

# %% [markdown]
# ## Recap
#
# - Use **numbers, words and pictures**, from population data, from the people affected and from staff.
# - Look at **access** (who gets in), **experience** (how it feels, who drops out) and **outcomes** (how people
#   do), group by group, with the uncertainty shown.
# - A gap in the numbers is where to start asking questions, not the answer to why.
#
# **What you saved:** what you have heard so far, and your data plan.
#
# **What is next:** [04 · Drafting the aim and driver diagram](04_drafting_the_aim_and_driver_diagram.ipynb).
#
# ### Sources
#
# - OHID Fingertips public health profiles (Open Government Licence v3.0); Local Authority Health Profile
#   2019, Hackney (published 3 March 2020).
# - Office for National Statistics, Census 2021 (TS021 ethnic group, TS007A age), Open Government Licence v3.0.
# - Ministry of Housing, Communities and Local Government, English Indices of Deprivation 2019, Open
#   Government Licence v3.0.
# - Methods: Wilson score intervals for proportions (Newcombe 1998), as used by OHID. Where disadvantages
#   meet: MAIHDA (Merlo 2018; Evans et al. 2018; the tutorial of Evans, Leckie, Subramanian, Bell and Merlo 2024).
#
# ---
#
# ### Facilitator notes
#
# - **Timing:** 10 minutes on population data, 20 on service data, 20 on words, pictures and the plan.
# - **The default data is synthetic:** say so out loud. It has gaps built in on purpose, so that teams can
#   practise finding them. Real extracts are loaded with `service_data` in the first box, or by an advisor.
# - **If a team's extract will not load:** the message names the file, rows and column at fault and how to
#   fix it. Most often a column name differs: pass a mapping (see `docs/service-data-schema.md`).
# - **Small numbers:** tables here are for the team. Anything shared outside the team must go through a
#   report, which hides small counts.
# - **Prompts:** "Which group would you most like to hear from, and who could help you reach them?"
