package analytics

import (
	"context"
	"fmt"
	"time"
)

// dayInForceSQL is the instant whose policies in force a row of the complaint rate divides by:
// the end (00:00 UTC after) of the row's day, or the last counted day end when that day is not
// counted yet (today). CountPoliciesInForce writes the counts (migration 0106).
func dayInForceSQL(d Dialect) string {
	return fmt.Sprintf("least(toDateTime((intDiv(toUInt32(ts), 86400) + 1) * 86400), (SELECT max(day_end) FROM policies_in_force_daily WHERE %s))",
		dimConds(d, map[Dim]string{DimTenant: "tenant"}))
}

// inForceByDaySQL is the policies in force (newest version of each active) at each counted day
// end, summed over the tenants the dialect selects. A day not counted yet joins as 0, which
// leaves the rate per 10,000 policies undefined rather than wrong.
func inForceByDaySQL(d Dialect) string {
	tc := dimConds(d, map[Dim]string{DimTenant: "tenant"})
	return fmt.Sprintf("SELECT day_end, sum(n) AS in_force FROM (SELECT tenant, day_end, argMax(in_force, computed_at) AS n FROM policies_in_force_daily "+
		"WHERE day_end <= toDateTime(toUInt32(%s) + 86400) AND %s GROUP BY tenant, day_end) GROUP BY day_end", d.ToSQL(), tc)
}

// inForceDays is how many days back PoliciesInForceSQL rewrites (the counts before stay as
// last written): the dashboards look back a year, and each day costs a pass over the deltas.
const inForceDays = 1000

// PoliciesInForceSQL rewrites the daily counts of the last inForceDays days up to the last
// midnight at or before now: per tenant and day boundary k (the instant k*86400 s, UTC
// midnight), the policies whose newest version known at that instant is active. One pass over
// the history: each active version adds 1 from the first boundary at or after its time and
// takes it away at the first boundary at or after the next version's; the deltas are summed per
// boundary, then up to each day (memory: days times distinct boundaries, per tenant).
func PoliciesInForceSQL(now time.Time) string {
	last := now.Unix() / 86400
	return fmt.Sprintf(`INSERT INTO policies_in_force_daily (tenant, day_end, in_force, computed_at)
SELECT tenant, toDateTime(d * 86400), toUInt64(greatest(arraySum(arrayFilter((dl, kk) -> kk <= d, ds, ks)), 0)), toDateTime(%[1]d)
FROM (SELECT tenant, min(k) AS k0, groupArray(k) AS ks, groupArray(delta) AS ds
  FROM (SELECT tenant, k, sum(delta_) AS delta
    FROM (SELECT CAST(tenant AS String) AS tenant, arrayJoin([(start_k, toInt64(1)), (end_k, toInt64(-1))]) AS ev,
        tupleElement(ev, 1) AS k, tupleElement(ev, 2) AS delta_
      FROM (SELECT tenant, intDiv(tupleElement(v, 1) + 86399999, 86400000) AS start_k,
          if(i < length(vs), intDiv(tupleElement(vs[i + 1], 1) + 86399999, 86400000), toUInt64(4000000000)) AS end_k
        FROM (SELECT tenant, arraySort(groupArray((updated_ms, CAST(status AS String)))) AS vs FROM policies GROUP BY tenant, policy_id)
        ARRAY JOIN vs AS v, arrayEnumerate(vs) AS i
        WHERE tupleElement(v, 2) = 'active' AND start_k < end_k))
    WHERE k <= %[2]d
    GROUP BY tenant, k)
  GROUP BY tenant)
ARRAY JOIN arrayMap(i -> greatest(k0, %[3]d) + i, range(toUInt64(%[2]d + 1 - greatest(k0, %[3]d)))) AS d`, now.Unix(), last, last-inForceDays+1)
}

// CountPoliciesInForce runs PoliciesInForceSQL.
func (e *Engine) CountPoliciesInForce(ctx context.Context, now time.Time) error {
	if err := e.Conn.Exec(ctx, PoliciesInForceSQL(now)); err != nil {
		return fmt.Errorf("counting policies in force: %w", err)
	}
	return nil
}
