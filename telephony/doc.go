// Package telephony is hotline's real-call side: a SIP application server that takes calls
// from the carrier's trunk, plays the IVR menu, hands the call to the routing engine the
// simulator drives (routing.Engine: same IVR graph, queues, strategies and events), plays music
// on hold, rings the chosen agent's registered phone, bridges and records the conversation as a
// stereo WAV (agent left, customer right) into the QA store. Agents' phones REGISTER with
// digest authentication. See docs/telephony.md.
//
// The engine sees a real call exactly as it sees a simulated one: Caller.Respond is answered
// later with Engine.Input when the keys are pressed, offers come as call.lifecycle "offered"
// events, the phone's 200 OK is Engine.Accept, a BYE from either side is Engine.Hangup. The
// engine's offer timeout is the ring timeout; no answer puts the call back in its place and the
// agent on a not-ready break, as the engine does for a desktop that does not answer.
//
// Libraries (github.com/emiago/sipgo v1.7.3, github.com/emiago/diago v0.42.1), what their code,
// examples and tests show:
//   - No SRTP on plain SIP calls in practice: diago's SDES/DTLS support is for WebRTC and
//     marked experimental; media here is RTP/AVP. Signalling is UDP or TCP (no TLS configured).
//   - Codecs: diago negotiates PCMU, PCMA and telephone-event/8000 by default; Opus needs cgo
//     (build tag with_opus_c), so it is off. We offer PCMA first (the norm on Chinese networks).
//   - diago's Bridge refuses two legs with different codecs ("no transcoding"), and its stereo
//     recorder puts what it reads on the left: for agent left / customer right on either leg,
//     and A-law on one leg with μ-law on the other, this package moves decoded 20 ms frames
//     itself (bridge.go) and writes the WAV itself (record.go).
//   - The RTP writer paces: Write blocks until the next 20 ms tick, so one writer goroutine per
//     leg, and never two writers on one leg.
//   - DTMF: RFC 4733 events are read through DialogMedia.AudioReaderDTMF, on the payload type
//     negotiated in SDP (diago's TODO notes older paths assumed 101); a key is reported at its
//     end event, so a held key counts once. SIP INFO DTMF is not read.
//   - The RTP port range is a package-level setting of diago/media (RTPPortStart/RTPPortEnd),
//     so one process has one range; set once at start.
//   - Dialogs end by BYE from either side: DialogServerSession/DialogClientSession Context()
//     is done then; after the serve handler returns diago hangs the call up itself.
//   - diago answers OPTIONS itself and has no REGISTER handler: the registrar here is ours, on
//     the same sipgo server, with diago's DigestAuthServer (MD5 digest, nonces kept 5 s by
//     default, so we keep them longer).
//   - A request handler runs after sipgo created the server transaction; a request refused by
//     the rate limiter is not answered and its transaction terminated, so a flood costs no
//     response traffic.
package telephony
