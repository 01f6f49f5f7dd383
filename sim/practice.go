package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/routing"
)

// PracticeCall asks for a simulated customer's call to ring one agent's desk: a supervisor
// training a new agent on the desktop, or a check that a desk receives calls.
type PracticeCall struct {
	Agent    string `json:"agent_id"`
	Queue    string `json:"queue,omitempty"`       // default inquiry (open around the clock)
	Customer string `json:"customer_id,omitempty"` // default: a customer of the book with a claim
}

// PracticeCallResult is the call placed.
type PracticeCallResult struct {
	CallID   string `json:"call_id"`
	Queue    string `json:"queue"`
	Customer string `json:"customer_id"`
}

// ErrPractice marks a practice call the request cannot have (unknown customer, agent not free).
var ErrPractice = errors.New("practice call refused")

// PlaceCall places a practice call for an available agent: it arrives straight in the queue and
// rings that agent alone (routing.Arrival.Agent); declined, it waits in the queue like any call.
// The customer stays on the line until the agent hangs up.
func (s *Service) PlaceCall(pc PracticeCall) (PracticeCallResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm := s.sim
	if pc.Agent == "" {
		return PracticeCallResult{}, fmt.Errorf("agent_id: missing: %w", ErrPractice)
	}
	if pc.Queue == "" {
		pc.Queue = "inquiry"
	}
	if pc.Customer == "" {
		// Its own generator, seeded by the call number, so a practice call does not change what
		// the simulated callers do next.
		r := rand.New(rand.NewPCG(sm.opt.Seed, uint64(sm.nextCall)))
		n, _, _ := sm.book.Size()
		for try := 0; try < 200 && (pc.Customer == "" || len(sm.book.ClaimsOf(pc.Customer)) == 0); try++ {
			pc.Customer = sm.book.customerAt(r.IntN(n)).Customer
		}
	}
	cu, ok := sm.book.Customer(pc.Customer)
	if !ok {
		return PracticeCallResult{}, fmt.Errorf("customer_id: %q is not a customer of the book: %w", pc.Customer, ErrPractice)
	}
	sm.nextCall++
	id := fmt.Sprintf("%s-%d-%07d", sm.prof.Tenant, sm.opt.Seed, sm.nextCall)
	err := sm.eng.Arrive(routing.Arrival{CallID: id, Phone: cu.Phone, Customer: cu.Customer, Queue: pc.Queue, Agent: pc.Agent,
		Data: map[string]string{"practice": "true"}})
	if err != nil {
		sm.nextCall--
		return PracticeCallResult{}, fmt.Errorf("placing a practice call: %w: %w", ErrPractice, err)
	}
	return PracticeCallResult{CallID: id, Queue: pc.Queue, Customer: cu.Customer}, nil
}

// Register mounts POST /api/sim/calls for supervisors and administrators.
func (s *Service) Register(srv *httpapi.Server) {
	srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/sim/calls",
		Roles:   []httpapi.Role{httpapi.RoleManager, httpapi.RoleAdmin},
		Summary: "place a simulated customer's practice call ringing one available agent's desk (body: {\"agent_id\", \"queue\" default inquiry, \"customer_id\" optional})",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var pc PracticeCall
			if err := httpapi.DecodeJSON(w, r, &pc); err != nil {
				return
			}
			res, err := s.PlaceCall(pc)
			switch {
			case errors.Is(err, routing.ErrState):
				httpapi.Error(w, http.StatusConflict, err.Error())
			case err != nil:
				httpapi.Error(w, http.StatusBadRequest, err.Error())
			default:
				httpapi.WriteJSON(w, http.StatusCreated, res)
			}
		})})
}
