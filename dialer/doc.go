// Package dialer is hotline's outbound dialer: campaigns and their contact lists, pacing
// (preview, progressive, predictive and the VICIdial baseline, in dialer/pacing), compliance
// checked at dial time, retries, SMS, surveys, the campaign API and the outbound simulator the
// pacing benchmark runs on.
//
// The core (Engine) talks to the world through small interfaces — ContactSource, AgentPool,
// Trunk, SMSGateway, Customers — with simulated implementations here, so the same code runs
// the benchmark, the tests and `hotline run`.
package dialer
