package routing

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// TestRandomOperations throws random agent and caller actions at the engine and checks its
// invariants after every step; at the end every call has exactly one record and no agent is
// stuck.
func TestRandomOperations(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.LeaseTTL = 40 * time.Second
			f := newFixture(t, cfg)
			r := rand.New(rand.NewPCG(seed, 99))
			agents := []string{"a0", "a1", "a2", "a3", "a4", "a5"}
			skills := []string{"claims", "service", "products", "complaints", "sales"}
			queues := []string{"claims_report", "inquiry", "consultation", "complaint", "renewal", "appointment"}
			calls := 0
			for step := 0; step < 3000; step++ {
				a := agents[r.IntN(len(agents))]
				var cid string
				if ai, err := f.eng.Agent(a); err == nil {
					cid = ai.CallID
				}
				switch r.IntN(16) {
				case 0, 1, 2:
					calls++
					f.arrive(fmt.Sprintf("c%d", calls), queues[r.IntN(len(queues))], map[string]string{DataEscalated: fmt.Sprint(r.IntN(5) == 0)})
				case 3:
					sk := map[string]int{}
					for _, s := range skills {
						if r.IntN(2) == 0 {
							sk[s] = 1 + r.IntN(5)
						}
					}
					_ = f.eng.Login(Login{Agent: a, Skills: sk, Ready: r.IntN(2) == 0, Lease: r.IntN(3) == 0})
				case 4:
					_ = f.eng.Ready(a)
				case 5:
					_ = f.eng.Break(a, "x")
				case 6:
					_ = f.eng.Accept(a, cid)
				case 7:
					_ = f.eng.Reject(a, cid, "busy")
				case 8:
					if r.IntN(2) == 0 {
						_ = f.eng.Hold(a)
					} else {
						_ = f.eng.Retrieve(a)
					}
				case 9:
					if cid != "" {
						_ = f.eng.Hangup(cid)
					}
				case 10:
					_ = f.eng.Wrapup(a, Wrapup{Disposition: "d"})
				case 11:
					if r.IntN(2) == 0 {
						_ = f.eng.Transfer(a, TransferQueue, queues[r.IntN(len(queues))])
					} else {
						_ = f.eng.Transfer(a, TransferDepartment, "claims_dept")
					}
				case 12:
					if calls > 0 {
						_, _ = f.eng.Abandon(fmt.Sprintf("c%d", 1+r.IntN(calls)))
					}
				case 13:
					_ = f.eng.Logout(a, "bye")
				case 14:
					_ = f.eng.Heartbeat(a)
				case 15:
					if id, ok := f.eng.ReserveAgent(skills[r.IntN(len(skills))], 1, "camp"); ok && r.IntN(2) == 0 {
						calls++
						_ = f.eng.ConnectOutbound(id, OutboundCall{CallID: fmt.Sprintf("c%d", calls), Phone: "+8613800000001", Campaign: "camp", Line: events.LineRenewal})
					}
				}
				f.clk.Advance(time.Duration(r.IntN(20)) * time.Second)
				if err := f.eng.CheckInvariants(); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
			// Wind down: everyone hangs up and logs out; timers finish wrap-ups.
			for i := 1; i <= calls; i++ {
				id := fmt.Sprintf("c%d", i)
				if _, err := f.eng.Call(id); err == nil {
					_ = f.eng.Hangup(id)
				}
			}
			for _, a := range agents {
				_ = f.eng.Logout(a, "end")
			}
			f.clk.Advance(time.Hour)
			if err := f.eng.CheckInvariants(); err != nil {
				t.Fatal(err)
			}
			recs := f.sink.records()
			// Outbound calls placed only when ConnectOutbound succeeded; count what arrived.
			if f.eng.Active() != 0 {
				t.Fatalf("%d calls still active", f.eng.Active())
			}
			st := f.eng.Stats()
			if st.Records != len(recs) {
				t.Fatalf("%d records counted, %d distinct", st.Records, len(recs))
			}
			for _, a := range agents {
				if ai, err := f.eng.Agent(a); err == nil && ai.State != events.AgentLoggedOut {
					t.Fatalf("agent %s left %s", a, ai.State)
				}
			}
		})
	}
}
