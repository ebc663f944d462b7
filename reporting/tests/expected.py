"""The figures of ``report_data`` for 01.02.–31.03.2025, worked out by hand from the data
(see the module docstring there), independently of the code under test."""

from decimal import Decimal as D

# indicator code -> (in the period, cumulative, % of target or None)
INDICATORS = {
    "people-trained": (2, 3, D("4.3")),  # 3 of 70
    "people-trained.role.teacher": (1, 1, None),
    "people-trained.role.career_counsellor": (0, 1, None),
    "people-trained.role.methodologist": (1, 1, None),
    "people-trained.role.other": (0, 0, None),
    "people-trained.municipality.daugavpils": (2, 2, None),
    "people-trained.municipality.elsewhere": (0, 1, None),
    "people-trained.sex.female": (1, 1, None),
    "people-trained.sex.male": (0, 1, None),
    "people-trained.sex.unknown": (1, 1, None),
    "sessions-held": (3, 4, None),
    "academic-hours": (12, 16, D("6.7")),  # 16 of 240
    "stage-completions": (1, 1, None),
    "certificates-issued": (1, 1, None),
    "programmes-developed": (5, 8, D("21.6")),  # 8 of 37
}
TARGETS = {"people-trained": 70, "academic-hours": 240, "programmes-developed": 37}

# stage order -> (planned, scheduled, delivered in the period, delivered cumulative, %)
STAGES = {1: (16, 16, 8, 12, D("75.0")), 2: (8, 4, 4, 4, D("50.0"))}

# heading code -> (planned, spent in the period, spent cumulative, remaining, % spent)
HEADINGS = {
    "A": (D("1000000.00"), D("2501.54"), D("3501.54"), D("996498.46"), D("0.4")),
    "B": (D("1011605.00"), D("0.00"), D("0.00"), D("1011605.00"), D("0.0")),
}
# Each item split to the cent (grant rounded down, co-financing takes the rest):
#   1000.00 -> grant 900.00 (Norway 765.00, state 135.00), municipality 100.00
#   2500.55 -> grant 2250.49 (Norway 1912.91, state 337.58), municipality 250.06
#      0.99 -> grant 0.89 (Norway 0.75, state 0.14), municipality 0.10
# source -> (planned, spent in the period, spent cumulative)
SOURCES = {
    "grant": (D("1810444.00"), D("2251.38"), D("3151.38")),
    "norway": (D("1538877.00"), D("1913.66"), D("2678.66")),
    "state": (D("271567.00"), D("337.72"), D("472.72")),
    "municipality": (D("201161.00"), D("250.16"), D("350.16")),
}
SPENT_IN_PERIOD = D("2501.54")
SPENT_CUMULATIVE = D("3501.54")
INELIGIBLE = D("300.00")
TOTAL_COST = D("2011605.00")
# 01.01.2025 (stage registration opens) – 31.12.2025: 90 of 365 days by 31.03.
DAYS_ELAPSED, DAYS_TOTAL = 90, 365
TIME_ELAPSED = D("24.7")
SPENT_SHARE = D("0.2")
