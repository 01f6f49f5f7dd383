// Package routing is the ACD of the hotline: IVR menus, queues per business line, agents with
// skills and states, routing strategies, and the agent desktop API.
//
// The Engine is single-threaded state driven by a clock.Clock. The simulator drives it from a
// clock.Sim on one goroutine; live mode (Live, or the simulator's live service) serialises
// every entry point and timer behind one mutex, so the routing code itself never locks.
//
// How a call goes through it:
//
//   - Arrive takes an inbound call. With a Menu it walks the IVR (menu.go, ivr.go): prompts,
//     keys, timeouts and retries, self-service lookups through the CustomerDirectory; a call
//     that ends there gets its record at once (self_served, ivr_abandoned, after_hours).
//   - A queue node (or Arrival.Queue) queues the call with the data collected. Its priority is
//     the queue's plus boosts (VIP segment, complaint escalation, returning callback, transfer).
//     As it waits, relaxation steps lower the required proficiency, overflow steps add queues,
//     and at the queue's max wait the caller is offered a call back (events.CallbackRequested).
//   - Routing decisions happen on two occasions only: a call starts waiting (or relaxes, or
//     overflows) and looks for an available agent, chosen by its queue's strategy; or an agent
//     becomes available and takes the best waiting call over every queue they serve: highest
//     priority, then longest wait, then earliest arrival. Ties end on login order, so every
//     decision is deterministic. CheckInvariants asserts that no available agent is ever left
//     idle while a call they may take waits.
//   - The offered agent accepts (or lets it ring out: the call keeps its place and the agent is
//     set not ready), talks, holds, transfers, hangs up, wraps up. The call record follows the
//     last wrap-up. Desktops may hold a lease (Heartbeat); when it lapses the agent is recovered.
//
// The dialer shares the agents through ReserveAgent / ConnectOutbound / ReleaseAgent and
// AgentCounts (outbound.go). Every state change is an events.AgentState, every call step an
// events.CallLifecycle, every call one events.CallRecord; QueueLog writes the same history as
// an Asterisk queue_log.
package routing
