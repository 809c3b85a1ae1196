WITH events AS (
  SELECT
    customer_id,
    COUNT(
      CASE
        WHEN `type` = 'report_exported' AND `time` >= CAST('2025-11-03 00:00:00' AS TIMESTAMP)
        THEN 1
      END
    ) AS e_1,
    COUNT(CASE WHEN `type` = 'workflow_created' THEN 1 END) AS e_2,
    COUNT(
      CASE
        WHEN `type` = 'dashboard_shared'
        AND `time` >= CAST('2026-01-02 00:00:00' AS TIMESTAMP)
        THEN 1
      END
    ) AS e_3,
    COUNT(
      DISTINCT CASE
        WHEN `type` = 'login' AND `time` >= CAST('2026-01-04 00:00:00' AS TIMESTAMP)
        THEN CAST(`time` AS DATE)
      END
    ) AS e_4,
    MAX(CASE WHEN `type` = 'login' THEN `time` END) AS e_5,
    SUM(
      CASE
        WHEN `type` = 'report_exported' AND `time` >= CAST('2025-02-01 00:00:00' AS TIMESTAMP)
        THEN `value`
      END
    ) AS e_6
  FROM signals
  WHERE
    kind = 'event'
    AND `type` IN ('dashboard_shared', 'login', 'report_exported', 'workflow_created')
    AND `time` < CAST('2026-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    customer_id
), answers_ranked AS (
  SELECT
    customer_id,
    `type`,
    `value`,
    ROW_NUMBER() OVER (PARTITION BY customer_id, `type` ORDER BY `time` DESC, `value` DESC) AS rn
  FROM signals
  WHERE
    kind = 'answer'
    AND `type` IN ('teaches_peers')
    AND `time` < CAST('2026-02-01 00:00:00' AS TIMESTAMP)
), answers AS (
  SELECT
    customer_id,
    MAX(CASE WHEN `type` = 'teaches_peers' THEN `value` END) AS a_1
  FROM answers_ranked
  WHERE
    rn = 1
  GROUP BY
    customer_id
), observed AS (
  SELECT
    c.customer_id,
    COALESCE(e.e_1, 0) AS v_1,
    COALESCE(e.e_2, 0) AS v_2,
    `c`.`plan` AS v_3,
    COALESCE(e.e_3, 0) AS v_4,
    a.a_1 AS v_5,
    COALESCE(e.e_4, 0) AS v_6,
    DATEDIFF(DAY, CAST(e.e_5 AS DATE), CAST('2026-01-31' AS DATE)) AS v_7,
    `c`.`Monthly Charges` AS v_8,
    COALESCE(e.e_6, 0) AS v_9
  FROM customers AS c
  LEFT JOIN events AS e
    ON c.customer_id = e.customer_id
  LEFT JOIN answers AS a
    ON c.customer_id = a.customer_id
), criteria AS (
  SELECT
    *,
    COALESCE(v_1 >= 3, FALSE) AS c_1,
    COALESCE(v_2 >= 5, FALSE) AS c_2,
    COALESCE(v_3 IN ('pro', 'enterprise'), FALSE) AS c_3,
    COALESCE(v_4 >= 10, FALSE) AS c_4,
    COALESCE(v_5 >= 4, FALSE) AS c_5,
    COALESCE(v_6 >= 8, FALSE) AS c_6,
    COALESCE(v_7 <= 7, FALSE) AS c_7,
    COALESCE(v_8 <= CAST(10.5 AS DOUBLE), FALSE) AS c_8,
    COALESCE(v_9 >= CAST(2.5 AS DOUBLE), FALSE) AS c_9
  FROM observed
), stages AS (
  SELECT
    *,
    CASE
      WHEN c_1 AND c_2 AND c_3 AND (
        c_4 OR c_5
      )
      THEN 3
      WHEN c_1 AND c_2 AND c_3
      THEN 2
      WHEN c_1
      THEN 1
      ELSE 0
    END AS stage__practice,
    CASE WHEN c_6 AND c_7 AND NOT c_8 AND c_9 THEN 1 ELSE 0 END AS stage__habits
  FROM criteria
), progress AS (
  SELECT
    *,
    CASE
      WHEN stage__practice >= 2
      THEN 1.0
      WHEN stage__practice = 0
      THEN (
        CAST(0.0 AS DOUBLE) + (
          CASE WHEN c_1 THEN 1.0 ELSE 0.0 END
        ) / CAST(1.0 AS DOUBLE)
      ) / CAST(2.0 AS DOUBLE)
      WHEN stage__practice = 1
      THEN (
        CAST(1.0 AS DOUBLE) + (
          CASE WHEN c_2 THEN 1.0 ELSE 0.0 END + CASE WHEN c_3 THEN 1.0 ELSE 0.0 END
        ) / CAST(2.0 AS DOUBLE)
      ) / CAST(2.0 AS DOUBLE)
    END AS progress__practice,
    CASE
      WHEN stage__habits >= 1
      THEN 1.0
      WHEN stage__habits = 0
      THEN (
        CAST(0.0 AS DOUBLE) + (
          CASE WHEN c_6 THEN 1.0 ELSE 0.0 END + CASE WHEN c_7 THEN 1.0 ELSE 0.0 END + CASE WHEN NOT c_8 THEN 1.0 ELSE 0.0 END + CASE WHEN c_9 THEN 1.0 ELSE 0.0 END
        ) / CAST(4.0 AS DOUBLE)
      ) / CAST(1.0 AS DOUBLE)
    END AS progress__habits
  FROM stages
)
SELECT
  customer_id,
  v_1,
  c_1,
  v_2,
  c_2,
  v_3,
  c_3,
  v_4,
  c_4,
  v_5,
  c_5,
  v_6,
  c_6,
  v_7,
  c_7,
  v_8,
  c_8,
  v_9,
  c_9,
  stage__practice,
  progress__practice,
  stage__habits,
  progress__habits,
  100.0 * (
    CAST(2.0 AS DOUBLE) * progress__practice + CAST(1.0 AS DOUBLE) * progress__habits
  ) / CAST(3.0 AS DOUBLE) AS `index`
FROM progress
