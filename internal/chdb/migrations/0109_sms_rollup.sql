-- Outbound SMS steps per 15 minutes and campaign (owned by analytics/): messages sent, delivery
-- receipts and failures, the counters analytics/campaigns.go defines on sms_messages. Backfilled
-- before the view exists (migrations run before ingest starts).
CREATE TABLE IF NOT EXISTS sms_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    campaign_id LowCardinality(String),
    sent UInt64, delivered UInt64, failed UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, campaign_id);

INSERT INTO sms_rollup_15m (tenant, ts, campaign_id, sent, delivered, failed)
SELECT tenant, toStartOfFifteenMinutes(occurred_at) AS ts, campaign_id,
    countIf(status = 'sent'), countIf(status = 'delivered'), countIf(status = 'failed')
FROM sms_messages WHERE direction = 'outbound'
GROUP BY tenant, ts, campaign_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS sms_rollup_15m_mv TO sms_rollup_15m AS
SELECT tenant, toStartOfFifteenMinutes(occurred_at) AS ts, campaign_id,
    countIf(status = 'sent') AS sent, countIf(status = 'delivered') AS delivered, countIf(status = 'failed') AS failed
FROM sms_messages WHERE direction = 'outbound'
GROUP BY tenant, ts, campaign_id;
