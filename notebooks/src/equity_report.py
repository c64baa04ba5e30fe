# %% [markdown] tags=["notebook-only"]
# # Equity report
#
# *An equity profile of one area or team: who lives there, who uses the service, how each group fares,
# and how that changes over time.*
#
# This notebook is the template for `equitylab report`. An improvement advisor runs it for one area
# (`equitylab report --area E09000012 --out reports`) or for hundreds (`equitylab report --batch areas.csv`).
# It becomes a report with no code in it: one HTML file, and its tables as CSV and Excel. Published tables
# hide counts from 1 to 7. You can also open it in JupyterLab and run it yourself.

# %% tags=["parameters"]
# Parameters: papermill replaces these for each report (equitylab report --help lists them).
area_code: str = "E09000012"  # ONS code of the area; E09000012 is Hackney
comparator: str = "E92000001"  # ONS code of the area to compare with; E92000001 is England
service_data: str = ""  # the team's service extract (.csv, .xlsx, .parquet); empty means synthetic teaching data
dimensions: str = "ethnicity,sex,age_band,deprivation"  # grouping dimensions, separated by commas
period: str = ""  # referral dates to include, e.g. "2023-04-01:2024-03-31"; empty means the whole extract
project_file: str = ""  # the team's project file (.yaml), for its aim and driver diagram; empty leaves them out
mapping: str = ""  # a YAML file naming the extract's headers equitylab does not recognise; empty means none
bad_rows: str = "error"  # "exclude" leaves rows with problems out, and the report says how many and why

# %% jupyter={"source_hidden": true}
# setup: report mode (static charts, published tables) and the header
from equitylab import findings
from equitylab.reports import display as report

audience = "publish"
report.start(area_code=area_code, comparator=comparator, service_data=service_data, dimensions=dimensions,
             period=period, project_file=project_file)
groups = report.dimension_list(dimensions)

# %% [markdown]
# ## 1. The area's population
#
# Public data on who lives in the area: how deprived its neighbourhoods are, its ethnic mix, and the gaps in
# health that have been published. Each figure says where it comes from and how old it is.

# %%
report.show(findings.deprivation_profile(area_code), table=False)
report.show(findings.ethnic_mix(area_code, comparator), table=False)
report.show(findings.life_expectancy_between_areas(area_code), table=False)
report.show(findings.within_area_gap(area_code))

# %% [markdown]
# ## 2. The service's data
#
# What the extract holds. Columns that could identify a person are removed when it is read, before any
# analysis.

# %%
service = report.within_period(findings.load_service(service_data, area_code, mapping=mapping, bad_rows=bad_rows),
                                period)
report.show(findings.service_summary(service, audience=audience), table=False)

# %% [markdown]
# ## 3. Access: who uses the service, against who lives here
#
# Each group's share of referrals beside its share of the area's residents (Census 2021), with a 95%
# confidence interval for the ratio. A ratio below 1 means fewer referrals than the group's share of the
# population would suggest. Shares of population are not need: a group may need the service more or less.

# %%
report.show_if_available(findings.access, service, area_code, groups, audience=audience)

# %% [markdown]
# ## 4. Experience and outcomes, group by group
#
# Experience covers missed appointments, what people said about their care, and people who stopped coming.
# The outcome is readmission within 90 days, where the extract records it. Each group is compared with the
# service overall, with a 95% confidence interval; inequality across deprivation groups is summarised by the
# slope index of inequality.

# %%
report.show(findings.experience(service, by=report.service_columns(groups), audience=audience))
report.show(findings.outcomes(service, by=report.service_columns(groups), audience=audience))
if "deprivation" in groups:
    report.show(findings.outcomes_by_deprivation(service, area_code, audience=audience))

# %% [markdown]
# ## 5. Where disadvantages meet
#
# The wait for a first appointment for every combination of the groups (ethnic group, sex and deprivation
# by default), by MAIHDA: which combinations wait longer than the service overall, and whether any wait
# longer than their groups alone would predict. The model pulls a combination with few people toward what
# its groups predict (shrinkage), so one or two unusual cases do not make it look extreme. Combinations with
# 1 to 7 people are not shown.

# %%
crossed = [g for g in groups if g != "age_band"]  # age bands are too fine to cross with the other groups
crossed = crossed if len(crossed) >= 2 else groups
if len(crossed) >= 2:
    report.show(findings.intersections(service, by=crossed, audience=audience), table=False)
else:
    report.note("This report has one grouping, so there are no combinations of groups to look at.")

# %% [markdown]
# ## 6. Over time
#
# Statistical process control charts (NHS Making Data Count): the share of referrals seen within 28 days,
# month by month, for each group, and the gap between two groups. A signal is a change unlikely to be
# chance; the charts say which rules fired. Higher is better for this measure.

# %%
report.show(findings.over_time(service, by=report.service_columns(groups)[0], audience=audience,
                               target=findings.aim_target(project_file)))
report.show(findings.gap_over_time(service, by=report.service_columns(groups)[0], audience=audience), table=False)

# %% [markdown]
# ## 7. The team's aim and driver diagram

# %%
if project_file:
    report.show(findings.project_overview(project_file))
else:
    report.note("No project file was given, so this report does not show a team's aim or driver diagram.")

# %% [markdown]
# ## 8. Data sources and licences

# %%
report.sources(findings.sources(*report.findings()))
report.summary()
