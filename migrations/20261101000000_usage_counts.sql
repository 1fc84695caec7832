-- Anonymous usage counts (issue 6). One row per (UTC day, event kind, topic id, language) with a count.
--
-- Dialect-neutral: the same file runs on SQLite and PostgreSQL through sqlx's Any driver.
-- There is deliberately no column that could hold a person's identifier, a message, a query or a time finer
-- than a day, and the CHECKs keep each column to the shape the code writes:
--   day    'YYYY-MM-DD' (UTC), never a timestamp
--   kind   an event kind such as 'question' or 'flow_step'
--   topic  '' or a knowledge id ('law-...') or 'flow-id/step-id' (validated in code against ^[a-z0-9-]{1,64}(/[a-z0-9-]{1,32})?$)
--   lang   '', 'sq' or 'en'
--   count  BIGINT (PostgreSQL INTEGER is 32-bit; the Any driver reads i64)
-- '' rather than NULL for "no topic" / "no language" so the primary key (and ON CONFLICT) treats them as equal.
CREATE TABLE usage_counts (
    day   TEXT   NOT NULL CHECK (length(day) = 10),
    kind  TEXT   NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    topic TEXT   NOT NULL DEFAULT '' CHECK (length(topic) <= 97),
    lang  TEXT   NOT NULL DEFAULT '' CHECK (lang IN ('', 'sq', 'en')),
    count BIGINT NOT NULL CHECK (count >= 0),
    PRIMARY KEY (day, kind, topic, lang)
);
