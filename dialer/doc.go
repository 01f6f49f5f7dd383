// Package dialer is hotline's outbound dialer: campaigns and their contact lists, pacing
// (preview, progressive, hotline's model-based predictive pacer and the VICIdial ADAPT_*
// baseline, in dialer/pacing), compliance checked at dial time, retries, SMS, surveys, the
// campaign API and the outbound simulator the pacing benchmark runs on.
//
// The core (Engine) talks to the world through small interfaces — ContactSource, AgentPool,
// Trunk, Gate, SMSGateway, Customers, Book, FarEnd — with simulated implementations here, so the
// same code runs the benchmark, the tests and `hotline run`. In `hotline run` the call campaigns
// dial for the ACD's own agents (Blend, RoutingPool: blended with inbound, inbound first;
// preview and progressive hold their agent in routing while the line rings, predictive takes
// one when a person answers). The simulator's agents' conversations are played by the
// campaign's simulated team; a person at the agent desktop ends theirs by reporting the
// outcome (outcome.go), which the engine acts on like any disposition.
//
// Definitions the code holds to (docs/kpi.md, docs/dialing-rules.md):
//   - A person-answered call is one the answering-machine detector called human; the 2 s an
//     answered person may wait for an agent start at that verdict (the end of their greeting).
//   - Engine.connect is the only place a call meets an agent, and it refuses a wait over
//     DropAfter (≤ 2 s): a "connected" attempt therefore got its agent within 2 s by
//     construction; every other person-answered call is "dropped" when its 2 s timer fires, hears
//     the recorded message, and locks its number out for 72 h.
//   - Abandonment = dropped / (connected + dropped), per campaign, run to date and rolling 24 h
//     and 30 d. Persons the detector misjudged as machines are counted apart (the simulator
//     knows them, the dialer cannot), not in this rate.
//   - Occupancy = (talk + after-call work) / logged-in time; preview and ringing time of a
//     reserved agent count as available, as docs/kpi.md defines it.
package dialer
