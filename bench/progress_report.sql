-- The reference for bench/progress_report.py: every figure of the funder's progress report
-- (reporting/report/build.py) computed by ONE hand-written query, aggregates in PostgreSQL.
--
-- Parameters: programme (id), start and end_ (the period's first and last day), start_at and
-- end_at (the period as aware moments, [start_at, end_at)), now (what counts as held).
-- One row per figure: (section, key, a, b, c, d); the script compares them with the report.
--
--   first_day   the programme's first day (key), for the period and the pace
--   stage       key = stage order; a scheduled, b delivered in the period, c cumulative,
--               d planned (academic hours, each rounded to 0.01 as the report shows them)
--   indicator   key = code; a in the period, b cumulative
--   breakdown   key = code.dimension.group (people trained by role, municipality, sex)
--   heading     key = code; a planned, b eligible spending in the period, c cumulative
--   money       key eligible: a in the period, b cumulative; key ineligible: the same and
--               c the number of ineligible items in the period
--   source      key = funding source id; a planned (the total cost split at the budget's
--               unit), b the eligible spending of the period and c cumulative, each item
--               split to the cent over the source tree and summed

WITH RECURSIVE
programme AS (
    SELECT id, hours_pro_rata FROM courses_programme WHERE id = %(programme)s
),
stage AS (
    SELECT st.id, st."order", st.planned_academic_hours AS planned,
           st.completion_threshold_percent AS threshold, st.registration_opens_at
    FROM courses_stage st JOIN programme p ON p.id = st.programme_id
    WHERE NOT st.is_demo
),
session AS (
    SELECT se.id, se.stage_id, se.starts_at, se.ends_at, se.academic_hours,
           EXTRACT(EPOCH FROM (se.ends_at - se.starts_at)) / 60 AS minutes
    FROM courses_session se JOIN stage ON stage.id = se.stage_id
),
first_day AS (
    SELECT (LEAST((SELECT min(starts_at) FROM session),
                  (SELECT min(registration_opens_at) FROM stage))
            AT TIME ZONE 'Europe/Riga')::date AS day
),
stage_hours AS (
    SELECT stage.id, stage."order", stage.planned,
           round(coalesce(sum(se.academic_hours), 0), 2) AS scheduled,
           round(coalesce(sum(se.academic_hours) FILTER (
               WHERE se.ends_at <= %(now)s AND se.starts_at >= %(start_at)s
                     AND se.starts_at < %(end_at)s), 0), 2) AS delivered_in_period,
           round(coalesce(sum(se.academic_hours) FILTER (
               WHERE se.ends_at <= %(now)s AND se.starts_at < %(end_at)s), 0), 2)
               AS delivered_cumulative,
           count(se.id) FILTER (
               WHERE se.ends_at <= %(now)s AND se.starts_at >= %(start_at)s
                     AND se.starts_at < %(end_at)s) AS sessions_in_period,
           count(se.id) FILTER (WHERE se.ends_at <= %(now)s AND se.starts_at < %(end_at)s)
               AS sessions_cumulative
    FROM stage LEFT JOIN session se ON se.stage_id = stage.id
    GROUP BY stage.id, stage."order", stage.planned
),
-- One pass over the attendance: per person and stage, present at all / in the period, and the
-- academic hours earned before the period's end and before its start (the attendance rule:
-- participants/attendance/selectors.py).
attended AS (
    SELECT a.participant_id, se.stage_id,
           bool_or(a.status = 'present' AND se.starts_at < %(end_at)s) AS present_by_end,
           bool_or(a.status = 'present' AND se.starts_at >= %(start_at)s
                   AND se.starts_at < %(end_at)s) AS present_in_period,
           sum(h.hours) FILTER (WHERE se.starts_at < %(end_at)s) AS by_end,
           sum(h.hours) FILTER (WHERE se.starts_at < %(start_at)s) AS by_start
    FROM participants_attendance a
    JOIN session se ON se.id = a.session_id
    CROSS JOIN programme p
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN NOT p.hours_pro_rata AND a.status = 'present'
                THEN se.academic_hours::numeric(10, 4)
            WHEN p.hours_pro_rata AND a.status IN ('present', 'absent')
                THEN se.academic_hours * LEAST(a.minutes_present::numeric(10, 4), se.minutes)
                     / se.minutes
            ELSE 0
        END AS hours
    ) h
    GROUP BY a.participant_id, se.stage_id
),
confirmed AS (
    SELECT r.participant_id, r.stage_id, stage.planned, stage.threshold
    FROM participants_registration r JOIN stage ON stage.id = r.stage_id
    WHERE r.status = 'confirmed'
),
trained AS (
    SELECT c.participant_id, bool_or(at.present_in_period) AS in_period
    FROM confirmed c
    JOIN attended at ON at.participant_id = c.participant_id AND at.stage_id = c.stage_id
    WHERE at.present_by_end
    GROUP BY c.participant_id
),
trained_groups AS (
    SELECT GROUPING(pp.role) AS no_role, GROUPING(g.place) AS no_place,
           GROUPING(g.sex) AS no_sex, pp.role, g.place, g.sex,
           count(*) AS cumulative, count(*) FILTER (WHERE t.in_period) AS in_period
    FROM trained t
    JOIN participants_participant pp ON pp.id = t.participant_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN pp.municipality = 'daugavpils' THEN 'daugavpils'
                    ELSE 'elsewhere' END AS place,
               CASE WHEN pp.sex IN ('female', 'male') THEN pp.sex ELSE 'unknown' END AS sex
    ) g
    GROUP BY GROUPING SETS ((pp.role), (g.place), (g.sex), ())
),
completions AS (
    SELECT count(*) FILTER (WHERE reached_by_end) AS cumulative,
           count(*) FILTER (WHERE reached_by_end AND NOT reached_by_start) AS in_period
    FROM (
        SELECT round(coalesce(at.by_end, 0), 2) >= round(c.planned * c.threshold / 100, 2)
                   AS reached_by_end,
               round(coalesce(at.by_start, 0), 2) >= round(c.planned * c.threshold / 100, 2)
                   AS reached_by_start
        FROM confirmed c
        LEFT JOIN attended at ON at.participant_id = c.participant_id AND at.stage_id = c.stage_id
    ) reached
),
certificates AS (
    SELECT count(*) FILTER (WHERE c.issued_at < %(end_at)s) AS cumulative,
           count(*) FILTER (WHERE c.issued_at >= %(start_at)s AND c.issued_at < %(end_at)s)
               AS in_period
    FROM participants_certificate c
    JOIN courses_stage st ON st.id = c.stage_id
    JOIN programme p ON p.id = c.programme_id
    WHERE NOT st.is_demo AND c.revoked_at IS NULL
),
figure (computation, in_period, cumulative) AS (
    SELECT 'people_trained', in_period::numeric, cumulative::numeric
        FROM trained_groups WHERE no_role = 1 AND no_place = 1 AND no_sex = 1
    UNION ALL SELECT 'sessions_held', sum(sessions_in_period), sum(sessions_cumulative)
        FROM stage_hours
    UNION ALL SELECT 'academic_hours_delivered', sum(delivered_in_period),
                     sum(delivered_cumulative) FROM stage_hours
    UNION ALL SELECT 'stage_completions', in_period, cumulative FROM completions
    UNION ALL SELECT 'certificates_issued', in_period, cumulative FROM certificates
),
entered AS (
    SELECT indicator_id, sum(value) AS cumulative,
           sum(value) FILTER (WHERE period_end >= %(start)s) AS in_period
    FROM reporting_indicatorvalue WHERE period_end <= %(end_)s
    GROUP BY indicator_id
),
indicator AS (
    SELECT i.code, i.computation,
           CASE WHEN i.kind = 'computed' THEN coalesce(f.in_period, 0)
                ELSE coalesce(e.in_period, 0) END AS in_period,
           CASE WHEN i.kind = 'computed' THEN coalesce(f.cumulative, 0)
                ELSE coalesce(e.cumulative, 0) END AS cumulative
    FROM reporting_indicator i
    LEFT JOIN figure f ON i.kind = 'computed' AND f.computation = i.computation
    LEFT JOIN entered e ON i.kind = 'entered' AND e.indicator_id = i.id
),
-- Money
budget AS (
    SELECT b.id, b.total_cost, b.grant_rounding_unit
    FROM reporting_budget b JOIN programme p ON p.id = b.programme_id
),
heading AS (
    SELECT h.id, h.code, h.planned_amount FROM reporting_budgetheading h
    JOIN budget b ON b.id = h.budget_id
),
spending AS (
    SELECT e.id, e.heading_id, e.amount, e.eligible, e.date >= %(start)s AS in_period
    FROM reporting_expenditure e JOIN heading h ON h.id = e.heading_id
    WHERE e.date <= %(end_)s
),
heading_rows AS (
    SELECT h.code, h.planned_amount,
           coalesce(sum(s.amount) FILTER (WHERE s.eligible AND s.in_period), 0) AS in_period,
           coalesce(sum(s.amount) FILTER (WHERE s.eligible), 0) AS cumulative
    FROM heading h LEFT JOIN spending s ON s.heading_id = h.id
    GROUP BY h.id, h.code, h.planned_amount
),
-- The split (reporting/money.py): at each level a grant is rounded down to the unit, other
-- co-financing to the cent, and the last co-financing source takes the rest; a level of grants
-- only hands the rest out a unit at a time by largest remainder.
source AS (
    SELECT f.id, f.parent_id, f.kind = 'grant' AS is_grant, f.share,
           f.kind <> 'grant' AND f.id = last_value(f.id) OVER (
               PARTITION BY f.parent_id, f.kind = 'grant' ORDER BY f."order", f.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS takes_rest,
           bool_or(f.kind <> 'grant') OVER (PARTITION BY f.parent_id) AS level_has_rest,
           f."order"
    FROM reporting_fundingsource f JOIN budget b ON b.id = f.budget_id
),
whole AS (
    SELECT 0 AS id, b.total_cost AS amount, b.grant_rounding_unit AS unit, false AS in_period
    FROM budget b
    UNION ALL
    SELECT s.id, s.amount, 0.01, s.in_period FROM spending s WHERE s.eligible
),
level AS (  -- each source of the level with its exact and its rounded-down part of the whole
    SELECT w.id AS whole_id, w.in_period, w.unit, w.amount AS whole, s.*,
           w.amount * s.share / 100 AS exact,
           floor(w.amount * s.share / 100 / CASE WHEN s.is_grant THEN w.unit ELSE 0.01 END)
               * CASE WHEN s.is_grant THEN w.unit ELSE 0.01 END AS down
    FROM whole w CROSS JOIN source s
),
split (whole_id, in_period, unit, source_id, amount) AS (
    SELECT whole_id, in_period, unit, id, down + CASE
        WHEN level_has_rest THEN
            CASE WHEN takes_rest THEN whole - sum(down) OVER w ELSE 0 END
        ELSE
            CASE WHEN row_number() OVER r <= floor((whole - sum(down) OVER w) / unit)
                 THEN unit ELSE 0 END
            + CASE WHEN row_number() OVER r = floor((whole - sum(down) OVER w) / unit) + 1
                   THEN (whole - sum(down) OVER w)
                        - floor((whole - sum(down) OVER w) / unit) * unit
                   ELSE 0 END
        END
    FROM level WHERE parent_id IS NULL
    WINDOW w AS (PARTITION BY whole_id), r AS (PARTITION BY whole_id ORDER BY exact - down DESC, "order", id)
    UNION ALL
    SELECT p.whole_id, p.in_period, p.unit, s.id, c.down + CASE
        WHEN s.level_has_rest THEN
            CASE WHEN s.takes_rest THEN p.amount - sum(c.down) OVER w ELSE 0 END
        ELSE
            CASE WHEN row_number() OVER r <= floor((p.amount - sum(c.down) OVER w) / p.unit)
                 THEN p.unit ELSE 0 END
            + CASE WHEN row_number() OVER r = floor((p.amount - sum(c.down) OVER w) / p.unit) + 1
                   THEN (p.amount - sum(c.down) OVER w)
                        - floor((p.amount - sum(c.down) OVER w) / p.unit) * p.unit
                   ELSE 0 END
        END
    FROM split p
    JOIN source s ON s.parent_id = p.source_id
    CROSS JOIN LATERAL (
        SELECT p.amount * s.share / 100 AS exact,
               floor(p.amount * s.share / 100 / CASE WHEN s.is_grant THEN p.unit ELSE 0.01 END)
                   * CASE WHEN s.is_grant THEN p.unit ELSE 0.01 END AS down
    ) c
    WINDOW w AS (PARTITION BY p.whole_id, p.source_id),
           r AS (PARTITION BY p.whole_id, p.source_id ORDER BY c.exact - c.down DESC, s."order", s.id)
),
source_rows AS (
    SELECT s.id,
           coalesce(sum(sp.amount) FILTER (WHERE sp.whole_id = 0), 0) AS planned,
           coalesce(sum(sp.amount) FILTER (WHERE sp.whole_id <> 0 AND sp.in_period), 0)
               AS in_period,
           coalesce(sum(sp.amount) FILTER (WHERE sp.whole_id <> 0), 0) AS cumulative
    FROM source s LEFT JOIN split sp ON sp.source_id = s.id
    GROUP BY s.id
)
SELECT 'first_day' AS section, day::text AS key, NULL::numeric AS a, NULL::numeric AS b,
       NULL::numeric AS c, NULL::numeric AS d
    FROM first_day
UNION ALL
SELECT 'stage', "order"::text, scheduled, delivered_in_period, delivered_cumulative, planned
    FROM stage_hours
UNION ALL
SELECT 'indicator', code, in_period, cumulative, NULL, NULL FROM indicator
UNION ALL
SELECT 'breakdown', i.code || '.' || CASE
           WHEN g.no_role = 0 THEN 'role.' || g.role
           WHEN g.no_place = 0 THEN 'municipality.' || g.place
           ELSE 'sex.' || g.sex END,
       g.in_period, g.cumulative, NULL, NULL
    FROM trained_groups g
    JOIN indicator i ON i.computation = 'people_trained'
    WHERE g.no_role + g.no_place + g.no_sex = 2
UNION ALL
SELECT 'heading', code, planned_amount, in_period, cumulative, NULL FROM heading_rows
UNION ALL
SELECT 'money', 'eligible', coalesce(sum(amount) FILTER (WHERE in_period), 0),
       coalesce(sum(amount), 0), NULL, NULL
    FROM spending WHERE eligible
UNION ALL
SELECT 'money', 'ineligible', coalesce(sum(amount) FILTER (WHERE in_period), 0),
       coalesce(sum(amount), 0), count(*) FILTER (WHERE in_period), NULL
    FROM spending WHERE NOT eligible
UNION ALL
SELECT 'source', id::text, planned, in_period, cumulative, NULL FROM source_rows
