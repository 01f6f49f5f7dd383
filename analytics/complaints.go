package analytics

import (
	"context"
	"fmt"
	"time"
)

// OverdueComplaint is an open complaint past its working-day deadline.
type OverdueComplaint struct {
	ComplaintID  string    `json:"complaint_id"`
	Tenant       string    `json:"tenant"`
	Customer     string    `json:"customer_id"`
	Category     string    `json:"category"`
	Line         string    `json:"business_line"`
	Department   string    `json:"department"`
	Channel      string    `json:"channel"`
	RegisteredAt time.Time `json:"registered_at"`
	DueDate      time.Time `json:"due_date"` // last working day on time
	DaysOverdue  int       `json:"days_overdue"`
}

// OverdueComplaintsSQL lists complaints not answered by now whose deadline (by the
// working-day calendar) ended before now, oldest deadline first.
func OverdueComplaintsSQL(s Settings, tenant string, now time.Time) string {
	p := Period{From: time.Unix(0, 0), To: now, Tenant: tenant}
	return fmt.Sprintf(`SELECT complaint_id, toString(tenant), customer_id, toString(category), toString(business_line), toString(department), toString(channel),
    registered_at, toDateTime(due_date), toInt32(intDiv(toUInt32(%[1]s) - toUInt32(due_end), 86400))
  FROM (%[2]s) WHERE answered = 0 AND due_end <= %[1]s ORDER BY due_date, complaint_id`,
		p.ToSQL(), complaintDeadlinesSQL(p, s, "registered_at < "+p.ToSQL()+" AND occurred_at <= "+p.ToSQL()))
}

// OverdueComplaints runs OverdueComplaintsSQL.
func (e *Engine) OverdueComplaints(ctx context.Context, tenant string, now time.Time) ([]OverdueComplaint, error) {
	rows, err := e.Conn.Query(ctx, OverdueComplaintsSQL(e.Settings, tenant, now))
	if err != nil {
		return nil, fmt.Errorf("listing overdue complaints: %w", err)
	}
	defer rows.Close()
	var out []OverdueComplaint
	for rows.Next() {
		var c OverdueComplaint
		var days int32
		if err := rows.Scan(&c.ComplaintID, &c.Tenant, &c.Customer, &c.Category, &c.Line, &c.Department, &c.Channel, &c.RegisteredAt, &c.DueDate, &days); err != nil {
			return nil, fmt.Errorf("reading overdue complaints: %w", err)
		}
		c.DaysOverdue = int(days)
		out = append(out, c)
	}
	return out, rows.Err()
}
