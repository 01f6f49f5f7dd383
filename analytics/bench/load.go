package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Load generates the data server-side. Calls follow an intraday profile (a daytime hump
// peaking late morning, quiet nights), weekdays busier than weekends; queues and outcomes have
// realistic shares (about 10% self-served, 75% of queued calls answered, waits skewed short).
func Load(ctx context.Context, conn driver.Conn, start, end time.Time, n int) error {
	for i, q := range LoadStatements(start, end, n) {
		if err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("bench load statement %d: %w", i+1, err)
		}
	}
	return nil
}

// LoadStatements are the INSERT … SELECT statements Load runs, deterministic for the same
// arguments (besides event ids and the policies' dates, which follow now()).
func LoadStatements(start, end time.Time, n int) []string {
	span := uint32(end.Sub(start).Seconds())
	// A call's instant: a uniform day, then an hour drawn from a table weighted towards the
	// late morning and afternoon (8:00-23:00, nothing at night), then a uniform second.
	arrived := fmt.Sprintf(`toDateTime(%d + intDiv(cityHash64(number, 1) %% %d, 86400) * 86400
        + arrayElement([8,9,9,10,10,10,11,11,11,11,12,13,14,14,15,15,16,16,17,19,20,7,21,22], (cityHash64(number, 2) %% 24) + 1) * 3600
        + cityHash64(number, 3) %% 3600)`, start.Unix(), span)
	// Each step inserts in chunks of at most 250,000 rows, so no single statement outlives
	// the connection's read timeout.
	steps := []string{
		fmt.Sprintf(`INSERT INTO call_records (event_id, occurred_at, tenant, source, schema_version, call_id, direction, business_line, queue,
    customer_id, phone, agent_id, campaign_id, arrived_at, ivr_ended_at, queued_at, answered_at, ended_at, ivr_sec, wait_sec, talk_sec, hold_sec, acw_sec,
    outcome, self_service, transferred, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), ended, tenant, 'bench', 1, concat('call-', toString(number)), dir, line, queue,
    concat('c', toString(cityHash64(number, 4) %% 1000000)), '+8613800000000', agent, campaign, arr, ivr_end, queued, answered, ended,
    ivr, wait, talk, hold, acw, outcome, if(outcome = 'self_served', 'claim_status', ''), toUInt8(outcome = 'answered' AND r %% 25 = 0), 'calls', 0, number
FROM (SELECT number, %s AS arr, cityHash64(number, 5) %% 1000 AS r,
        if(r %% 7 = 0, 'outbound', 'inbound') AS dir,
        ['t1','t2','t3'][(cityHash64(number, 6) %% 3) + 1] AS tenant,
        ['q_claims','q_inquiry','q_consult','q_complaint','q_vip'][(cityHash64(number, 7) %% 5) + 1] AS q0,
        if(dir = 'outbound', 'renewal', ['claims_report','inquiry','consultation','complaint','appointment'][(cityHash64(number, 7) %% 5) + 1]) AS line,
        multiIf(dir = 'outbound', if(r %% 2 = 0, 'answered', 'no_answer'), r < 100, 'self_served', r < 130, 'ivr_abandoned', r < 880, 'answered', r < 980, 'abandoned', 'callback_requested') AS outcome,
        if(dir = 'inbound' AND outcome NOT IN ('self_served', 'ivr_abandoned'), q0, '') AS queue,
        if(outcome = 'answered', concat('a', toString(cityHash64(number, 8) %% 400)), '') AS agent,
        if(dir = 'outbound', concat('camp', toString(cityHash64(number, 9) %% 20)), '') AS campaign,
        toFloat64(if(dir = 'inbound', 5 + cityHash64(number, 10) %% 60, 0)) AS ivr,
        toFloat64(if(queue != '', pow(cityHash64(number, 11) %% 1000 / 1000, 2) * 120, 0)) AS wait,
        toFloat64(if(outcome = 'answered', 30 + cityHash64(number, 12) %% 400, 0)) AS talk,
        toFloat64(if(outcome = 'answered' AND r %% 5 = 0, 30, 0)) AS hold,
        toFloat64(if(outcome = 'answered', cityHash64(number, 13) %% 90, 0)) AS acw,
        if(dir = 'inbound', toNullable(arr + toUInt32(ivr)), NULL) AS ivr_end,
        if(queue != '', toNullable(arr + toUInt32(ivr)), NULL) AS queued,
        if(outcome = 'answered', toNullable(arr + toUInt32(ivr + wait)), NULL) AS answered,
        arr + toUInt32(ivr + wait + talk + hold) AS ended
      FROM {CHUNK})`, arrived),
		fmt.Sprintf(`INSERT INTO survey_responses (event_id, occurred_at, tenant, source, schema_version, response_id, survey_id, kind, channel, customer_id,
    campaign_id, agent_id, business_line, csat, nps, resolved, issue, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), toDateTime(%d + cityHash64(number, 20) %% %d), ['t1','t2','t3'][(number %% 3) + 1], 'bench', 1, concat('r', toString(number)), 'sv1',
    ['post_call','post_claim','general'][(cityHash64(number, 21) %% 3) + 1], 'sms', concat('c', toString(cityHash64(number, 22) %% 1000000)),
    concat('camp', toString(number %% 20)), concat('a', toString(number %% 400)), 'inquiry',
    toNullable(toUInt8(1 + least(4, cityHash64(number, 23) %% 6))), toNullable(toUInt8(cityHash64(number, 24) %% 11)), NULL,
    if(number %% 9 = 0, 'slow payment', ''), 'surveys', 0, number
FROM {CHUNK}`, start.Unix(), span),
		fmt.Sprintf(`INSERT INTO complaints (event_id, occurred_at, tenant, source, schema_version, complaint_id, stage, customer_id, category, business_line,
    department, channel, against_agent_id, registered_at, due_at, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), if(st = 0, reg, reg + 3600 + cityHash64(number, 31) %% (12 * 86400)), ['t1','t2','t3'][(cid %% 3) + 1], 'bench', 1,
    concat('cmp', toString(cid)), if(st = 0, 'registered', 'answered'), concat('c', toString(cid %% 1000000)),
    ['claim_delay','claim_amount','service_attitude','billing'][(cid %% 4) + 1], ['claims_report','inquiry'][(cid %% 2) + 1],
    ['claims','service'][(cid %% 2) + 1], ['phone','web','regulator'][(cid %% 3) + 1], if(cid %% 5 = 0, concat('a', toString(cid %% 400)), ''),
    reg, reg + 9 * 86400, 'complaints', 0, number
FROM (SELECT number, intDiv(number, 2) AS cid, number %% 2 AS st, toDateTime(%d + cityHash64(intDiv(number, 2), 30) %% %d) AS reg FROM {CHUNK})`,
			start.Unix(), span),
		fmt.Sprintf(`INSERT INTO claims (event_id, occurred_at, tenant, source, schema_version, claim_id, policy_id, customer_id, status, reported_at, closed_at,
    amount_claimed, amount_paid, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), closed, ['t1','t2','t3'][(number %% 3) + 1], 'bench', 1, concat('cl', toString(number)), concat('p', toString(number)),
    concat('c', toString(number %% 1000000)), 'closed', closed - 86400 * 5, toNullable(closed), 5000, 4000, 'claims', 0, number
FROM (SELECT number, toDateTime(%d + cityHash64(number, 40) %% %d) AS closed FROM {CHUNK})`, start.Unix(), span),
		fmt.Sprintf(`INSERT INTO dial_attempts (event_id, occurred_at, tenant, source, schema_version, attempt_id, campaign_id, campaign_type, contact_id, customer_id,
    phone, mode, attempt_no, dialed_at, connected_at, ended_at, outcome, amd, blocked_rule, final, agent_id, claim_id, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), dialed, ['t1','t2','t3'][(number %% 3) + 1], 'bench', 1, concat('att', toString(number)),
    if(cb, 'camp_callback', concat('camp', toString(intDiv(number, 3) %% 20))), if(cb, 'claim_callback', 'renewal'), concat('ct', toString(intDiv(number, 3))),
    concat('c', toString(number %% 1000000)),
    '+8613800000000', 'progressive', toUInt16(number %% 3 + 1), dialed, if(outcome = 'connected', toNullable(dialed + 10), NULL), dialed + 60, outcome,
    multiIf(outcome = 'machine', 'machine', outcome IN ('connected', 'dropped'), if(cityHash64(number, 53) %% 10 = 0, 'unknown', 'human'), ''),
    if(outcome = 'blocked', ['calling_window','do_not_call','no_consent'][(cityHash64(number, 54) %% 3) + 1], ''),
    toUInt8(number %% 3 = 2),
    if(outcome = 'connected', concat('a', toString(number %% 400)), ''), if(cb, concat('cl', toString(number)), ''), 'dial_attempts', 0, number
FROM (SELECT number, number < %d AS cb, toDateTime(%d + cityHash64(number, 50) %% %d) AS dialed,
      ['no_answer','busy','machine','connected','connected','dropped','blocked'][(cityHash64(number, 51) %% 7) + 1] AS outcome FROM {CHUNK})`,
			n/100, start.Unix(), span),
		// Agents a350..a399 are blended: their calls are outbound work.
		fmt.Sprintf(`INSERT INTO agent_states (event_id, occurred_at, tenant, source, schema_version, agent_id, state, previous_state, previous_sec, queues,
    direction, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), toDateTime(%d + cityHash64(number, 60) %% %d), ['t1','t2','t3'][(number %% 3) + 1], 'bench', 1, concat('a', toString(number %% 400)),
    ['available','on_call','acw','break','hold'][(number %% 5) + 1], ['on_call','acw','available','available','hold'][(number %% 5) + 1],
    toFloat64(10 + cityHash64(number, 61) %% 600), ['q_claims','q_inquiry'], if(number %% 400 >= 350 AND number %% 5 IN (1, 2, 4), 'outbound', ''),
    'agent_states', 0, number
FROM {CHUNK}`, start.Unix(), span),
		// Outbound SMS: a "sent" step, then a delivery receipt (70%%) or a failure (20%%).
		fmt.Sprintf(`INSERT INTO sms_messages (event_id, occurred_at, tenant, source, schema_version, message_id, direction, kind, status, campaign_id, customer_id,
    phone, segments, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), if(status = 'sent', sent, sent + 30), ['t1','t2','t3'][(number %% 3) + 1], 'bench', 1, concat('sms', toString(number)), 'outbound',
    'reminder', status, concat('camp', toString(number %% 20)), concat('c', toString(number %% 1000000)), '+8613800000000', 1, 'sms', 0, number
FROM (SELECT number, toDateTime(%d + cityHash64(number, 90) %% %d) AS sent, cityHash64(number, 91) %% 10 AS k,
      arrayJoin(multiIf(k < 7, ['sent', 'delivered'], k < 9, ['sent', 'failed'], ['sent'])) AS status FROM {CHUNK})`, start.Unix(), span),
		// Policies as of a month before the year (so the in-force count covers it), and a
		// second version for one in ten, lapsing or renewing during the year.
		fmt.Sprintf(`INSERT INTO policies (event_id, occurred_at, tenant, source, schema_version, policy_id, customer_id, product, line, status, start_date, end_date, premium,
    kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), toDateTime(if(v = 0, toUInt64(%[4]d), %[1]d + cityHash64(number, 80) %% %[2]d)), ['t1','t2','t3'][(pid %% 3) + 1], 'bench', 1,
    concat('p', toString(pid)), concat('c', toString(pid %% 1000000)), 'prod', 'auto',
    if(v = 0, if(pid %% 5 = 0, 'expired', 'active'), if(pid %% 5 = 0, 'active', 'lapsed')), toDateTime(%[5]d), toDateTime(%[6]d), 3000, 'policies', 0, number
FROM (SELECT number, toUInt8(number >= %[3]d) AS v, if(v = 0, number, toUInt64(number - %[3]d) * 10) AS pid FROM {CHUNK})`, start.Unix(), span, n*3/20, start.Unix()-86400*30, start.Unix()-86400*200, start.Unix()+86400*165),
		`INSERT INTO customers (event_id, occurred_at, tenant, source, schema_version, customer_id, name, phone, time_zone, customer_since, blacklisted,
    kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), toDateTime(1700000000), ['t1','t2','t3'][(number % 3) + 1], 'bench', 1, concat('c', toString(number)), concat('customer ', toString(number)),
    concat('+86139', substring(toString(100000000 + number), 2)), 'Asia/Shanghai', toDateTime(1400000000 + cityHash64(number, 70) % 290000000), toUInt8(number % 211 = 0),
    'customers', 0, number
FROM {CHUNK}`,
		`INSERT INTO qa_evaluations (event_id, occurred_at, tenant, source, schema_version, evaluation_id, status, kind, call_id, agent_id, evaluator_id,
    scorecard_id, score, business_line, kafka_topic, kafka_partition, kafka_offset)
SELECT generateUUIDv4(), arrived_at, tenant, 'bench', 1, concat('ev', call_id), 'submitted', 'regular', call_id, agent_id, 'qa1', 'sc1',
    toFloat64(50 + cityHash64(call_id) % 51), business_line, 'qa', 0, kafka_offset
FROM call_records WHERE outcome = 'answered' AND cityHash64(call_id) % 50 = 0`,
	}
	counts := []int{n, n / 10, n / 250, n / 100, n / 5, n / 2, n / 20, n*3/20 + n*3/200, n / 10, 0}
	var out []string
	for i, q := range steps {
		if counts[i] == 0 {
			out = append(out, q)
			continue
		}
		const chunk = 250_000
		for off := 0; off < counts[i]; off += chunk {
			size := min(chunk, counts[i]-off)
			out = append(out, strings.ReplaceAll(q, "{CHUNK}", fmt.Sprintf("(SELECT number + %d AS number FROM numbers(%d))", off, size)))
		}
	}
	return out
}
