package analytics

import (
	"context"
	"fmt"
	"time"
)

// condFCRAnswered is the FCR denominator's call: answered from a queue.
const condFCRAnswered = "isNotNull(queued_at) AND outcome = 'answered'"

// fcrCallsSQL yields one row per inbound call of a known customer arriving at or after from,
// with whether another inbound call on the same business line followed within the window w
// (seconds), compared to the millisecond: a call 7 d 0.8 s later is no repeat. Calls are read up
// to w past to, so a repeat after the end still counts; the caller filters the rows up to to.
func fcrCallsSQL(from, to string, w int64, dims string) string {
	return fmt.Sprintf(`(SELECT tenant, business_line, tupleElement(c, 3) AS queue, tupleElement(c, 4) AS agent_id,
    tupleElement(c, 5) AS campaign_id, toDateTime(intDiv(tupleElement(c, 1), 1000)) AS arrived_at, tupleElement(c, 2) AS answered,
    i < length(cs) AND tupleElement(cs[i + 1], 1) - tupleElement(c, 1) <= %d AS repeated
  FROM (SELECT tenant, customer_id, business_line,
      arraySort(groupArray((%s, toUInt8(%s), toString(queue), toString(agent_id), toString(campaign_id)))) AS cs
    FROM call_records
    WHERE direction = 'inbound' AND customer_id != '' AND arrived_at >= %s AND arrived_at < %s + %d AND %s
    GROUP BY tenant, customer_id, business_line)
  ARRAY JOIN cs AS c, arrayEnumerate(cs) AS i)`, w*1000, MillisSQL("arrived_at", "arrived_ms"), condFCRAnswered, from, to, w, dims)
}

var fcrDims = map[Dim]string{DimTenant: "tenant", DimLine: "business_line"}

// fcrFamily computes FCR from the call records alone: any window, any breakdown.
func fcrFamily() *family {
	return &family{
		name: "fcr", timeCol: "arrived_at", dims: callDims, rollups: []string{"fcr_closed"},
		groups: []string{"tenant", "queue", "business_line", "agent_id"},
		source: func(d Dialect, s Settings) string {
			return fcrCallsSQL(d.FromSQL(), d.ToSQL(), secs(s.FCRWindow), dimConds(d, fcrDims))
		},
		counter: map[string]func(Settings) string{
			"fcr_answered": fixed("countIf(answered = 1)"),
			"fcr_resolved": fixed("countIf(answered = 1 AND repeated = 0)"),
		},
	}
}

// fcrHorizonSQL is the end of the range CloseFCR has closed for window w (1970 when none).
func fcrHorizonSQL(w int64) string {
	return fmt.Sprintf("(SELECT toDateTime(max(toUInt32(ts)) + 900) FROM fcr_rollup_15m WHERE window_sec = %d)", w)
}

// fcrClosedFamily answers FCR from fcr_rollup_15m up to the closed horizon and from the call
// records after it (at most the window plus a day in a running system), so it is exact
// whatever has been closed. It has no agent: agent-level FCR reads the records.
func fcrClosedFamily() *family {
	dims := map[Dim]string{DimTenant: "tenant", DimQueue: "queue", DimLine: "business_line", DimCampaign: "campaign_id"}
	return &family{
		name: "fcr_closed", timeCol: "arrived_at", dims: dims,
		groups: []string{"tenant", "queue", "business_line"},
		source: func(d Dialect, s Settings) string {
			w := secs(s.FCRWindow)
			h := fcrHorizonSQL(w)
			return fmt.Sprintf(`(SELECT CAST(tenant AS String) AS tenant, CAST(queue AS String) AS queue, CAST(business_line AS String) AS business_line,
      CAST(campaign_id AS String) AS campaign_id, ts AS arrived_at, answered AS answered_n, resolved AS resolved_n
    FROM fcr_rollup_15m WHERE window_sec = %d AND answered > 0 AND %s AND ts < %s AND %s
  UNION ALL
  SELECT CAST(tenant AS String) AS tenant, CAST(queue AS String) AS queue, CAST(business_line AS String) AS business_line,
      CAST(campaign_id AS String) AS campaign_id, arrived_at, toUInt64(answered) AS answered_n, toUInt64(answered = 1 AND repeated = 0) AS resolved_n
    FROM %s WHERE answered = 1)`,
				w, d.TimeFilter("ts"), h, dimConds(d, dims),
				fcrCallsSQL("greatest("+d.FromSQL()+", "+h+")", d.ToSQL(), w, dimConds(d, fcrDims)))
		},
		counter: map[string]func(Settings) string{
			"fcr_answered": fixed("sum(answered_n)"),
			"fcr_resolved": fixed("sum(resolved_n)"),
		},
	}
}

// fcrPartition is the span of fcr_rollup_15m's partitions in seconds (30 days).
const fcrPartition = 30 * 86400

// FCRGrace is how long after a call's FCR window ends its day may be closed: room for late
// call records. A record arriving later than that is not counted in the closed rollup.
const FCRGrace = time.Hour

// CloseFCR writes fcr_rollup_15m for every whole UTC day whose calls' FCR windows (the
// settings' window) ended FCRGrace before now, from the day after the last closed one (or the
// first call) on, one partition per insert. It returns the days closed.
func (e *Engine) CloseFCR(ctx context.Context, now time.Time) (int, error) {
	w := secs(e.Settings.FCRWindow)
	limit := now.Add(-e.Settings.FCRWindow - FCRGrace).UTC().Truncate(24 * time.Hour) // days before this are closable
	var horizon, first time.Time
	if err := e.Conn.QueryRow(ctx, "SELECT "+fcrHorizonSQL(w)).Scan(&horizon); err != nil {
		return 0, fmt.Errorf("reading the FCR horizon: %w", err)
	}
	start := horizon.UTC()
	if horizon.Unix() <= 900 {
		if err := e.Conn.QueryRow(ctx, "SELECT min(arrived_at) FROM call_records WHERE direction = 'inbound' AND customer_id != ''").Scan(&first); err != nil {
			return 0, fmt.Errorf("finding the first call for FCR: %w", err)
		}
		if first.Unix() <= 0 {
			return 0, nil
		}
		start = first.UTC().Truncate(24 * time.Hour)
	}
	days := 0
	for start.Before(limit) {
		// Up to the next 30-day partition of fcr_rollup_15m (migration 0105), so the insert is
		// one part: a crash leaves the chunk wholly written or not at all.
		end := time.Unix((start.Unix()/fcrPartition+1)*fcrPartition, 0).UTC()
		if end.After(limit) {
			end = limit
		}
		if err := e.Conn.Exec(ctx, CloseFCRSQL(start, end, w)); err != nil {
			return days, fmt.Errorf("closing FCR days %s to %s: %w", start.Format(time.DateOnly), end.Format(time.DateOnly), err)
		}
		days += int(end.Sub(start).Hours() / 24)
		start = end
	}
	return days, nil
}

// CloseFCRSQL is the insert of the days [from, to): atomic when they are in one partition.
func CloseFCRSQL(from, to time.Time, w int64) string {
	f, t := fmt.Sprintf("toDateTime(%d)", from.Unix()), fmt.Sprintf("toDateTime(%d)", to.Unix())
	return fmt.Sprintf(`INSERT INTO fcr_rollup_15m (window_sec, tenant, ts, queue, business_line, campaign_id, answered, resolved)
SELECT toUInt32(%d), CAST(tenant AS String), toStartOfFifteenMinutes(arrived_at) AS ts, CAST(queue AS String), CAST(business_line AS String), CAST(campaign_id AS String),
    count(), countIf(repeated = 0)
FROM %s WHERE answered = 1 AND arrived_at < %s
GROUP BY tenant, ts, queue, business_line, campaign_id
UNION ALL
SELECT toUInt32(%d), '', toDateTime(%d), '', '', '', toUInt64(0), toUInt64(0)`, w, fcrCallsSQL(f, t, w, "1"), t, w, to.Unix()-900)
}
