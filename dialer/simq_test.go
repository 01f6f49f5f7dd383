package dialer

import (
	"testing"
	"time"
)

func TestQuickSim(t *testing.T) {
	for _, ag := range []int{5, 20, 100} {
		for _, cr := range []float64{0.15, 0.5} {
			for _, talk := range []time.Duration{90 * time.Second, 300 * time.Second} {
				for _, m := range Methods {
					st := time.Now()
					r, err := Simulate(SimOptions{Workload: Workload{Agents: ag, ContactRate: cr, TalkMean: talk}, Method: m, Seed: 1})
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("a=%d cr=%.2f talk=%v %-17s talk/h=%5.1f occ=%.3f ab=%.4f worst=%.3f cont/h=%5.1f wait=%.2f ev=%d %v", ag, cr, talk, m, r.TalkMinPerAgentH, r.Occupancy, r.AbandonRate, r.WorstWindow, float64(r.Connected)/(r.LoggedInSec/3600), r.MeanWaitSec, r.Events, time.Since(st).Round(time.Millisecond))
				}
			}
		}
	}
}
