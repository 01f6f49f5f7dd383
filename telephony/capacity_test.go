package telephony

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/diago"

	"github.com/seed-1c4692e8/hotline/events"
)

// BenchmarkConcurrentCalls measures hotline's SIP side with n calls at once, each through the
// IVR and the queue, bridged to its own agent's phone and recorded, both sides speaking the
// whole time; the phones run in the same process on the same cores. It reports packet loss and
// late packets of the audio hotline received, CPU per call (hotline and the phones together),
// and how many recordings were stored.
//
//	go test ./telephony -run '^$' -bench ConcurrentCalls -benchtime 1x
func BenchmarkConcurrentCalls(b *testing.B) {
	for _, n := range []int{25, 50, 100} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			for range b.N {
				concurrentCalls(b, n, 10*time.Second)
			}
		})
	}
}

func concurrentCalls(b *testing.B, n int, talk time.Duration) {
	agents := make([]Agent, n)
	for i := range agents {
		ext := fmt.Sprint(2000 + i)
		agents[i] = Agent{AgentID: "b" + ext, Extension: ext, Username: ext, Password: "bench-" + ext, Skills: map[string]int{"claims": 4}}
	}
	f := start(b, 30*time.Second, agents...)
	phones := make([]*ua, n)
	for i, a := range agents {
		phones[i] = newUA(b, "127.0.0.2")
		if err := phones[i].register(b, f.port, a.Username, a.Password); err != nil {
			b.Fatal(err)
		}
	}
	speech := filepath.Join(sounds, "queue-periodic-announce.wav")
	talkLoop := func(med *diago.DialogMedia, until time.Time) {
		pb, err := med.PlaybackCreate()
		if err != nil {
			return
		}
		for time.Now().Before(until) {
			if _, err := pb.PlayFile(speech); err != nil {
				return
			}
		}
	}
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	q0 := [3]int64{f.srv.Quality().Received.Load(), f.srv.Quality().Lost.Load(), f.srv.Quality().Late.Load()}
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range phones {
		wg.Add(1)
		go func() { // agent: answer, talk, wait for the customer's BYE
			defer wg.Done()
			in := waitInbound(b, p, 30*time.Second)
			defer close(in.done)
			med, err := in.d.Answer(diago.AnswerOptions{})
			if err != nil {
				b.Error(err)
				return
			}
			go talkLoop(med, time.Now().Add(talk))
			<-in.d.Context().Done()
		}()
	}
	for range n {
		wg.Add(1)
		go func() { // customer: call, choose, wait, talk, hang up
			defer wg.Done()
			cust := newUA(b, "127.0.0.1")
			d, med, _ := cust.call(b, f.port)
			w, err := med.AudioWriterDTMF()
			if err != nil {
				b.Error(err)
				return
			}
			for _, k := range "12" {
				time.Sleep(300 * time.Millisecond)
				_ = w.WriteDTMF(k)
			}
			// Talk from the moment an agent is there (no BYE yet), for the talk time.
			time.Sleep(500 * time.Millisecond)
			talkLoop(med, time.Now().Add(talk))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = d.Hangup(ctx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
	// Records come after wrap-up (500 ms) and the recording.
	deadline := time.Now().Add(30 * time.Second)
	recorded := 0
	for time.Now().Before(deadline) {
		recorded = 0
		f.sink.mu.Lock()
		for _, ev := range f.sink.evs {
			if r, ok := ev.Payload.(events.CallRecord); ok && r.RecordingID != "" {
				recorded++
			}
		}
		f.sink.mu.Unlock()
		if recorded >= n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	q := f.srv.Quality()
	rx, lost, late := q.Received.Load()-q0[0], q.Lost.Load()-q0[1], q.Late.Load()-q0[2]
	callSec := float64(n) * elapsed.Seconds()
	b.ReportMetric(float64(lost)/float64(rx+lost)*100, "%lost")
	b.ReportMetric(float64(late)/float64(rx)*100, "%late")
	b.ReportMetric(cpu.Seconds()/callSec*100, "%cpu/call")
	b.ReportMetric(float64(recorded), "recorded")
	b.Logf("%d calls over %s: %d audio packets received, %d lost, %d late; CPU %s (%.1f%% of a core per call, phones included); %d recordings",
		n, elapsed.Round(time.Millisecond), rx, lost, late, cpu.Round(time.Millisecond), cpu.Seconds()/callSec*100, recorded)
}
