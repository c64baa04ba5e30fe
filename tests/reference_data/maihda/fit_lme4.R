# Reference values for equitylab.measures.intersectional (MAIHDA), from lme4.
#
# Run from the repository root:  Rscript tests/reference_data/maihda/fit_lme4.R
# (Debian: apt-get install r-base-core r-cran-lme4; jsonlite comes with them.)
#
# For each fit below: drop rows with a missing category (Not stated, Not known, blank), make the
# strata from the `by` columns, then fit
#   Model 1: outcome ~ 1 + (1 | stratum)
#   Model 2: outcome ~ by_1 + by_2 + ... + (1 | stratum)       (each `by` column a fixed main effect)
# Binary outcomes: glmer(family = binomial, nAGQ = 10), maximum likelihood with adaptive
# Gauss-Hermite quadrature.  Continuous outcomes: lmer(REML = TRUE).
# Writes lme4_summary.json (variances, VPC, PCV, fixed effects, log-likelihoods, warnings) and
# lme4_strata_<fit>.csv (per stratum: n, events or mean, conditional modes and variances of the
# stratum effects, Model 2's fixed part and its variance, and Model 2's prediction).
suppressPackageStartupMessages({library(lme4); library(jsonlite)})

here <- "tests/reference_data/maihda"
fits <- list(
  list(name = "binary_interaction", data = "binary_interaction", outcome = "readmitted",
       by = c("ethnicity", "sex", "imd_quintile")),
  list(name = "binary_interaction_two", data = "binary_interaction", outcome = "readmitted",
       by = c("ethnicity", "imd_quintile")),
  list(name = "binary_additive", data = "binary_additive", outcome = "readmitted",
       by = c("ethnicity", "sex", "imd_quintile")),
  list(name = "binary_small", data = "binary_small", outcome = "readmitted",
       by = c("ethnicity", "sex", "imd_quintile")),
  list(name = "gaussian_interaction", data = "gaussian_interaction", outcome = "waiting_days",
       by = c("ethnicity", "sex", "imd_quintile")),
  list(name = "gaussian_additive", data = "gaussian_additive", outcome = "waiting_days",
       by = c("ethnicity", "sex", "imd_quintile"))
)
missing_labels <- c("Not stated", "Not known", "")

fit_one <- function(spec) {
  d <- read.csv(file.path(here, paste0(spec$data, ".csv")), colClasses = "character")
  keep <- rep(TRUE, nrow(d))
  for (b in spec$by) keep <- keep & !is.na(d[[b]]) & !(d[[b]] %in% missing_labels)
  d <- d[keep, ]
  d$y <- as.numeric(d[[spec$outcome]])
  for (b in spec$by) d[[b]] <- factor(d[[b]])
  d$stratum <- interaction(d[spec$by], sep = "|", drop = TRUE)
  binary <- startsWith(spec$name, "binary")
  f1 <- y ~ 1 + (1 | stratum)
  f2 <- as.formula(paste("y ~", paste(spec$by, collapse = " + "), "+ (1 | stratum)"))
  warns <- character(0)
  catch <- function(expr) withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")})
  if (binary) {
    m1 <- catch(glmer(f1, data = d, family = binomial, nAGQ = 10))
    m2 <- catch(glmer(f2, data = d, family = binomial, nAGQ = 10))
    resid1 <- pi^2 / 3; resid2 <- pi^2 / 3
  } else {
    m1 <- catch(lmer(f1, data = d, REML = TRUE))
    m2 <- catch(lmer(f2, data = d, REML = TRUE))
    resid1 <- sigma(m1)^2; resid2 <- sigma(m2)^2
  }
  v1 <- as.numeric(VarCorr(m1)$stratum); v2 <- as.numeric(VarCorr(m2)$stratum)
  model <- function(m, v, resid) list(
    sigma2_u = v, sigma2_e = if (binary) NULL else resid, vpc = 100 * v / (v + resid),
    fixef = as.list(fixef(m)), logLik = as.numeric(logLik(m)), singular = isSingular(m))
  summary <- list(data = spec$data, outcome = spec$outcome, by = spec$by,
                  family = if (binary) "binomial" else "gaussian",
                  method = if (binary) "glmer nAGQ = 10 (ML)" else "lmer (REML)",
                  n = nrow(d), strata = nlevels(d$stratum),
                  model1 = model(m1, v1, resid1), model2 = model(m2, v2, resid2),
                  pcv = 100 * (v1 - v2) / v1, warnings = warns,
                  lme4 = as.character(packageVersion("lme4")), R = R.version.string)

  first <- !duplicated(d$stratum)
  s <- d[first, c(spec$by, "stratum")]
  agg_n <- tapply(d$y, d$stratum, length); agg_sum <- tapply(d$y, d$stratum, sum)
  key <- as.character(s$stratum)
  s$n <- as.integer(agg_n[key])
  if (binary) s$events <- as.integer(agg_sum[key]) else s$mean <- as.numeric(agg_sum[key] / agg_n[key])
  re <- function(m) {
    r <- ranef(m, condVar = TRUE)$stratum
    list(mode = r[key, 1], var = as.numeric(attr(r, "postVar"))[match(key, rownames(r))])
  }
  r1 <- re(m1); r2 <- re(m2)
  s$m1_mode <- r1$mode; s$m1_condvar <- r1$var
  s$m2_mode <- r2$mode; s$m2_condvar <- r2$var
  X <- model.matrix(m2)[which(first), , drop = FALSE]
  s$m2_fixed <- as.numeric(X %*% fixef(m2))
  s$m2_fixed_var <- rowSums((X %*% as.matrix(vcov(m2))) * X)
  s$predicted <- as.numeric(predict(m2, newdata = s, type = "response"))
  s$stratum <- NULL
  s <- s[order(key), ]
  write.csv(s, file.path(here, paste0("lme4_strata_", spec$name, ".csv")), row.names = FALSE)
  summary
}

out <- list()
for (spec in fits) out[[spec$name]] <- fit_one(spec)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path(here, "lme4_summary.json"))
cat("wrote", length(out), "fits\n")
