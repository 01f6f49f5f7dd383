package analytics

import (
	"context"
	"fmt"
	"time"
)

// policiesInForceSQL is a scalar subquery: active policies (newest version of each) at the end
// of the last counted day on or before the period's end, from policies_in_force_daily
// (migration 0106, written by CountPoliciesInForce). 0 when nothing is counted yet, which
// leaves the rate per 10,000 policies undefined rather than wrong.
func policiesInForceSQL(d Dialect) string {
	tc := dimConds(d, map[Dim]string{DimTenant: "tenant"})
	return fmt.Sprintf("(SELECT sum(n) FROM (SELECT argMax(in_force, computed_at) AS n FROM policies_in_force_daily "+
		"WHERE day_end = (SELECT max(day_end) FROM policies_in_force_daily WHERE day_end <= %s AND %s) AND %s GROUP BY tenant))",
		d.ToSQL(), tc, tc)
}

// policyDeltasSQL gives, per tenant and day boundary k (the instant k*86400 s, UTC midnight),
// how many policies became active (+) or stopped being active (-) at it: each version that is
// active counts from the first boundary at or after its time to the last before the next
// version's. One pass over the history instead of one per day.
const policyDeltasSQL = `SELECT toString(tenant), k, sum(delta) FROM (
  SELECT tenant, arrayJoin([(start_k, toInt64(1)), (end_k, toInt64(-1))]) AS ev, tupleElement(ev, 1) AS k, tupleElement(ev, 2) AS delta
  FROM (SELECT tenant, intDiv(tupleElement(v, 1) + 86399999, 86400000) AS start_k,
      if(i < length(vs), intDiv(tupleElement(vs[i + 1], 1) + 86399999, 86400000), toUInt64(4000000000)) AS end_k
    FROM (SELECT tenant, arraySort(groupArray((updated_ms, toString(status)))) AS vs FROM policies GROUP BY tenant, policy_id)
    ARRAY JOIN vs AS v, arrayEnumerate(vs) AS i
    WHERE tupleElement(v, 2) = 'active' AND start_k < end_k))
WHERE k < 4000000000
GROUP BY tenant, k ORDER BY tenant, k`

// CountPoliciesInForce rewrites policies_in_force_daily: the policies in force at every UTC
// midnight from the first policy version to the last midnight before now. It returns the rows
// written.
func (e *Engine) CountPoliciesInForce(ctx context.Context, now time.Time) (int, error) {
	rows, err := e.Conn.Query(ctx, policyDeltasSQL)
	if err != nil {
		return 0, fmt.Errorf("counting policies in force: %w", err)
	}
	type delta struct {
		k uint64
		n int64
	}
	byTenant := map[string][]delta{}
	var tenants []string
	for rows.Next() {
		var t string
		var d delta
		if err := rows.Scan(&t, &d.k, &d.n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("counting policies in force: %w", err)
		}
		if _, ok := byTenant[t]; !ok {
			tenants = append(tenants, t)
		}
		byTenant[t] = append(byTenant[t], d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("counting policies in force: %w", err)
	}
	last := uint64(now.Unix() / 86400)
	batch, err := e.Conn.PrepareBatch(ctx, "INSERT INTO policies_in_force_daily (tenant, day_end, in_force, computed_at)")
	if err != nil {
		return 0, fmt.Errorf("writing policies in force: %w", err)
	}
	defer batch.Abort()
	stamp := now.UTC().Truncate(time.Second)
	written := 0
	for _, t := range tenants {
		ds := byTenant[t]
		var n int64
		j := 0
		for k := ds[0].k; k <= last; k++ {
			for j < len(ds) && ds[j].k == k {
				n += ds[j].n
				j++
			}
			if err := batch.Append(t, time.Unix(int64(k)*86400, 0).UTC(), uint64(max(n, 0)), stamp); err != nil {
				return 0, fmt.Errorf("writing policies in force: %w", err)
			}
			written++
		}
	}
	if written == 0 {
		return 0, nil
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("writing policies in force: %w", err)
	}
	return written, nil
}
